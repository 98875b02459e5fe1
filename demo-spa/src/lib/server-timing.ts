/** One metric of a `Server-Timing` header: what the server says it spent on a step of the request. */
export interface ServerTimingMetric {
  name: string
  /** Milliseconds; 0 when the metric gives none. */
  duration: number
  description: string
}

/** RFC 9110 §5.6.2: what a metric name, a parameter name and an unquoted value are made of. */
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+"
const VALUE = `(?:"(?:[^"\\\\]|\\\\.)*"|${TOKEN})`
/** A metric: its name and its `;param=value` pairs, where a quoted value may hold `,` and `;`. */
const METRIC = new RegExp(`\\s*(${TOKEN})((?:\\s*;\\s*${TOKEN}\\s*(?:=\\s*${VALUE})?)*)\\s*(?:,|$)`, 'y')
const PARAM = new RegExp(`;\\s*(${TOKEN})\\s*(?:=\\s*(${VALUE}))?`, 'g')

/**
 * Reads a `Server-Timing` header (W3C Server Timing): a metric's first `dur` and `desc` count,
 * other parameters are ignored, and reading stops at the first metric that is not well formed
 * rather than guessing past it.
 */
export function parseServerTiming(header: string | null): ServerTimingMetric[] {
  if (!header) return []
  const metrics: ServerTimingMetric[] = []
  METRIC.lastIndex = 0
  for (let match = METRIC.exec(header); match && match[0] !== ''; match = METRIC.exec(header)) {
    let duration: number | undefined
    let description: string | undefined
    for (const [, name = '', raw = ''] of (match[2] ?? '').matchAll(PARAM)) {
      const value = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw
      if (name.toLowerCase() === 'dur') duration ??= Number.isFinite(Number.parseFloat(value)) ? Number.parseFloat(value) : 0
      if (name.toLowerCase() === 'desc') description ??= value
    }
    metrics.push({ name: match[1] ?? '', duration: duration ?? 0, description: description ?? '' })
  }
  return metrics
}

/** `verify 126 µs (ES256)`: microseconds below a millisecond, where the interesting steps are. */
export function describeMetric({ name, duration, description }: ServerTimingMetric): string {
  const amount = duration < 1 ? `${Math.round(duration * 1000).toLocaleString('en-US')} µs` : `${duration.toFixed(1)} ms`
  return `${name} ${amount}${description ? ` (${description})` : ''}`
}
