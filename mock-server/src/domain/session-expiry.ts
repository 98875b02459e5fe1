/** The fields of a session its expiry depends on. */
export interface SessionTimes {
  lastSeenAt: number
  absoluteExpiresAt: number
}

/** M13: past the absolute timeout, or unused for the idle timeout. Stores apply it atomically when they touch a session. */
export function sessionExpired(session: SessionTimes, now: number, idleTimeoutMs: number): boolean {
  return now >= session.absoluteExpiresAt || now - session.lastSeenAt >= idleTimeoutMs
}
