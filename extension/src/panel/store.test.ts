import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createFakeTransport } from './fake-transport.ts'
import { createPanelController } from './store.ts'
import { exchange } from '../core/testing/observations.ts'
import { CODE, IDP, authorizeUrl, callbackUrl, tokenExchange } from '../core/testing/oidc.ts'
import { PAGE, T0, accessToken, loginExchange, page, sessionCookie, worker } from './testing.ts'

function setup(options: { timelineCapacity?: number } = {}) {
  const transport = createFakeTransport(1)
  let now = T0
  const controller = createPanelController(transport, { now: () => now, ...options })
  const stop = controller.start()
  return {
    transport,
    controller,
    state: () => controller.store.getState(),
    setNow: (ms: number) => {
      now = ms
    },
    stop,
  }
}

const sentTypes = (transport: ReturnType<typeof createFakeTransport>) => transport.sent.map((m) => m.type)

describe('panel store', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('asks for the page’s cookies as soon as it knows the page', async () => {
    const { transport, controller, state } = setup()
    expect(state().connection).toBe('connected')
    transport.worker(worker({ type: 'snapshot', tabId: 1, url: PAGE, storage: [], sdk: [] }))
    await controller.settle()
    expect(transport.sent).toEqual([expect.objectContaining({ type: 'request-cookies', tabId: 1, url: PAGE, source: 'authlens-panel' })])
    expect(state().snapshot.pageUrl).toBe(PAGE)
  })

  it('ignores worker messages about another tab', async () => {
    const { transport, controller, state } = setup()
    transport.worker(worker({ type: 'cookies', tabId: 2, url: PAGE, cookies: [sessionCookie] }))
    await controller.settle()
    expect(state().snapshot.cookies).toEqual([])
  })

  it('publishes tokens and audit; the clock ticks once a second; exp passing reaches the timeline', async () => {
    const { transport, controller, state, setNow } = setup()
    const token = accessToken(T0)
    transport.exchange(loginExchange(token))
    transport.worker(page(1, { type: 'storage-changed', url: PAGE, entry: { area: 'localStorage', key: 'auth', value: token, size: token.length }, removed: false }))
    await controller.settle()
    expect(state().snapshot.tokens).toHaveLength(1)
    expect(state().findings.map((f) => f.ruleId)).toContain('W1')
    setNow(T0 + 1000)
    vi.advanceTimersByTime(1000)
    expect(state().now).toBe(T0 + 1000)
    setNow(T0 + 301_000)
    vi.advanceTimersByTime(1000)
    expect(state().snapshot.timeline.map((e) => e.kind)).toContain('expired')
  })

  it('E12 a worker restart re-announces the same state: nothing is duplicated, cookies are asked again', async () => {
    const { transport, controller, state } = setup()
    const token = accessToken(T0)
    const announce = () => {
      transport.worker(page(1, { type: 'page-hello', url: PAGE }))
      transport.worker(page(1, { type: 'storage-snapshot', url: PAGE, entries: [{ area: 'localStorage', key: 'auth', value: token, size: token.length }] }))
      transport.worker(page(1, { type: 'sdk', message: { source: 'authlens-sdk', version: 1, id: 'ev-login', type: 'event', at: T0, event: 'login', data: {} } }))
      transport.worker(worker({ type: 'cookies', tabId: 1, url: PAGE, cookies: [sessionCookie] }))
    }
    announce()
    await controller.settle()
    const before = state().snapshot
    transport.connection('reconnecting')
    transport.connection('connected')
    announce()
    await controller.settle()
    const after = state().snapshot
    expect(after.timeline).toEqual(before.timeline)
    expect(after.tokens.map((t) => t.id)).toEqual(before.tokens.map((t) => t.id))
    expect(after.cookies).toHaveLength(1)
    expect(sentTypes(transport).filter((t) => t === 'request-cookies').length).toBeGreaterThanOrEqual(2)
  })

  it('a navigation (debounced) starts over unless preserve log is on; network seen since is kept', async () => {
    const { transport, controller, state } = setup()
    transport.exchange(loginExchange(accessToken(T0)))
    await controller.settle()
    transport.navigate(PAGE)
    transport.navigate(`${PAGE}?redirected`)
    const next = accessToken(T0 + 5000, { sub: 'u_bob' })
    transport.exchange(loginExchange(next, T0 + 5000))
    vi.advanceTimersByTime(300)
    await controller.settle()
    expect(state().snapshot.tokens).toHaveLength(1)
    const inspection = state().snapshot.tokens[0]?.inspection
    expect(inspection?.kind === 'jws' ? inspection.claims['sub'] : null).toBe('u_bob')
    expect(sentTypes(transport)).toEqual(['reset', 'request-snapshot', 'request-cookies'])

    state().setPreserveLog(true)
    transport.navigate(PAGE)
    vi.advanceTimersByTime(300)
    await controller.settle()
    expect(state().snapshot.tokens).toHaveLength(1)
    expect(sentTypes(transport).filter((t) => t === 'reset')).toHaveLength(1)
  })

  it('an SPA route change (history.pushState) keeps everything; a new document right after still starts over', async () => {
    const { transport, controller, state } = setup()
    transport.exchange(loginExchange(accessToken(T0)))
    await controller.settle()
    transport.navigate(`${PAGE}notes/1`, { sameDocument: true })
    vi.advanceTimersByTime(1000)
    await controller.settle()
    expect(state().snapshot.tokens).toHaveLength(1)
    expect(state().snapshot.pageUrl).toBe(`${PAGE}notes/1`)
    expect(sentTypes(transport)).toEqual(['request-cookies'])

    // A reload, then the app's router rewriting the URL of the new document: the reload counts.
    transport.navigate(PAGE)
    transport.navigate(`${PAGE}home`, { sameDocument: true })
    vi.advanceTimersByTime(300)
    await controller.settle()
    expect(state().snapshot.tokens).toHaveLength(0)
    expect(state().snapshot.pageUrl).toBe(`${PAGE}home`)
    expect(sentTypes(transport).filter((t) => t === 'reset')).toHaveLength(1)
  })

  it('a sign-in through the provider’s login page, Preserve log off: the round trip crosses both new documents, even when the callback redeems its code before the panel settles', async () => {
    const { transport, controller, state, setNow } = setup()
    transport.navigate(authorizeUrl())
    transport.exchange(exchange({ at: T0 + 100, url: authorizeUrl(), responseHeaders: { 'Content-Type': 'text/html' } }))
    vi.advanceTimersByTime(300)
    await controller.settle()
    // The login form is posted; the provider's redirect is reported before the navigation it causes.
    setNow(T0 + 5000)
    transport.exchange(exchange({ at: T0 + 5000, method: 'POST', url: `${IDP}/login`, status: 302, responseHeaders: { Location: callbackUrl() } }))
    transport.navigate(callbackUrl())
    transport.exchange(tokenExchange(T0 + 5100))
    vi.advanceTimersByTime(300)
    await controller.settle()

    expect(sentTypes(transport).filter((t) => t === 'reset')).toHaveLength(2)
    const { timeline, pageUrl } = state().snapshot
    expect(pageUrl).toBe(callbackUrl())
    const oauth = timeline.filter((e) => e.kind === 'authorization-request' || e.kind === 'authorization-response' || e.kind === 'token-response')
    expect(oauth.map((e) => [e.kind, e.carriedOver ?? false])).toEqual([
      ['authorization-request', true],
      ['authorization-response', false],
      ['token-response', false],
    ])
    expect(oauth[1]).toMatchObject({ state: 'matches', flow: 1 })
    expect(oauth[2]).toMatchObject({ nonce: 'matches', flow: 1 })
    expect(state().exportJson()).not.toContain(CODE)
  })

  it('E11 10,000 exchanges keep the timeline at its cap and count what was dropped', async () => {
    const { transport, controller, state } = setup({ timelineCapacity: 200 })
    for (let i = 0; i < 10_000; i++) transport.exchange(loginExchange(accessToken(T0 + i * 1000, { jti: `j${i}` }), T0 + i))
    await controller.settle()
    expect(state().snapshot.timeline).toHaveLength(200)
    expect(state().snapshot.dropped).toBeGreaterThan(0)
  })

  it('E13 the redacted export strips signatures, masks personal claims and cookie values', async () => {
    const { transport, controller, state } = setup()
    const token = accessToken(T0, { email: 'alice@example.com' })
    transport.exchange(loginExchange(token))
    transport.worker(worker({ type: 'cookies', tabId: 1, url: PAGE, cookies: [sessionCookie] }))
    await controller.settle()
    const json = state().exportJson()
    const signature = token.split('.')[2] ?? ''
    expect(json).not.toContain(signature)
    expect(json).not.toContain(token)
    expect(json).not.toContain('alice@example.com')
    expect(json).not.toContain(sessionCookie.value)
    const parsed = JSON.parse(json) as { format: string; tokens: Array<{ kind: string; signature: string }>; cookies: Array<{ name: string; httpOnly: boolean }> }
    expect(parsed.format).toBe('authlens-redacted-export')
    expect(parsed.tokens.find((t) => t.kind === 'jws')?.signature).toBe('stripped')
    expect(parsed.cookies).toEqual([expect.objectContaining({ name: '__Host-sid', httpOnly: true })])
  })

  it('reveals and hides cookie values on request only', () => {
    const { state } = setup()
    expect(state().revealed.size).toBe(0)
    state().toggleReveal('k')
    expect(state().revealed.has('k')).toBe(true)
    state().toggleReveal('k')
    expect(state().revealed.has('k')).toBe(false)
  })
})
