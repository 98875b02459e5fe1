import { failure, labClient, me, stats, withClient, type LabStats } from './kit.ts'

/**
 * The same server under its other loopback name: http://127.0.0.1:PORT and http://localhost:PORT
 * are different origins and different sites to the browser (different hosts), so a call between
 * them is a real cross-site request with CORS and cookie rules applied, without a second server.
 * The dev server trusts exactly these aliases (vite.config.ts, `trustLoopbackAliases`).
 */
export function otherOrigin(): string {
  const { hostname, port, protocol } = location
  const other = hostname === '127.0.0.1' ? 'localhost' : hostname === 'localhost' ? '127.0.0.1' : undefined
  if (!other) throw new Error(`no second origin for ${hostname}: the experiment needs the dev server on 127.0.0.1 or localhost`)
  return `${protocol}//${other}:${port}`
}

/** A cross-origin call; a CORS refusal is a TypeError in fetch, reported as status 0. */
export async function crossOriginCall(url: string, init: RequestInit): Promise<{ status: number; text: string }> {
  try {
    const response = await fetch(url, init)
    return { status: response.status, text: await failure(response) }
  } catch (error) {
    return { status: 0, text: `blocked (${error instanceof Error ? error.message : String(error)})` }
  }
}

/** A session signed in on this origin, called at home and on the other origin with credentials included. */
export const sessionCookieAcross = () =>
  withClient(labClient('session'), async () => ({
    home: (await me('cookies')).status,
    away: await crossOriginCall(`${otherOrigin()}/api/me`, { credentials: 'include' }),
  }))

export type FormEnctype = 'application/x-www-form-urlencoded' | 'text/plain'

/** What the server saw of one cross-site form post: the page itself can never read the answer. */
export interface CrossSitePost {
  enctype: FormEnctype
  /** The attacker page ran and submitted its form (it said so by postMessage). */
  submitted: boolean
  /** The status the server answered the post with, from its counters; undefined if none came. */
  status: number | undefined
}

const ROUTE = 'POST /api/notes'
const WAIT_MS = 8_000

/** The status of the one answer on the route between two snapshots. */
function answeredWith(before: LabStats, after: LabStats): number | undefined {
  const answered = Object.keys(after.responses).find((key) => key.startsWith(`${ROUTE} `) && after.responses[key]! > (before.responses[key] ?? 0))
  return answered === undefined ? undefined : Number(answered.slice(ROUTE.length + 1))
}

/**
 * Loads public/lab/attacker.html from the other site in a hidden iframe; that page submits a real
 * HTML form to this origin's `/api/notes`, so the browser applies its own cross-site rules (SameSite,
 * Origin, Sec-Fetch-Site) and no script can add a header. Waits until the server has answered the post.
 */
export async function crossSiteFormPost(enctype: FormEnctype): Promise<CrossSitePost> {
  const before = await stats()
  const attacker = new URL('/lab/attacker.html', otherOrigin())
  attacker.search = new URLSearchParams({ action: `${location.origin}/api/notes`, enctype, parent: location.origin }).toString()
  let submitted = false
  const onMessage = (event: MessageEvent) => {
    const data = event.data as { source?: unknown; event?: unknown } | null
    if (event.origin === attacker.origin && data?.source === 'authlens-attacker' && data.event === 'submitted') submitted = true
  }
  window.addEventListener('message', onMessage)
  const frame = document.createElement('iframe')
  frame.hidden = true
  frame.title = 'lab attacker page'
  frame.src = attacker.href
  document.body.append(frame)
  try {
    // The answer is opaque to this page, so the server's counters say when and how it was answered.
    for (const start = Date.now(); Date.now() - start < WAIT_MS; ) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      const status = answeredWith(before, await stats())
      if (status !== undefined) return { enctype, submitted, status }
    }
    return { enctype, submitted, status: undefined }
  } finally {
    window.removeEventListener('message', onMessage)
    frame.remove()
  }
}
