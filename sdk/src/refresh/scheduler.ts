/** setTimeout stores its delay in 32 bits; longer delays fire at once. */
const MAX_DELAY = 2 ** 31 - 1
const WAKE_EVENTS = ['visibilitychange', 'online', 'focus', 'pageshow'] as const

/**
 * Proactive refresh: a timer before expiry, plus a check whenever the page may have been asleep
 * or offline. Timers do not run during sleep, so a timer alone would fire late (supabase #6464).
 */
export function createScheduler(check: () => void) {
  let timer: ReturnType<typeof setTimeout> | undefined
  const onWake = () => {
    if (globalThis.document?.visibilityState !== 'hidden') check()
  }
  const target = globalThis.window
  for (const event of WAKE_EVENTS) target?.addEventListener(event, onWake)

  return {
    /** Calls `check` after `delayMs` (replacing any earlier schedule). */
    schedule(delayMs: number) {
      clearTimeout(timer)
      timer = setTimeout(check, Math.min(Math.max(delayMs, 0), MAX_DELAY))
    },
    cancel: () => clearTimeout(timer),
    destroy() {
      clearTimeout(timer)
      for (const event of WAKE_EVENTS) target?.removeEventListener(event, onWake)
    },
  }
}

export type Scheduler = ReturnType<typeof createScheduler>
