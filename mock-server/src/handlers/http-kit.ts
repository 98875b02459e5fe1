import { HttpResponse } from 'msw'
import { BackendError } from '../domain/errors.ts'
import type { ServerTiming } from './server-timing.ts'

/** Sent on every response: credentials and user data must never be cached (RFC 6749 §5.1, M26, M33). */
const baseHeaders = {
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
  'X-Content-Type-Options': 'nosniff',
}

export interface CookieAttributes {
  httpOnly?: boolean
  secure: boolean
  sameSite: 'Strict' | 'Lax' | 'None'
  path: string
  /** Seconds; 0 deletes the cookie. Omitted: a browser-session cookie. */
  maxAge?: number
}

export type CookieJar = 'http' | 'document'

export function serializeCookie(name: string, value: string, attributes: CookieAttributes, jar: CookieJar): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${attributes.path}`, `SameSite=${attributes.sameSite}`]
  if (attributes.maxAge !== undefined) parts.push(`Max-Age=${attributes.maxAge}`)
  if (attributes.secure) parts.push('Secure')
  // `document.cookie` drops a cookie that asks for HttpOnly, so the worker build must omit it.
  if (attributes.httpOnly && jar === 'http') parts.push('HttpOnly')
  return parts.join('; ')
}

export class ResponseBuilder {
  readonly headers = new Headers(baseHeaders)

  /** `now` is the backend's clock, skew included: clients learn server time from `Date`. */
  constructor(
    private readonly jar: CookieJar,
    now: number,
    private readonly timing: ServerTiming,
  ) {
    this.headers.set('Date', new Date(now).toUTCString())
  }

  setCookie(name: string, value: string, attributes: CookieAttributes): this {
    this.headers.append('Set-Cookie', serializeCookie(name, value, attributes, this.jar))
    return this
  }

  clearCookie(name: string, attributes: CookieAttributes): this {
    return this.setCookie(name, '', { ...attributes, maxAge: 0 })
  }

  json(status: number, body: unknown): Response {
    this.headers.set('Content-Type', 'application/json')
    return this.build(JSON.stringify(body), status)
  }

  /** A page the provider shows itself; `headers` carry its Content-Security-Policy. */
  html(status: number, body: string, headers: Record<string, string>): Response {
    for (const [name, value] of Object.entries(headers)) this.headers.set(name, value)
    this.headers.set('Content-Type', 'text/html; charset=utf-8')
    return this.build(body, status)
  }

  redirect(status: 302 | 303, location: string): Response {
    this.headers.set('Location', location)
    return this.build(null, status)
  }

  /** An answer relayed from elsewhere (the BFF's API): its body as it is, with the headers picked to pass. */
  relay(status: number, body: ArrayBuffer, headers: Headers): Response {
    for (const [name, value] of headers) this.headers.set(name, value)
    return this.build(body.byteLength === 0 ? null : body, status)
  }

  empty(status = 204): Response {
    return this.build(null, status)
  }

  error(error: BackendError): Response {
    for (const [name, value] of Object.entries(error.headers)) this.headers.set(name, value)
    return this.json(error.status, {
      error: error.code,
      error_description: error.description,
      ...(error.reason ? { reason: error.reason } : {}),
    })
  }

  /**
   * In Node, a native Response keeps MSW's shared cookie store out of the way, so each request
   * carries only the cookies its client sent. In the browser worker, `HttpResponse` is what makes
   * MSW copy `Set-Cookie` into `document.cookie`.
   */
  private build(body: string | ArrayBuffer | null, status: number): Response {
    const timing = this.timing.header()
    if (timing) this.headers.set('Server-Timing', timing)
    return this.jar === 'document' ? new HttpResponse(body, { status, headers: this.headers }) : new Response(body, { status, headers: this.headers })
  }
}

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i
const FORM_TYPE = /^application\/x-www-form-urlencoded\s*(?:;|$)/i

/**
 * Reads a JSON object body. Only `application/json` is accepted, which keeps simple (CORS-less)
 * cross-site form posts out (M35). An empty body reads as `{}` when `allowEmpty` is set.
 */
export async function readJsonObject(
  request: Request,
  maxBytes: number,
  { allowEmpty = false } = {},
): Promise<Record<string, unknown>> {
  const contentType = request.headers.get('content-type')
  if (!contentType && allowEmpty) {
    const text = await readText(request, maxBytes)
    if (text === '') return {}
    throw new BackendError('unsupported_media_type', 'send the body as application/json')
  }
  if (!contentType || !JSON_TYPE.test(contentType)) {
    throw new BackendError('unsupported_media_type', 'send the body as application/json')
  }
  const text = await readText(request, maxBytes)
  return text === '' && allowEmpty ? {} : parseJsonObject(text)
}

function parseJsonObject(text: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new BackendError('invalid_request', 'body is not valid JSON')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BackendError('invalid_request', 'body must be a JSON object')
  }
  return value as Record<string, unknown>
}

/**
 * A JSON object, or, with `forms`, whatever an HTML form on any site can post without a CORS
 * preflight: urlencoded fields, or a `text/plain` body read as JSON, as APIs that ignore the
 * content type do (a form can shape its text/plain body into JSON). Only the lab's weakened notes
 * API (see faults.ts, `formBodies`) passes `forms`.
 */
export async function readFields(request: Request, maxBytes: number, { forms = false } = {}): Promise<Record<string, unknown>> {
  const contentType = request.headers.get('content-type') ?? ''
  if (!forms || JSON_TYPE.test(contentType)) return readJsonObject(request, maxBytes)
  if (FORM_TYPE.test(contentType)) return Object.fromEntries(new URLSearchParams(await readText(request, maxBytes)))
  if (/^text\/plain\s*(?:;|$)/i.test(contentType)) {
    return parseJsonObject(await readText(request, maxBytes))
  }
  throw new BackendError('unsupported_media_type', 'send the body as application/json or an HTML form')
}

/** Reads an `application/x-www-form-urlencoded` body, as RFC 6749 requires of the token endpoint. */
export async function readForm(request: Request, maxBytes: number): Promise<URLSearchParams> {
  const contentType = request.headers.get('content-type')
  if (!contentType || !FORM_TYPE.test(contentType)) {
    throw new BackendError('unsupported_media_type', 'send the body as application/x-www-form-urlencoded')
  }
  return new URLSearchParams(await readText(request, maxBytes))
}

/** Reads at most `maxBytes`, stopping early on an oversized stream rather than buffering it (M18). */
export async function readText(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? '0')
  if (declared > maxBytes) throw tooLarge(maxBytes)
  if (!request.body) return ''
  const reader = request.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      // Not awaited: some stream sources (the fetch interceptor) settle a cancel only once drained.
      reader.cancel().catch(() => undefined)
      throw tooLarge(maxBytes)
    }
    chunks.push(value)
  }
  const bytes = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.byteLength
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new BackendError('invalid_request', 'body is not valid UTF-8')
  }
}

/**
 * The rest of an oversized body is never read, so the connection cannot carry another request:
 * close it (RFC 9110 §15.5.14) rather than let the client reuse a socket in an unknown state.
 */
function tooLarge(maxBytes: number): BackendError {
  return new BackendError('payload_too_large', `body is larger than ${maxBytes} bytes`, { headers: { Connection: 'close' } })
}

/** A required string field of a JSON body or form, bounded in length. */
export function requireString(source: Record<string, unknown> | URLSearchParams, name: string, maxLength = 1024): string {
  const value = source instanceof URLSearchParams ? source.get(name) : source[name]
  if (typeof value !== 'string' || value === '') throw new BackendError('invalid_request', `"${name}" is required and must be a string`)
  if (value.length > maxLength) throw new BackendError('invalid_request', `"${name}" is longer than ${maxLength} characters`)
  return value
}

export function optionalString(source: Record<string, unknown>, name: string, maxLength = 1024): string | undefined {
  return source[name] === undefined ? undefined : requireString(source, name, maxLength)
}
