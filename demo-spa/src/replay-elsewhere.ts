/**
 * The thief's machine, played by the dev server: given an access token a script copied out of the
 * page, it presents it to the API from Node, outside the browser and without the page's key. Only
 * `npm start` has it (demo-spa/server/replay-route.ts); the worker build has no server process.
 */
export const REPLAY_ROUTE = '/__demo/replay'

export interface ReplayAttempt {
  /** As a bearer token, or as `DPoP` with a proof signed by a key the thief made. */
  scheme: 'Bearer' | 'DPoP'
  status: number
  /** The server's `error` and `reason` when it refused. */
  error?: string
  reason?: string
}

export interface ReplayAnswer {
  /** The API path replayed to, with GET. */
  path: string
  /** The RFC 7638 thumbprint of the thief's key: not the `cnf.jkt` of a token bound to the page's key. */
  thiefJkt: string
  attempts: ReplayAttempt[]
}

const isAttempt = (value: unknown): value is ReplayAttempt =>
  typeof value === 'object' && value !== null && ((value as ReplayAttempt).scheme === 'Bearer' || (value as ReplayAttempt).scheme === 'DPoP') && typeof (value as ReplayAttempt).status === 'number'

/** Asks the dev server to replay `token` at `path`; `send` is the page's fetch (the demo passes its logging one). */
export async function replayElsewhere(token: string, path: string, send: typeof fetch = fetch): Promise<ReplayAnswer> {
  const response = await send(REPLAY_ROUTE, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token, path }) })
  const body = (await response.json().catch(() => null)) as Partial<ReplayAnswer> & { error?: unknown } | null
  if (!response.ok || !body || !Array.isArray(body.attempts) || !body.attempts.every(isAttempt) || typeof body.thiefJkt !== 'string') {
    throw new Error(`${REPLAY_ROUTE} answered ${response.status}${typeof body?.error === 'string' ? ` ${body.error}` : ''}`)
  }
  return { path: String(body.path), thiefJkt: body.thiefJkt, attempts: body.attempts }
}

