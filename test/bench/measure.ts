/** Side-by-side measurement: candidates run in alternating rounds so machine noise hits all alike. */
export interface Candidate {
  name: string
  /** One operation; awaited when it returns a promise. */
  run: () => unknown
}

export interface Measurement {
  name: string
  opsPerSecond: number
}

export async function compare(candidates: Candidate[], { rounds = 7, roundMs = 120 } = {}): Promise<Measurement[]> {
  const samples = new Map<string, number[]>(candidates.map((candidate) => [candidate.name, []]))
  for (const candidate of candidates) await runFor(candidate, 50)
  for (let round = 0; round < rounds; round++) {
    for (const candidate of candidates) samples.get(candidate.name)!.push(await runFor(candidate, roundMs))
  }
  return candidates.map((candidate) => ({ name: candidate.name, opsPerSecond: median(samples.get(candidate.name)!) }))
}

export interface PairedRatio {
  /** Median over rounds of (time per operation of `candidate`) / (time per operation of `baseline`). */
  ratio: number
  /** The middle half of the per-round ratios: how much one round differs from the next. */
  low: number
  high: number
  baseline: Measurement
  candidate: Measurement
}

/**
 * What `candidate` costs relative to `baseline`, for figures near 1×: short rounds of the two run
 * back to back, order alternating, each pair of rounds giving one ratio; the figure is their
 * median, so a burst of load elsewhere on the machine spoils a pair, not the result.
 */
export async function pairedRatio(baseline: Candidate, candidate: Candidate, { rounds = 101, roundMs = 10 } = {}): Promise<PairedRatio> {
  await runFor(baseline, 50)
  await runFor(candidate, 50)
  const ratios: number[] = []
  const rates = { baseline: [] as number[], candidate: [] as number[] }
  for (let round = 0; round < rounds; round++) {
    const first = round % 2 === 0 ? 'baseline' : 'candidate'
    const a = await runFor(first === 'baseline' ? baseline : candidate, roundMs)
    const b = await runFor(first === 'baseline' ? candidate : baseline, roundMs)
    const [base, cand] = first === 'baseline' ? [a, b] : [b, a]
    rates.baseline.push(base)
    rates.candidate.push(cand)
    ratios.push(base / cand)
  }
  const sorted = [...ratios].sort((x, y) => x - y)
  return {
    ratio: median(ratios),
    low: sorted[Math.floor(sorted.length / 4)]!,
    high: sorted[Math.ceil((sorted.length * 3) / 4) - 1]!,
    baseline: { name: baseline.name, opsPerSecond: median(rates.baseline) },
    candidate: { name: candidate.name, opsPerSecond: median(rates.candidate) },
  }
}

async function runFor(candidate: Candidate, ms: number): Promise<number> {
  let operations = 0
  const start = performance.now()
  let elapsed = 0
  while (elapsed < ms) {
    for (let i = 0; i < 16; i++) {
      const result = candidate.run()
      if (result instanceof Promise) await result
    }
    operations += 16
    elapsed = performance.now() - start
  }
  return (operations / elapsed) * 1000
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

export function table(headers: string[], rows: Array<Array<string | number>>): string {
  const cells = [headers, ...rows.map((row) => row.map(String))]
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => row[column]!.length)))
  const line = (row: string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column]!)).join(' | ')} |`
  return [line(cells[0]!), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n')
}

export function formatRate(opsPerSecond: number): string {
  return Math.round(opsPerSecond).toLocaleString('en-US')
}

export interface Budget {
  description: string
  ok: boolean
}

/** One bench section: its printed report and the budgets it checks. */
export interface SuiteResult {
  report: string
  budgets: Budget[]
}
