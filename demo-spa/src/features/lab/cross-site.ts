import { stats, type LabStats } from './kit.ts'

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

export type FormEnctype = 'application/x-www-form-urlencoded' | 'text/plain'

/** What the server saw of one cross-site form post: the page itself can never read the answer. */
export interface CrossSitePost {
  enctype: FormEnctype
  /** The attacker page ran and submitted its form (it said so by postMessage). */
  submitted: boolean
  /** `POST /api/notes` requests the server counted meanwhile (1 if the post got there). */
  arrived: number
  /** 401s meanwhile: the post came without any credential. */
  unauthorized: number
  /** Origin/double-submit refusals meanwhile: the cookie came along and the CSRF checks stopped it. */
  csrfRejections: number
}

const ROUTE = 'POST /api/notes'
const WAIT_MS = 8_000

const requestsOf = (snapshot: LabStats): number => snapshot.requests[ROUTE] ?? 0

/**
 * Loads public/lab/attacker.html from the other site in a hidden iframe; that page submits a real
 * HTML form to this origin's `/api/notes`, so the browser applies its own cross-site rules (SameSite,
 * Origin, Sec-Fetch-Site) and no script can add a header. Waits until the server has counted the post.
 */
export async function crossSiteFormPost(enctype: FormEnctype): Promise<CrossSitePost> {
  const before = await stats()
  const attacker = new URL('/lab/attacker.html', otherOrigin())
  attacker.search = new URLSearchParams({ action: `${location.origin}/api/notes`, enctype, parent: location.origin }).toString()
  let submitted = false
  let answered = false
  const onMessage = (event: MessageEvent) => {
    const data = event.data as { source?: unknown; event?: unknown } | null
    if (event.origin !== attacker.origin || data?.source !== 'authlens-attacker') return
    if (data.event === 'submitted') submitted = true
    if (data.event === 'answered') answered = true
  }
  window.addEventListener('message', onMessage)
  const frame = document.createElement('iframe')
  frame.hidden = true
  frame.title = 'lab attacker page'
  frame.src = attacker.href
  document.body.append(frame)
  try {
    let after = before
    // The answer is opaque, so the server's counters decide when the post is done; the frame's
    // "answered" message only shortens the wait.
    for (const start = Date.now(); Date.now() - start < WAIT_MS; ) {
      await new Promise((resolve) => setTimeout(resolve, answered ? 0 : 100))
      after = await stats()
      if (requestsOf(after) > requestsOf(before)) break
    }
    return {
      enctype,
      submitted,
      arrived: requestsOf(after) - requestsOf(before),
      unauthorized: after.unauthorized - before.unauthorized,
      csrfRejections: after.csrfRejections - before.csrfRejections,
    }
  } finally {
    window.removeEventListener('message', onMessage)
    frame.remove()
  }
}
