/**
 * The backend's notion of now. Tests pass a fake `now`; the demo shifts the server clock with an
 * offset to show what clock skew does to clients.
 */
export interface Clock {
  /** Milliseconds since the epoch, offset applied. */
  now(): number
  nowSeconds(): number
  offsetMs: number
}

export function createClock(source: () => number = Date.now): Clock {
  return {
    offsetMs: 0,
    now() {
      return source() + this.offsetMs
    },
    nowSeconds() {
      return Math.floor(this.now() / 1000)
    },
  }
}
