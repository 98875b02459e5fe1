/** One number the lab measured, with its unit, so the table and the chart can show it as is. */
export interface Measurement {
  label: string
  value: number
  unit: string
  /** Plotted in the chart; `false` for counts that would dwarf or vanish next to the rest. */
  chart?: boolean
  /** For a timing: `value` is a median, and this its 95 % confidence interval. */
  interval?: { low: number; high: number }
  /** How many samples `value` comes from. */
  samples?: number
}

export type Verdict = 'agrees' | 'depends' | 'disagrees'

/** What an experiment returns: the claim as the comparison tables state it, and what happened. */
export interface ExperimentResult {
  id: string
  claim: string
  modes: string[]
  measured: Measurement[]
  verdict: Verdict
  why: string
}

export interface Experiment {
  id: string
  title: string
  claim: string
  /**
   * Set when the experiment needs the real HTTP server (its heap, a second site on the same
   * server): why it cannot run in the static worker build. The runner then shows an
   * "unavailable" row with this reason instead of running it into a failure.
   */
  needsHttpServer?: string
  /**
   * A window on another origin the experiment works in, opened by the runner at the Run click,
   * before anything is awaited: browsers open a popup only in answer to a click, and by this
   * experiment's turn that moment is long gone. `url` is what it shows while it waits.
   */
  window?: { name: string; url(): string }
  /** Runs live against the backend and cleans up after itself (sign-out, settings and clock put back). */
  run(window: Window | null): Promise<ExperimentResult>
}

/** An experiment that threw: shown as a row, so one failure does not hide the others. */
export interface ExperimentFailure {
  id: string
  claim: string
  error: string
}

/** An experiment that was not run because this build cannot host it; no verdict either way. */
export interface ExperimentUnavailable {
  id: string
  claim: string
  reason: string
}

export type LabRow =
  | { kind: 'result'; result: ExperimentResult }
  | { kind: 'failure'; failure: ExperimentFailure }
  | { kind: 'unavailable'; unavailable: ExperimentUnavailable }
