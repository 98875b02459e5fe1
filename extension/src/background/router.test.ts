import { describe, expect, it, vi } from 'vitest'
import type { CookieRecord } from '../core/cookies.ts'
import { envelope, parseMessage, type WorkerMessage } from '../protocol/messages.ts'
import { CONTENT_PORT_NAME, panelPortName } from '../transport/port-names.ts'
import { createRouter, roleOf, type PortSender, type RouterDeps, type RouterPort } from './router.ts'

const ID = 'abcdefghijklmnopabcdefghijklmnop'
const ORIGIN = `chrome-extension://${ID}/`
const PAGE = 'https://app.example.com/'
const PANEL_SENDER: PortSender = { id: ID, url: `${ORIGIN}src/panel/panel.html` }
const contentSender = (tabId: number, frameId = 0): PortSender => ({ id: ID, url: PAGE, tab: { id: tabId }, frameId })

const sid: CookieRecord = { name: '__Host-sid', value: 's'.repeat(43), domain: 'app.example.com', hostOnly: true, path: '/', secure: true, httpOnly: true, sameSite: 'lax', session: true }

/** A port the test plays the other end of; messages go through JSON like Chrome's structured clone. */
function port(name: string, sender: PortSender) {
  const listeners: Array<(m: unknown) => void> = []
  const disconnects: Array<() => void> = []
  const received: WorkerMessage[] = []
  let disconnected = false
  const p: RouterPort & { received: WorkerMessage[]; say(m: unknown): void; close(): void; readonly disconnected: boolean } = {
    name,
    sender,
    received,
    postMessage(m) {
      const parsed = parseMessage(JSON.parse(JSON.stringify(m)) as unknown, 'worker')
      if (!parsed.ok) throw new Error(`the worker sent an invalid message: ${parsed.error.detail}`)
      received.push(parsed.message)
    },
    disconnect() {
      disconnected = true
    },
    onMessage: { addListener: (l) => listeners.push(l) },
    onDisconnect: { addListener: (l) => disconnects.push(l) },
    say: (m) => listeners.forEach((l) => l(JSON.parse(JSON.stringify(m)) as unknown)),
    close: () => disconnects.forEach((l) => l()),
    get disconnected() {
      return disconnected
    },
  }
  return p
}

let n = 0
const panelMsg = (body: object) => ({ ...envelope('panel', `p-${n++}`), ...body })
const contentMsg = (body: object) => ({ ...envelope('content', `c-${n++}`), ...body })

function setup(overrides: Partial<RouterDeps> = {}) {
  const deps = {
    extensionId: ID,
    extensionOrigin: ORIGIN,
    cookiesFor: vi.fn(async (_url: string) => [sid]),
    wakeTab: vi.fn(async (_tabId: number, _message: WorkerMessage) => true),
    wakeRetryMs: 1,
    idleContentMs: 20,
    ...overrides,
  }
  return { router: createRouter(deps), deps }
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 5))

describe('roleOf', () => {
  it('decides by sender: our page URL is the panel (also undocked, where the sender has tab -1)', () => {
    const deps = { extensionId: ID, extensionOrigin: ORIGIN }
    expect(roleOf({ name: panelPortName(3), sender: PANEL_SENDER }, deps)).toEqual({ kind: 'panel' })
    expect(roleOf({ name: panelPortName(3), sender: { ...PANEL_SENDER, tab: { id: -1 }, frameId: 6 } }, deps)).toEqual({ kind: 'panel' })
    expect(roleOf({ name: CONTENT_PORT_NAME, sender: contentSender(3) }, deps)).toEqual({ kind: 'content', tabId: 3 })
  })

  it('E17 refuses content scripts posing as the panel, subframes, and other extensions', () => {
    const deps = { extensionId: ID, extensionOrigin: ORIGIN }
    expect(roleOf({ name: panelPortName(3), sender: contentSender(3) }, deps)).toBeNull()
    expect(roleOf({ name: CONTENT_PORT_NAME, sender: contentSender(3, 7) }, deps)).toBeNull()
    expect(roleOf({ name: panelPortName(3), sender: { ...PANEL_SENDER, id: 'someotherextension' } }, deps)).toBeNull()
    expect(roleOf({ name: CONTENT_PORT_NAME, sender: {} }, deps)).toBeNull()
  })
})

