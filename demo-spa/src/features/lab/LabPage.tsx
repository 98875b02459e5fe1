import { Panel } from '../../components/Panel.tsx'
import { BarChart } from './BarChart.tsx'
import { EXPERIMENTS } from './experiments/index.ts'
import { exportJson } from './export.ts'
import { ResultsTable } from './ResultsTable.tsx'
import { ScaleOutPanel } from './ScaleOutPanel.tsx'
import { useLab } from './runner.ts'
import type { ExperimentResult } from './types.ts'

/** The comparison lab: each claim of the JWT-versus-session tables, run live and judged. */
export function LabPage() {
  const { rows, running, finishedAt, runAll } = useLab()
  const results = rows.flatMap((row): ExperimentResult[] => (row.kind === 'result' ? [row.result] : []))
  return (
    <>
      <Panel
        title="Comparison lab"
        tools={
          <div className="tools">
            <button type="button" onClick={() => void runAll()} disabled={running !== null}>
              {running ? 'Running…' : rows.length ? 'Run again' : 'Run all experiments'}
            </button>
            <button type="button" className="quiet" onClick={() => exportJson(rows, finishedAt)} disabled={rows.length === 0 || running !== null}>
              Export JSON
            </button>
          </div>
        }
      >
        <p>
          Each experiment runs in this browser against the mock backend, with its own throwaway SDK client signed in as <strong>bob</strong>, reads the
          server’s counters at <code>/__mock/stats</code> and what the server says it spent on each request (<code>Server-Timing</code>), and puts back
          what it changed (settings, clock) before signing out. Cookies are per origin, so a live-demo session or refresh cookie is replaced while the lab
          runs: sign in again there afterwards.
        </p>
        <p>
          A timing is the median of many requests with its 95% confidence interval and sample size. A verdict that rests on timings says “agrees” or
          “disagrees” only when the intervals do not overlap, and “depends” otherwise, so noise cannot turn it around from one run to the next.
        </p>
        <p role="status" aria-label="Lab status" className="muted">
          {running ? `Running: ${running} (${rows.length + 1} of ${EXPERIMENTS.length})` : finishedAt ? `Finished: ${rows.length} experiments` : `Not run yet: ${EXPERIMENTS.length} experiments ready`}
        </p>
        {rows.length === 0 ? (
          <ul>
            {EXPERIMENTS.map((experiment) => (
              <li key={experiment.id}>
                <strong>{experiment.title}</strong>: {experiment.claim}
              </li>
            ))}
          </ul>
        ) : (
          <>
            <ResultsTable rows={rows} />
            <BarChart results={results} />
          </>
        )}
      </Panel>
      <ScaleOutPanel />
    </>
  )
}
