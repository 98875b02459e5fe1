import { ConfigurationError } from './errors.ts'

/** https, or http on a loopback host, where no one between the browser and the server can read it. */
export function isSecureUrl(url: URL): boolean {
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname))
}

export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost') || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname)
}

/**
 * The issuer identifier is the URL discovery is served under (OpenID Discovery §4.3): clients
 * fetch `<issuer>/.well-known/openid-configuration` and compare the document's `issuer` with it
 * character for character. So it is https (http on loopback), without query, fragment or trailing
 * slash, and its path is the backend's base path.
 */
export function assertIssuer(issuer: string, basePath: string): string {
  let url: URL
  try {
    url = new URL(issuer)
  } catch {
    throw new ConfigurationError('invalid_option', `issuer "${issuer}" is not an absolute URL`)
  }
  if (!isSecureUrl(url)) throw new ConfigurationError('invalid_option', `issuer "${issuer}" must use https (http only on a loopback host)`)
  if (url.search !== '' || url.hash !== '' || issuer.includes('?') || issuer.includes('#')) {
    throw new ConfigurationError('invalid_option', `issuer "${issuer}" must not have a query or fragment`)
  }
  if (issuer.endsWith('/')) throw new ConfigurationError('invalid_option', `issuer "${issuer}" must not end with "/"`)
  if (url.pathname.replace(/\/$/, '') !== basePath) {
    throw new ConfigurationError('invalid_option', `issuer "${issuer}" must end with the basePath "${basePath}", where discovery is served`)
  }
  return issuer
}
