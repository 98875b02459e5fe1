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
