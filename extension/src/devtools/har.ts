import type { ExchangeObservation, HeaderEntry } from '../core/observations.ts'

/**
 * `chrome.devtools.network` entries (HAR 1.2, as DevTools builds them) → the core's exchange
 * observation. DevTools' HAR includes what page scripts never see: `Set-Cookie`, the raw
 * `Authorization` header, the server's `Date`. Bodies are fetched only for responses that can
 * carry tokens (JSON and form bodies of modest size), so a page downloading video costs nothing.
 */

export interface HarEntryLike {
  startedDateTime: string
  time: number
  request: { method: string; url: string; headers: readonly HeaderEntry[]; postData?: { mimeType?: string; text?: string; params?: ReadonlyArray<{ name: string; value?: string }> } | undefined }
  response: { status: number; headers: readonly HeaderEntry[]; content: { size: number; mimeType?: string | undefined } }
}

const MAX_HEADERS = 100
const MAX_HEADER_CHARS = 16 * 1024
export const MAX_EXCHANGE_BODY_CHARS = 256 * 1024
const TOKEN_BODY_TYPES = /json|x-www-form-urlencoded|text\/plain/i

export function wantsResponseBody(entry: HarEntryLike): boolean {
  const { status, content } = entry.response
  return (
    /^https?:/i.test(entry.request.url) &&
    status >= 200 &&
    status < 300 &&
    status !== 204 &&
    content.size > 0 &&
    content.size <= MAX_EXCHANGE_BODY_CHARS &&
    TOKEN_BODY_TYPES.test(content.mimeType ?? '')
  )
}

/** `getContent` hands back text or base64; either way the core wants text. */
export function decodeContent(content: string | null | undefined, encoding: string | null | undefined): string | undefined {
  if (!content) return undefined
  if (encoding !== 'base64') return content.slice(0, MAX_EXCHANGE_BODY_CHARS)
  try {
    const binary = atob(content)
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0))
    return new TextDecoder().decode(bytes).slice(0, MAX_EXCHANGE_BODY_CHARS)
  } catch {
    return undefined
  }
}

const headers = (list: readonly HeaderEntry[]): HeaderEntry[] =>
  list.slice(0, MAX_HEADERS).map((h) => ({ name: String(h.name).slice(0, 256), value: String(h.value).slice(0, MAX_HEADER_CHARS) }))

/** HAR 1.2 gives a form body as `text`, `params` or both: OAuth token, revocation and form_post requests are forms. */
function postBody(postData: HarEntryLike['request']['postData']): string | undefined {
  if (postData?.text) return postData.text
  if (!postData?.params?.length) return undefined
  return new URLSearchParams(postData.params.map((p) => [p.name, p.value ?? ''])).toString()
}

/** null for what is not a page request worth reading (data:, blob:, chrome-extension: …). */
export function toExchange(entry: HarEntryLike, responseBody?: string): ExchangeObservation | null {
  if (!/^https?:/i.test(entry.request.url)) return null
  const started = Date.parse(entry.startedDateTime)
  const sentAt = Number.isFinite(started) ? started : Date.now()
  const took = Number.isFinite(entry.time) && entry.time > 0 ? entry.time : 0
  const requestBody = postBody(entry.request.postData)
  return {
    kind: 'exchange',
    at: Math.round(sentAt + took),
    sentAt,
    request: {
      method: entry.request.method,
      url: entry.request.url,
      headers: headers(entry.request.headers),
      ...(requestBody ? { body: requestBody.slice(0, MAX_EXCHANGE_BODY_CHARS) } : {}),
    },
    response: {
      status: entry.response.status,
      headers: headers(entry.response.headers),
      ...(responseBody ? { body: responseBody } : {}),
    },
  }
}
