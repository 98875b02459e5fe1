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
 * A timing's bar is its median, and a whisker across the bar's end spans its 95 % interval: bars
 * whose whiskers overlap are not told apart by the verdicts either.
 */
export function BarChart({ results }: { results: ExperimentResult[] }) {
  const groups = results.map((result) => ({ result, bars: result.measured.filter((m) => m.chart && Number.isFinite(m.value)) })).filter((group) => group.bars.length > 0)
  let y = 0
  const drawn = groups.map(({ result, bars }) => {
    const top = y
    const max = Math.max(...bars.map((bar) => Math.max(bar.value, bar.interval?.high ?? 0)), 1e-9)
    const x = (value: number) => LABEL + Math.max(1, ((WIDTH - LABEL - 150) * value) / max)
    y += GROUP_GAP + bars.length * (BAR + GAP)
    return (
      <g key={result.id} transform={`translate(0 ${top})`}>
        <text x={0} y={16} className="chart-title">
          {result.claim.split(':')[0]?.slice(0, 90)}
        </text>
        {bars.map((bar, index) => {
          const barY = GROUP_GAP + index * (BAR + GAP) - 4
          const end = x(bar.value)
          const middle = barY + BAR / 2
          return (
            <g key={bar.label}>
              <text x={0} y={barY + BAR - 5} className="chart-label">
                {bar.label.length > 44 ? `${bar.label.slice(0, 43)}…` : bar.label}
              </text>
              <rect x={LABEL} y={barY} width={end - LABEL} height={BAR} className={`chart-bar bar-${index % 4}`}>
                <title>{`${bar.label}: ${formatMeasurement(bar)}`}</title>
              </rect>
              {bar.interval && (
                <path
                  className="chart-interval"
                  d={`M${x(bar.interval.low)} ${middle} H${x(bar.interval.high)} M${x(bar.interval.low)} ${middle - 5} V${middle + 5} M${x(bar.interval.high)} ${middle - 5} V${middle + 5}`}
                />
              )}
              <text x={Math.max(end, bar.interval ? x(bar.interval.high) : 0) + 6} y={barY + BAR - 5} className="chart-value">
                {`${bar.value.toLocaleString('en-US')} ${bar.unit}`}
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
      <figcaption className="muted small">
        Each group is scaled to its own largest value; a whisker spans a timing’s 95% confidence interval; hover a bar for its exact number.
      </figcaption>
    </figure>
  )
}
