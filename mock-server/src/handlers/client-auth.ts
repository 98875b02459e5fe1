import { BackendError } from '../domain/errors.ts'
import { secretMatches, type OidcClient } from '../domain/oidc/clients.ts'
import type { BackendParts, RequestContext } from './context.ts'

/**
 * Who is calling the token endpoint (RFC 6749 §2.3): a public client names itself with
 * `client_id` (`none`); a confidential one proves it with its secret, in HTTP Basic
 * (`client_secret_basic`) or in the form (`client_secret_post`), never both.
 */
export function authenticateClient(parts: BackendParts, ctx: RequestContext, form: URLSearchParams): OidcClient {
  const basic = readBasic(ctx.request.headers.get('authorization'))
  const formId = form.get('client_id') ?? undefined
  const formSecret = form.get('client_secret') ?? undefined
  if (basic && formSecret !== undefined) throw new BackendError('invalid_request', 'use one client authentication method, not two')
  if (basic && formId !== undefined && formId !== basic.clientId) throw new BackendError('invalid_request', 'client_id differs from the authenticated client')
  const clientId = basic?.clientId ?? formId
  if (clientId === undefined) throw invalidClient(basic !== undefined, 'client_id is required')
  const client = parts.options.oidcClients.get(clientId)
  if (!client) throw invalidClient(basic !== undefined, 'unknown client')
  const secret = basic?.secret ?? formSecret
  if (client.clientSecret === undefined) {
    if (secret !== undefined) throw invalidClient(basic !== undefined, 'this public client has no secret to send')
    return client
  }
  if (secret === undefined || !secretMatches(client, secret)) throw invalidClient(basic !== undefined, 'client authentication failed')
  return client
}

/** RFC 6749 §2.3.1: id and secret are form-encoded before they are joined and base64-encoded. */
function readBasic(header: string | null): { clientId: string; secret: string } | undefined {
  const match = header === null ? null : /^Basic ([A-Za-z0-9+/=]+)$/i.exec(header.trim())
  if (!match?.[1]) {
    if (header !== null) throw invalidClient(true, 'the Authorization header must be HTTP Basic client credentials')
    return undefined
  }
  try {
    const decoded = atob(match[1])
    const colon = decoded.indexOf(':')
    if (colon < 0) throw new Error('no colon')
    const decode = (text: string) => decodeURIComponent(text.replace(/\+/g, ' '))
    return { clientId: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) }
  } catch {
    throw invalidClient(true, 'the Basic credentials are malformed')
  }
}

function invalidClient(basic: boolean, description: string): BackendError {
  return new BackendError('invalid_client', description, basic ? { headers: { 'WWW-Authenticate': 'Basic realm="authlens"' } } : {})
}
