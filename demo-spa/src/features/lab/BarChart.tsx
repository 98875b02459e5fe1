import { formatMeasurement } from './format.ts'
import type { ExperimentResult } from './types.ts'

const WIDTH = 720
const LABEL = 300
const BAR = 18
const GAP = 6
const GROUP_GAP = 26

/**
 * The numeric results as horizontal bars, one group per experiment. Each group has its own scale:
 * bytes and milliseconds cannot share an axis, and the comparison that matters is within a claim.
 */
export function BarChart({ results }: { results: ExperimentResult[] }) {
  const groups = results.map((result) => ({ result, bars: result.measured.filter((m) => m.chart && Number.isFinite(m.value)) })).filter((group) => group.bars.length > 0)
  let y = 0
  const drawn = groups.map(({ result, bars }) => {
    const top = y
    const max = Math.max(...bars.map((bar) => bar.value), 1e-9)
    y += GROUP_GAP + bars.length * (BAR + GAP)
    return (
      <g key={result.id} transform={`translate(0 ${top})`}>
        <text x={0} y={16} className="chart-title">
          {result.claim.split(':')[0]?.slice(0, 90)}
        </text>
        {bars.map((bar, index) => {
          const barY = GROUP_GAP + index * (BAR + GAP) - 4
          const length = Math.max(1, ((WIDTH - LABEL - 150) * bar.value) / max)
          return (
            <g key={bar.label}>
              <text x={0} y={barY + BAR - 5} className="chart-label">
                {bar.label.length > 44 ? `${bar.label.slice(0, 43)}…` : bar.label}
              </text>
              <rect x={LABEL} y={barY} width={length} height={BAR} className={`chart-bar bar-${index % 4}`}>
                <title>{`${bar.label}: ${formatMeasurement(bar)}`}</title>
              </rect>
              <text x={LABEL + length + 6} y={barY + BAR - 5} className="chart-value">
                {formatMeasurement(bar)}
              </text>
            </g>
          )
        })}
      </g>
    )
  })
  if (groups.length === 0) return null
  return (
    <figure className="lab-chart">
      <svg viewBox={`0 0 ${WIDTH} ${y}`} width="100%" role="img" aria-label="Chart of the measured numbers, one group per claim">
        {drawn}
      </svg>
      <figcaption className="muted small">Each group is scaled to its own largest value; hover a bar for its exact number.</figcaption>
    </figure>
  )
}
