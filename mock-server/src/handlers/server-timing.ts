import type { TimedStep, Timings } from '../domain/timings.ts'

/** What each step was, for a person reading the header in DevTools or the demo's event log. */
export type StepDescriptions = Record<TimedStep, string>

/**
 * One request's `Server-Timing` header (W3C Server Timing), e.g. `verify;dur=0.1262;desc="ES256"`:
 * each step once, its durations added up, in the order it first ran. Durations keep 0.1 µs, as an
 * in-memory lookup takes about a microsecond and would otherwise read as 0.
 */
export class ServerTiming implements Timings {
  private readonly spent = new Map<TimedStep, number>()

  constructor(private readonly descriptions: StepDescriptions) {}

  add(step: TimedStep, ms: number): void {
    this.spent.set(step, (this.spent.get(step) ?? 0) + ms)
  }

  header(): string | undefined {
    if (this.spent.size === 0) return undefined
    return [...this.spent].map(([step, ms]) => `${step};dur=${ms.toFixed(4)};desc="${this.descriptions[step]}"`).join(', ')
  }
}
