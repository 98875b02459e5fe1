import { create } from 'zustand'
import { backendInWorker } from '../../app/runtime.ts'
import { EXPERIMENTS } from './experiments/index.ts'
import type { Experiment, LabRow } from './types.ts'

interface LabState {
  rows: LabRow[]
  /** The experiment running now, or `null`. */
  running: string | null
  finishedAt: string | null
  runAll(): Promise<void>
}

// Skipped, not failed: the worker build has no server process and serves one origin only, so
// these would only measure the build's limits; the row says so instead.
const unavailableHere = (experiment: Experiment): boolean => backendInWorker && experiment.needsHttpServer !== undefined

/** One experiment as a row; a throw becomes a failure row so it cannot hide the others. */
async function runOne(experiment: Experiment, window: Window | null): Promise<LabRow> {
  if (unavailableHere(experiment)) {
    return { kind: 'unavailable', unavailable: { id: experiment.id, claim: experiment.claim, reason: `Not available in the worker build: ${experiment.needsHttpServer}` } }
  }
  try {
    return { kind: 'result', result: await experiment.run(window) }
  } catch (error) {
    return { kind: 'failure', failure: { id: experiment.id, claim: experiment.claim, error: error instanceof Error ? error.message : String(error) } }
  }
}

/**
 * Runs the experiments one after another, never in parallel: they share the origin's cookies and
 * the server's clock and settings, so two at once would measure each other.
 */
export const useLab = create<LabState>()((set, get) => ({
  rows: [],
  running: null,
  finishedAt: null,
  async runAll() {
    if (get().running) return
    set({ rows: [], finishedAt: null })
    // Still within the click: `null` where the browser blocked the popup.
    const windows = new Map(
      EXPERIMENTS.flatMap((experiment) =>
        experiment.window && !unavailableHere(experiment) ? [[experiment.id, window.open(experiment.window.url(), experiment.window.name, 'popup,width=560,height=480')] as const] : [],
      ),
    )
    try {
      for (const experiment of EXPERIMENTS) {
        set({ running: experiment.title })
        const row = await runOne(experiment, windows.get(experiment.id) ?? null)
        set((state) => ({ rows: [...state.rows, row] }))
      }
    } finally {
      for (const opened of windows.values()) opened?.close()
    }
    set({ running: null, finishedAt: new Date().toISOString() })
  },
}))
