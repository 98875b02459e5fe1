import { getDomain } from 'tldts'

/**
 * Loopback and same-site tests for URLs seen on the network. "Site" is the registrable domain
 * (eTLD+1) by the Public Suffix List, private section included, as browsers draw it: `a.github.io`
 * and `b.github.io` are two sites, `api.example.co.uk` and `www.example.co.uk` one. The list comes
 * with tldts, built into the extension: nothing is fetched.
 */

export function parseUrl(url: string | undefined): URL | null {
  if (!url) return null
  try {
    return new URL(url)
  } catch {
    return null
  }
}

/** A `Location` header (absolute or relative) against the request URL; null when it is not a URL. */
export function resolveUrl(location: string, base: string): string | null {
  try {
    return new URL(location, base).href
  } catch {
    return null
  }
}

/** `localhost`, `*.localhost`, 127.0.0.0/8 and `[::1]`: where http is not exposed to the network. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '')
  return host === 'localhost' || host.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(host) || host === '::1'
}

/** The registrable domain; an IP address, a single label or a public suffix itself is its own site. */
export function siteOf(hostname: string): string {
  const host = hostname.toLowerCase()
  return getDomain(host, { allowPrivateDomains: true }) ?? host
}

export function isSameSite(a: URL, b: URL): boolean {
  if (isLoopbackHost(a.hostname) && isLoopbackHost(b.hostname)) return true
  return siteOf(a.hostname) === siteOf(b.hostname)
}
