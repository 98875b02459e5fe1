import type { DevtoolsMessage } from '@authlens/sdk/devtools-protocol'
import type { CookieRecord } from '../core/cookies.ts'
import type { ExchangeObservation } from '../core/observations.ts'
import { makeJwt } from '../core/testing/tokens.ts'
import type { ContentMessage } from '../protocol/messages.ts'
import { messageComposer, type MessageBody } from '../transport/compose.ts'

/** Test-only builders for panel tests: worker messages, exchanges and tokens as the real edges make them. */

export const PAGE = 'https://app.example.com/'
export const T0 = Date.UTC(2026, 0, 1, 12)

export const worker = messageComposer('worker', 'tw')
const content = messageComposer('content', 'tc')
export const page = (tabId: number, body: MessageBody<ContentMessage>) => worker({ type: 'page', tabId, message: content(body) })

export function accessToken(iat = T0, extra: Record<string, unknown> = {}): string {
  const s = Math.floor(iat / 1000)
  return makeJwt({ iss: 'https://auth.example.com', aud: 'authlens-api', sub: 'u_alice', name: 'Alice Liddell', iat: s, nbf: s, exp: s + 300, jti: `j${s}`, ...extra }, { alg: 'ES256', typ: 'at+jwt' })
}

export function loginExchange(token: string, at = T0, path = '/api/auth/login'): ExchangeObservation {
  return {
    kind: 'exchange',
    at,
    sentAt: at - 20,
    request: { method: 'POST', url: `https://app.example.com${path}`, headers: [{ name: 'Content-Type', value: 'application/json' }] },
    response: { status: 200, headers: [{ name: 'Date', value: new Date(at).toUTCString() }, { name: 'Content-Type', value: 'application/json' }], body: JSON.stringify({ accessToken: token }) },
  }
}

export const sessionCookie: CookieRecord = { name: '__Host-sid', value: 'secret-session-id-value-0123456789', domain: 'app.example.com', hostOnly: true, path: '/', secure: true, httpOnly: true, sameSite: 'lax', session: true }

export function sdkEvent(id: string, event: string, at = T0): DevtoolsMessage {
  return { source: 'authlens-sdk', version: 1, id, type: 'event', at, event, data: {} }
}
