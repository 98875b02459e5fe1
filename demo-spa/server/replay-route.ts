import { createHash, randomUUID } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose'
import type { ReplayAnswer, ReplayAttempt } from '../src/replay-elsewhere.ts'

/** Bigger than any token the backend issues, far smaller than what would make a header a problem. */
const MAX_TOKEN = 8 * 1024
const MAX_BODY = 16 * 1024
/** Under `/api/` only, no query, no dot segments: the thief reads the API, this is no open proxy. */
const API_PATH = /^\/api\/[\w-]+(?:\/[\w-]+)*$/
/** Header values are visible ASCII (RFC 9110 §5.5): nothing that could end the header early. */
const HEADER_SAFE = /^[\x21-\x7e]+$/

export class ReplayError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

export interface ReplayRequest {
  token: string
  path: string
}

/** The request body, checked: a token that can go in a header, and a path of the API. */
export function parseReplayRequest(body: unknown): ReplayRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ReplayError(400, 'invalid_request', 'the body must be a JSON object')
  const { token, path = '/api/me' } = body as Record<string, unknown>
  if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN || !HEADER_SAFE.test(token)) {
    throw new ReplayError(400, 'invalid_request', `"token" must be 1 to ${MAX_TOKEN} visible ASCII characters`)
  }
  if (typeof path !== 'string' || !API_PATH.test(path)) throw new ReplayError(400, 'invalid_request', '"path" must be a path under /api/, without query or dot segments')
  return { token, path }
}

/** A proof as an honest client would make it (RFC 9449 §4.2), from a key pair that is the thief's own. */
async function thiefProof(url: URL, token: string, nonce?: string) {
  const { privateKey, publicKey } = await generateKeyPair('ES256')
  const jwk = await exportJWK(publicKey)
  const claims = { jti: randomUUID(), htm: 'GET', htu: `${url.origin}${url.pathname}`, iat: Math.floor(Date.now() / 1000), ath: createHash('sha256').update(token).digest('base64url'), ...(nonce && { nonce }) }
  return { proof: await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk }).sign(privateKey), jkt: await calculateJwkThumbprint(jwk) }
}

async function attempt(scheme: ReplayAttempt['scheme'], response: Response): Promise<ReplayAttempt> {
  if (response.ok) return { scheme, status: response.status }
  const body = (await response.json().catch(() => ({}))) as { error?: unknown; reason?: unknown }
  return {
    scheme,
    status: response.status,
    ...(typeof body.error === 'string' && { error: body.error }),
    ...(typeof body.reason === 'string' && { reason: body.reason }),
  }
}

/**
 * The token sent twice from this process: as `Bearer`, and as `DPoP` with a proof from a key the
 * thief made (after one nonce challenge, as a determined thief would answer it).
 */
export async function replay({ token, path }: ReplayRequest, origin: string): Promise<ReplayAnswer> {
  const url = new URL(path, origin)
  const get = (headers: Record<string, string>) => fetch(url, { headers, redirect: 'manual', signal: AbortSignal.timeout(10_000) })

  const bearer = await attempt('Bearer', await get({ authorization: `Bearer ${token}` }))
  let signed = await thiefProof(url, token)
  let response = await get({ authorization: `DPoP ${token}`, dpop: signed.proof })
  const nonce = response.headers.get('dpop-nonce')
  if (response.status === 401 && nonce && /use_dpop_nonce/.test(response.headers.get('www-authenticate') ?? '')) {
    signed = await thiefProof(url, token, nonce)
    response = await get({ authorization: `DPoP ${token}`, dpop: signed.proof })
  }
  return { path, thiefJkt: signed.jkt, attempts: [bearer, await attempt('DPoP', response)] }
}

async function readBody(request: IncomingMessage): Promise<string> {
  let size = 0
  const chunks: Buffer[] = []
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_BODY) throw new ReplayError(413, 'payload_too_large', `the body is limited to ${MAX_BODY} bytes`)
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/** Only the page itself may ask: a JSON POST (never a simple cross-site form), and not from another site. */
async function readReplayRequest(request: IncomingMessage): Promise<ReplayRequest> {
  if (request.method !== 'POST') throw new ReplayError(405, 'method_not_allowed', 'POST only')
  if (request.headers['sec-fetch-site'] === 'cross-site') throw new ReplayError(403, 'csrf_failed', 'a cross-site request')
  if (!/^application\/json\s*(?:;|$)/i.test(request.headers['content-type'] ?? '')) throw new ReplayError(415, 'unsupported_media_type', 'the body must be application/json')
  let body: unknown
  try {
    body = JSON.parse(await readBody(request))
  } catch (error) {
    if (error instanceof ReplayError) throw error
    throw new ReplayError(400, 'invalid_request', 'the body is not JSON')
  }
  return parseReplayRequest(body)
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...(status === 405 && { Allow: 'POST' }) })
  response.end(JSON.stringify(body))
}

/**
 * `POST /__demo/replay {token, path?}` for the dev server: the replay leaves from Node, so what the
 * server answers is what another machine without the page's key would get. `origin` is the server's
 * own address (never the request's Host, which a caller could point anywhere).
 */
export function replayRoute(origin: () => string | undefined) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    try {
      const target = origin()
      if (!target) throw new ReplayError(503, 'temporarily_unavailable', 'the server is not listening yet')
      const asked = await readReplayRequest(request)
      try {
        send(response, 200, await replay(asked, target))
      } catch {
        throw new ReplayError(502, 'bad_gateway', 'the API did not answer the replay')
      }
    } catch (error) {
      const { status, code, message } = error instanceof ReplayError ? error : new ReplayError(500, 'server_error', 'the replay failed')
      // An unread rest of a refused body would stall the connection (see the mock backend's drainUnreadBodies).
      request.resume()
      send(response, status, { error: code, error_description: message })
    }
  }
}