describe('createRouter', () => {
  it('pairs the panel with its tab: snapshot on subscribe, page messages forwarded, cookies on request', async () => {
    const { router, deps } = setup()
    const content = port(CONTENT_PORT_NAME, contentSender(7))
    router.connect(content)
    content.say(contentMsg({ type: 'page-hello', url: PAGE }))
    content.say(contentMsg({ type: 'storage-snapshot', url: PAGE, entries: [{ area: 'localStorage', key: 'k', value: 'v', size: 1 }] }))
    const panel = port(panelPortName(7), PANEL_SENDER)
    router.connect(panel)
    panel.say(panelMsg({ type: 'subscribe', tabId: 7 }))
    expect(panel.received[0]).toMatchObject({ type: 'snapshot', tabId: 7, url: PAGE, storage: [{ key: 'k' }] })
    content.say(contentMsg({ type: 'storage-changed', url: PAGE, entry: { area: 'localStorage', key: 'k', value: 'w', size: 1 }, removed: false }))
    expect(panel.received[1]).toMatchObject({ type: 'page', tabId: 7, message: { type: 'storage-changed' } })
    panel.say(panelMsg({ type: 'request-cookies', tabId: 7, url: PAGE }))
    await flush()
    expect(deps.cookiesFor).toHaveBeenCalledWith(PAGE)
    expect(panel.received.at(-1)).toMatchObject({ type: 'cookies', cookies: [{ name: '__Host-sid', httpOnly: true }] })
    expect(deps.wakeTab).not.toHaveBeenCalled()
  })

  it('E17 a content script cannot ask for cookies or state: refused, nothing answered', async () => {
    const { router, deps } = setup()
    const content = port(CONTENT_PORT_NAME, contentSender(7))
    router.connect(content)
    content.say({ ...envelope('panel', 'x'), type: 'request-cookies', tabId: 7, url: PAGE })
    content.say({ ...envelope('content', 'y'), type: 'request-cookies', tabId: 7, url: PAGE })
    content.say({ ...envelope('content', 'z'), type: 'request-snapshot', tabId: 8 })
    await flush()
    expect(deps.cookiesFor).not.toHaveBeenCalled()
    expect(content.received).toEqual([])
  })

  it('E17 one-off runtime messages from pages or content scripts are refused', () => {
    const { router, deps } = setup()
    expect(router.oneOffMessage({ type: 'request-cookies', tabId: 1, url: PAGE }, contentSender(1))).toMatchObject({ ok: false })
    expect(router.oneOffMessage('give me the tokens', { id: ID, url: PAGE })).toMatchObject({ ok: false })
    expect(deps.cookiesFor).not.toHaveBeenCalled()
  })

  it('disconnects ports from unknown senders', () => {
    const { router } = setup()
    const stranger = port(panelPortName(1), { id: 'another-extension', url: 'chrome-extension://another-extension/x.html' })
    router.connect(stranger)
    expect(stranger.disconnected).toBe(true)
  })

  it('E4 refuses a 10 MB content message and keeps routing', () => {
    const { router } = setup()
    const content = port(CONTENT_PORT_NAME, contentSender(2))
    router.connect(content)
    const panel = port(panelPortName(2), PANEL_SENDER)
    router.connect(panel)
    panel.say(panelMsg({ type: 'subscribe', tabId: 2 }))
    const huge = Array.from({ length: 200 }, (_, i) => ({ area: 'localStorage', key: `k${i}`, value: 'x'.repeat(50_000), size: 50_000 }))
    content.say(contentMsg({ type: 'storage-snapshot', url: PAGE, entries: huge }))
    content.say(contentMsg({ type: 'page-hello', url: PAGE }))
    expect(panel.received.map((m) => m.type)).toEqual(['snapshot', 'page'])
  })

  it('binds a panel port to the first tab it subscribes to', () => {
    const { router } = setup()
    const panel = port(panelPortName(1), PANEL_SENDER)
    router.connect(panel)
    panel.say(panelMsg({ type: 'subscribe', tabId: 1 }))
    panel.say(panelMsg({ type: 'request-snapshot', tabId: 2 }))
    expect(panel.received.map((m) => (m.type === 'snapshot' ? m.tabId : null))).toEqual([1])
  })

  it('wakes the content script when a panel subscribes to a tab it has not heard from', async () => {
    let attempts = 0
    const wakeTab = vi.fn(async (_tabId: number, _message: WorkerMessage) => ++attempts >= 2)
    const { router } = setup({ wakeTab })
    const panel = port(panelPortName(4), PANEL_SENDER)
    router.connect(panel)
    panel.say(panelMsg({ type: 'subscribe', tabId: 4 }))
    await flush()
    expect(wakeTab).toHaveBeenCalledTimes(2)
    expect(wakeTab.mock.calls[0]).toEqual([4, expect.objectContaining({ type: 'rescan', source: 'authlens-worker' })])
  })

  it('forwards cookie changes only to panels inspecting a matching host', async () => {
    const { router } = setup()
    const a = port(panelPortName(1), PANEL_SENDER)
    const b = port(panelPortName(2), PANEL_SENDER)
    for (const [p, tab, url] of [[a, 1, PAGE], [b, 2, 'https://other.example.org/']] as const) {
      router.connect(p)
      p.say(panelMsg({ type: 'subscribe', tabId: tab }))
      p.say(panelMsg({ type: 'request-cookies', tabId: tab, url }))
    }
    await flush()
    router.cookieChanged({ cookie: { ...sid, domain: '.example.com', hostOnly: false }, removed: true, cause: 'explicit' })
    expect(a.received.at(-1)).toMatchObject({ type: 'cookie-changed', removed: true, cause: 'explicit' })
    expect(b.received.at(-1)?.type).toBe('cookies')
  })

  it('E12 after a navigation reset, forgets the old page and has the current one re-announce', () => {
    const { router } = setup()
    const content = port(CONTENT_PORT_NAME, contentSender(5))
    router.connect(content)
    content.say(contentMsg({ type: 'page-hello', url: PAGE }))
    content.say(contentMsg({ type: 'sdk', message: { source: 'authlens-sdk', version: 1, id: 'e1', type: 'event', at: 1, event: 'login', data: {} } }))
    const panel = port(panelPortName(5), PANEL_SENDER)
    router.connect(panel)
    panel.say(panelMsg({ type: 'subscribe', tabId: 5 }))
    panel.say(panelMsg({ type: 'reset', tabId: 5 }))
    expect(content.received).toEqual([expect.objectContaining({ type: 'rescan' })])
    panel.say(panelMsg({ type: 'request-snapshot', tabId: 5 }))
    expect(panel.received.at(-1)).toMatchObject({ type: 'snapshot', url: null, storage: [], sdk: [] })
  })

  it('ignores a replaced document that keeps talking after the next one connected', () => {
    const { router } = setup()
    const old = port(CONTENT_PORT_NAME, contentSender(6))
    router.connect(old)
    const current = port(CONTENT_PORT_NAME, contentSender(6))
    router.connect(current)
    current.say(contentMsg({ type: 'page-hello', url: 'https://app.example.com/new' }))
    old.say(contentMsg({ type: 'page-hello', url: 'https://app.example.com/old' }))
    const panel = port(panelPortName(6), PANEL_SENDER)
    router.connect(panel)
    panel.say(panelMsg({ type: 'subscribe', tabId: 6 }))
    expect(panel.received[0]).toMatchObject({ type: 'snapshot', url: 'https://app.example.com/new' })
  })

  it('puts the content script to sleep when the last panel for its tab closes, or when none comes after it reconnected', async () => {
    const { router } = setup()
    const types = (p: ReturnType<typeof port>) => p.received.map((m) => m.type)
    const content = port(CONTENT_PORT_NAME, contentSender(7))
    router.connect(content)
    const [first, second] = [port(panelPortName(7), PANEL_SENDER), port(panelPortName(7), PANEL_SENDER)]
    for (const panel of [first, second]) {
      router.connect(panel)
      panel.say(panelMsg({ type: 'subscribe', tabId: 7 }))
    }
    await new Promise((resolve) => setTimeout(resolve, 40))
    first.close()
    expect(types(content)).not.toContain('sleep')
    second.close()
    expect(types(content)).toEqual(['sleep'])

    // After a worker restart the content script may reconnect before the panel: it waits a moment.
    const early = port(CONTENT_PORT_NAME, contentSender(8))
    router.connect(early)
    const panel = port(panelPortName(8), PANEL_SENDER)
    router.connect(panel)
    panel.say(panelMsg({ type: 'subscribe', tabId: 8 }))
    const lone = port(CONTENT_PORT_NAME, contentSender(9))
    router.connect(lone)
    expect(types(lone)).toEqual([])
    await new Promise((resolve) => setTimeout(resolve, 40))
    expect(types(lone)).toEqual(['sleep'])
    expect(types(early)).toEqual([])
  })
})
