import { formatDuration, numericDateMs } from '../expiry.ts'
import { isLoopbackHost, isSameSite, parseUrl } from '../origins.ts'
import { redactUrl } from '../redact.ts'
import { finding, type Finding, type RuleContext } from './types.ts'
import { describeToken } from './token-facts.ts'

/**
 * Rules about how tokens travel: J7 an expired JWT still sent, J11 a token in a URL, J12 a bearer
 * token over plain http to a non-loopback host, or to another site than the page's (E9; low, since
 * APIs on other sites are common, but RFC 6750 §5.3 asks that bearer tokens reach only their
 * audience; sites drawn by the Public Suffix List, see origins.ts). Every finding carries the
 * request as evidence, its URL redacted.
 */

const URL_SOURCES = new Set(['url-query', 'url-fragment', 'location-header'])

export function transportRules(ctx: RuleContext): Finding[] {
  const findings: Finding[] = []
  const toleranceMs = ctx.options.clockToleranceSeconds * 1000
  const offsetMs = ctx.clock?.offsetMs ?? 0
  for (const token of ctx.tokens) {
    const who = describeToken(token)
    const request = (exchange: { method: string; url: string } | undefined) => (exchange ? { request: { method: exchange.method, url: redactUrl(exchange.url) } } : {})

    // J7: judged on the server-estimated clock, since the server is the one refusing it.
    if (token.inspection.kind === 'jws') {
      const expMs = numericDateMs(token.inspection.claims['exp'])
      const late = expMs === null ? undefined : token.places.find((p) => p.direction === 'sent' && p.lastSeen + offsetMs > expMs + toleranceMs)
      if (expMs !== null && late) {
        findings.push(finding('J7', token.id, {
          detail: `Sent ${formatDuration(late.lastSeen + offsetMs - expMs)} after it expired (server-estimated clock). The client should refresh before exp instead of collecting 401s.`,
          evidence: { text: who, tokenId: token.id, place: late.place, ...request(late.lastExchange) },
        }))
      }
    }

    for (const place of token.places) {
      // J11
      if (URL_SOURCES.has(place.place.source)) {
        const where = place.place.source === 'location-header' ? 'a redirect Location header' : place.place.source === 'url-fragment' ? 'a URL fragment' : 'a URL query string'
        findings.push(finding('J11', `${token.id}:${place.place.source}:${place.place.key}`, {
          detail: `Parameter "${place.place.key}" in ${where}: URLs end up in history, logs, Referer headers and proxies (RFC 6750 §5.3; RFC 9700 §4.3.2).`,
          evidence: { text: who, tokenId: token.id, place: place.place, ...request(place.lastExchange) },
        }))
      }
      if (place.direction !== 'sent' || !place.lastExchange) continue
      const target = parseUrl(place.lastExchange.url)
      if (!target) continue
      // J12
      if (target.protocol === 'http:' && !isLoopbackHost(target.hostname)) {
        findings.push(finding('J12', `${token.id}:http:${target.host}`, {
          detail: `Sent in ${place.place.source} over plain http to ${target.host}: anyone on the network path can read and replay it.`,
          evidence: { text: who, tokenId: token.id, place: place.place, ...request(place.lastExchange) },
        }))
      }
      if (place.place.source === 'authorization-header' && ctx.page && !isSameSite(ctx.page, target)) {
        findings.push(finding('J12', `${token.id}:third-party:${target.host}`, {
          severity: 'low',
          title: 'Bearer token sent to another site',
          detail: `Sent to ${target.host}, a different site than the page (${ctx.page.host}). Check that this origin is meant to receive it; an SDK should attach tokens only to its configured API.`,
          evidence: { text: who, tokenId: token.id, place: place.place, ...request(place.lastExchange) },
        }))
      }
    }
  }
  return findings
}
