/**
 * Concurrent callers share one run of `task`: a thousand requests meeting an expired token cause
 * one refresh (S1, S2). The next call after it settles starts a new run.
 */
export function singleFlight<T>(task: () => Promise<T>) {
  let running: Promise<T> | undefined
  const run = () =>
    (running ??= task().finally(() => {
      running = undefined
    }))
  return Object.assign(run, { isRunning: () => running !== undefined })
}
