import { BackendError } from './errors.ts'
import { safeEqual } from './random.ts'

export interface OriginEvidence {
  origin: string | null
  referer: string | null
  secFetchSite: string | null
}

/**
 * Fetch Metadata and Origin checks for unsafe requests (OWASP CSRF cheat sheet). Origins are
 * compared whole, so `https://app.example.com.attacker.com` never passes for
 * `https://app.example.com` (M34). `requireEvidence` is set where a cookie carries the
 * credential: a browser always sends `Origin` on such requests, so its absence is suspicious.
 */
export function assertTrustedOrigin(
  evidence: OriginEvidence,
  trusted: ReadonlySet<string>,
  { requireEvidence, partners }: { requireEvidence: boolean; partners?: ReadonlySet<string> },
): void {
  // A configured partner origin is cross-site by nature (an SPA on another site, CORS with
  // credentials): its exact Origin is the evidence, and Fetch Metadata would only refuse it.
  if (evidence.origin !== null && partners?.has(evidence.origin)) return
  if (evidence.secFetchSite === 'cross-site') throw csrfFailed('cross-site request refused (Sec-Fetch-Site)')
  if (evidence.origin !== null) {
    if (evidence.origin === 'null' || !trusted.has(evidence.origin)) throw csrfFailed('request origin is not trusted')
    return
  }
  if (evidence.referer !== null) {
    if (!trusted.has(originOf(evidence.referer))) throw csrfFailed('request referer is not trusted')
    return
  }
  if (requireEvidence) throw csrfFailed('request carries neither Origin nor Referer')
}

/**
 * Double submit: the header must repeat the CSRF cookie, and both must equal the token the server
 * bound to this session or refresh family, so a cookie planted by a sibling subdomain is useless.
 */
export function assertDoubleSubmit(header: string | null, cookie: string | undefined, bound: string): void {
  if (!header || !cookie) throw csrfFailed('missing CSRF token')
  if (!safeEqual(header, cookie) || !safeEqual(header, bound)) throw csrfFailed('CSRF token mismatch')
}

function originOf(url: string): string {
  try {
    return new URL(url).origin
  } catch {
    return 'null'
  }
}

function csrfFailed(description: string): BackendError {
  return new BackendError('csrf_failed', description)
}
