import { formatMeasurement } from './format.ts'
import type { LabRow } from './types.ts'

/** One row per claim: what was measured, the verdict, and why. */
export function ResultsTable({ rows }: { rows: LabRow[] }) {
  return (
    <table className="lab-table">
      <caption>Results, measured live in this browser</caption>
      <thead>
        <tr>
          <th scope="col">Claim</th>
          <th scope="col">Measured</th>
          <th scope="col">Verdict</th>
          <th scope="col">Why</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) =>
          row.kind === 'result' ? (
            <tr key={row.result.id} data-experiment={row.result.id}>
              <th scope="row">
                {row.result.claim}
                <span className="muted small lab-modes">{row.result.modes.join(' · ')}</span>
              </th>
              <td>
                <ul className="lab-measured">
                  {row.result.measured.map((measurement) => (
                    <li key={measurement.label}>
                      {measurement.label}: <strong>{formatMeasurement(measurement)}</strong>
                    </li>
                  ))}
                </ul>
              </td>
              <td>
                <span className={`verdict verdict-${row.result.verdict}`}>{row.result.verdict}</span>
              </td>
              <td className="small">{row.result.why}</td>
            </tr>
          ) : row.kind === 'unavailable' ? (
            <tr key={row.unavailable.id} data-experiment={row.unavailable.id}>
              <th scope="row">{row.unavailable.claim}</th>
              <td colSpan={2}>
                <span className="verdict verdict-unavailable">not available</span>
              </td>
              <td className="small">{row.unavailable.reason}</td>
            </tr>
          ) : (
            <tr key={row.failure.id} data-experiment={row.failure.id}>
              <th scope="row">{row.failure.claim}</th>
              <td colSpan={2}>
                <span className="verdict verdict-failed">failed</span>
              </td>
              <td className="small">{row.failure.error}</td>
            </tr>
          ),
        )}
      </tbody>
    </table>
  )
}
