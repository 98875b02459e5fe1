/**
 * The server's idea of now, learned from responses. Client clocks are often minutes off; every
 * expiry decision uses server time, so a wrong local clock can neither keep a dead token nor
 * throw away a live one (okta-auth-js #880, #1315).
 */
export function createServerClock(now: () => number = Date.now) {
  let offset = 0
  return {
    now: () => now() + offset,
    get offset() {
      return offset
    },
    /** `iat` of a token issued just now (seconds), else the `Date` header of a response; anything not a finite number is ignored. */
    learn(serverSeconds: number | undefined) {
      if (Number.isFinite(serverSeconds)) {
        const measured = serverSeconds! * 1000 - now()
        // Both sources have one-second resolution: ignore differences a second can explain.
        if (Math.abs(measured - offset) > 1500) offset = measured
      }
    },
    /** A missing or unreadable `Date` parses as NaN, which `learn` ignores. */
    learnFromResponse(response: Response) {
      this.learn(Date.parse(response.headers.get('date') ?? '') / 1000)
    },
  }
}

export type ServerClock = ReturnType<typeof createServerClock>
