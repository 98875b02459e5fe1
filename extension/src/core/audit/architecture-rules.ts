import { detectArchitecture, type Architecture } from '../architecture.ts'
import { describeToken } from './token-facts.ts'
import { finding, type Evidence, type Finding, type RuleContext } from './types.ts'

/**
 * The page's architecture as architecture.ts reads it, said in the audit:
 *   F1 a backend-for-frontend: nothing to fix in the tokens (there are none on the page), so the
 *      finding says what was seen and what still matters: the session cookie and CSRF on the proxy
 *   F2 the pattern broken: the code was redeemed server-side, yet a token reached the page (a
 *      token-mediating backend, BCP §6.2), or the session cookie is readable by scripts
 */
export function architectureRules(ctx: RuleContext): Finding[] {
  const architecture = detectArchitecture(ctx)
  if (architecture.kind === 'token-mediating-backend') return tokenMediating(ctx, architecture)
  if (architecture.kind !== 'backend-for-frontend') return []
  const cookie = architecture.sessionCookie
  if (!cookie) return []
  const evidence: Evidence = { text: `session cookie "${cookie.name}"`, cookie: { name: cookie.name, domain: cookie.domain, path: cookie.path } }
  const seen = architecture.seen.map((s) => s.text).join('; ')
  const readable = architecture.breaks.find((b) => b.id === 'readable-session-cookie')
  if (readable) {
    return [finding('F2', `cookie:${cookie.name}`, {
      title: 'Session cookie readable by scripts: not a BFF',
      detail: `Seen: ${seen}. But ${readable.text}. A backend-for-frontend keeps tokens away from page scripts so that an XSS has nothing to carry off; a session cookie they can read undoes that: it is the credential now. Set HttpOnly on it.`,
      evidence,
    })]
  }
  const csrf = architecture.csrfHeader
    ? `the API calls carry "${architecture.csrfHeader}", a header a cross-site form cannot send: the proxy must refuse calls without it`
    : `no CSRF header was seen on the API calls, so the proxy relies on the cookie's SameSite (${cookie.sameSite === 'no_restriction' ? 'None' : cookie.sameSite}) alone: require a custom header such as "X-CSRF: 1" too`
  return [finding('F1', `cookie:${cookie.name}`, {
    detail: `Recognised with ${architecture.confidence} confidence. Seen: ${seen}. The tokens stay in the backend, out of reach of any script on the page. What still matters: the session cookie is now the whole credential, so C1–C6 keep applying to "${cookie.name}" (HttpOnly, Secure, SameSite, the __Host- prefix, its lifetime); CSRF on the proxy: ${csrf}; sign-out must end the BFF session and revoke the refresh token at the provider.`,
    evidence,
  })]
}

function tokenMediating(ctx: RuleContext, architecture: Architecture): Finding[] {
  const byId = new Map(ctx.tokens.map((t) => [t.id, t]))
  const seen = architecture.seen.map((s) => s.text).join('; ')
  return architecture.breaks.flatMap((broken) => {
    const token = broken.tokenId === undefined ? undefined : byId.get(broken.tokenId)
    if (!token) return []
    return [finding('F2', token.id, {
      detail: `Seen: ${seen}. But a token reached the page: ${broken.text}. Any script on the page can take a token it can read and use it elsewhere until it expires. That is a token-mediating backend (BCP §6.2), not a backend-for-frontend (§6.1), whose point is that tokens never reach the browser: keep them in the backend and send the API calls through its proxy.`,
      evidence: { text: describeToken(token), tokenId: token.id },
    })]
  })
}
