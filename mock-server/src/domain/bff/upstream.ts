import { BackendError } from '../errors.ts'

/** Request headers the API may need; the browser's cookies, CSRF token and Origin stay here. */
const FORWARDED_REQUEST = ['accept', 'accept-language', 'content-type', 'if-match', 'if-none-match']
/**
 * Response headers the page may see. Not `Set-Cookie` (the API's cookies are not the page's), not
 * `WWW-Authenticate` (a challenge for a token the page never holds), not `Location` (an upstream URL).
 */
const FORWARDED_RESPONSE = ['content-type', 'content-language', 'etag', 'last-modified', 'retry-after']

export interface UpstreamRequest {
  method: string
  headers: Headers
  body: string | undefined
}

export interface UpstreamAnswer {
  status: number
  headers: Headers
  body: ArrayBuffer
}

/** Sends one request to the API with the access token, as the BFF's own HTTP client. */
export async function callUpstream(target: URL, request: UpstreamRequest, accessToken: string, timeoutMs = 10_000): Promise<UpstreamAnswer> {
  const headers = new Headers({ authorization: `Bearer ${accessToken}` })
  for (const name of FORWARDED_REQUEST) {
    const value = request.headers.get(name)
    if (value !== null) headers.set(name, value)
  }
  let response: Response
  try {
    response = await fetch(target, { method: request.method, headers, body: request.body, signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' })
  } catch (error) {
    if (error instanceof DOMException && error.name === 'TimeoutError') throw new BackendError('gateway_timeout', 'the API did not answer in time')
    throw new BackendError('bad_gateway', 'the API could not be reached')
  }
  const answered = new Headers()
  for (const name of FORWARDED_RESPONSE) {
    const value = response.headers.get(name)
    if (value !== null) answered.set(name, value)
  }
  return { status: response.status, headers: answered, body: await response.arrayBuffer() }
}
