/**
 * Loopback and same-site tests for URLs seen on the network. "Site" is approximated without the
 * Public Suffix List (which the extension does not ship): the last two labels, or three under
 * common second-level registries (`co.uk`, `com.au`). Good enough to flag a third-party origin as
 * a hint (low severity), never to decide anything security-critical.
 */

const SECOND_LEVEL = new Set(['co', 'com', 'org', 'net', 'gov', 'ac', 'edu', 'ne', 'or', 'go'])

export function parseUrl(url: string | undefined): URL | null {
  if (!url) return null
  try {
    return new URL(url)
  } catch {
    return null
  }
}

/** `localhost`, `*.localhost`, 127.0.0.0/8 and `[::1]`: where http is not exposed to the network. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '')
  return host === 'localhost' || host.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(host) || host === '::1'
}

export function approximateSite(hostname: string): string {
  const host = hostname.toLowerCase()
  if (/^[\d.]+$/.test(host) || host.includes(':') || host.startsWith('[')) return host
  const labels = host.split('.').filter(Boolean)
  const take = labels.length >= 3 && (labels[labels.length - 1]?.length ?? 0) === 2 && SECOND_LEVEL.has(labels[labels.length - 2] ?? '') ? 3 : 2
  return labels.slice(-take).join('.')
}

export function isSameSite(a: URL, b: URL): boolean {
  if (isLoopbackHost(a.hostname) && isLoopbackHost(b.hostname)) return true
  return approximateSite(a.hostname) === approximateSite(b.hostname)
}
