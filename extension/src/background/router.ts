import type { CookieRecord } from '../core/cookies.ts'
import { parseMessage, type ContentMessage, type PanelMessage, type WorkerMessage } from '../protocol/messages.ts'
import { messageComposer } from '../transport/compose.ts'
import { CONTENT_PORT_NAME, PANEL_PORT_PREFIX } from '../transport/port-names.ts'
import type { PortLike } from '../transport/reconnecting-port.ts'
import { cookieBelongsToHost, hostOf } from './cookie-scope.ts'
import { createTabStates } from './tab-state.ts'

/**
 * The service worker's whole job, without `chrome.*` (index.ts wires it): pair each inspected tab's
 * panel port with that tab's content-script port, keep the tab's capped state, and answer the
 * panel's cookie requests. Who is on a port is decided from its `sender`, never from the port name
 * or the message: this extension's page URL means the panel; a web page's top frame in a tab means
 * a content script (which the page can talk to). Every message is validated for that sender (E17): a content
 * script can announce page data but never ask for cookies or another tab's state.
 */

export interface PortSender {
  id?: string
  url?: string
  tab?: { id?: number }
  frameId?: number
}

export interface RouterPort extends PortLike {
  name: string
  sender?: PortSender
}

export interface RouterDeps {
  extensionId: string
  /** `chrome-extension://<id>/` */
  extensionOrigin: string
  /** Every cookie the page at `url` can see or set: all paths, all CHIPS partitions. */
  cookiesFor(url: string): Promise<CookieRecord[]>
  /** Wakes the tab's content script (`chrome.tabs.sendMessage`); false when nothing listens yet. */
  wakeTab(tabId: number, message: WorkerMessage): Promise<boolean>
  /** For tests: how long to wait between wake attempts. */
  wakeRetryMs?: number
  /**
   * How long a content script that connects with no panel for its tab (it reconnected after the
   * worker restarted, before the panel did) may wait for one before it is put to sleep.
   */
  idleContentMs?: number
  log?: (text: string) => void
}

export type Role = { kind: 'content'; tabId: number } | { kind: 'panel' } | null

export function roleOf(port: Pick<RouterPort, 'name' | 'sender'>, deps: Pick<RouterDeps, 'extensionId' | 'extensionOrigin'>): Role {
  const sender = port.sender
  if (!sender || sender.id !== deps.extensionId) return null
  // Our own pages. Content scripts never run in them, so a page's script cannot get this URL. An
  // undocked DevTools window makes the panel's sender carry a `tab` (id -1, the DevTools window).
  if (sender.url?.startsWith(deps.extensionOrigin)) return port.name.startsWith(PANEL_PORT_PREFIX) ? { kind: 'panel' } : null
  const tabId = sender.tab?.id
  // Top frame only: the manifest injects into no other, and a frame is another origin's page.
  if (tabId !== undefined && tabId >= 0 && sender.frameId === 0 && port.name === CONTENT_PORT_NAME) return { kind: 'content', tabId }
  return null
}

export function createRouter(deps: RouterDeps) {
  const message = messageComposer('worker', 'w')
  const tabs = createTabStates()
  const contents = new Map<number, RouterPort>()
  const panels = new Map<number, Set<RouterPort>>()
  /** The URL each panel asked cookies for: `onChanged` events are forwarded when they match it. */
  const cookieUrls = new Map<number, string>()
  const log = deps.log ?? (() => undefined)

  const toPanels = (tabId: number, outgoing: WorkerMessage) => {
    for (const port of panels.get(tabId) ?? []) safePost(port, outgoing)
  }

  const wake = async (tabId: number, attempts = 4) => {
    for (let i = 0; i < attempts && !contents.has(tabId) && panels.has(tabId); i++) {
      if (await deps.wakeTab(tabId, message({ type: 'rescan' })).catch(() => false)) return
      await new Promise((resolve) => setTimeout(resolve, deps.wakeRetryMs ?? 250))
    }
  }

  /** No panel inspects the tab: its content script stops reading the page (page-link.ts). */
  const sleepIfUninspected = (tabId: number) => {
    const content = contents.get(tabId)
    if (content && !panels.has(tabId)) safePost(content, message({ type: 'sleep' }))
  }

  const sendSnapshot = (port: RouterPort, tabId: number) => {
    const { url, storage, sdk } = tabs.snapshot(tabId)
    safePost(port, message({ type: 'snapshot', tabId, url, storage, sdk }))
    if (!contents.has(tabId)) void wake(tabId)
  }

  const sendCookies = async (port: RouterPort, tabId: number, url: string) => {
    cookieUrls.set(tabId, url)
    try {
      const cookies = await deps.cookiesFor(url)
      safePost(port, message({ type: 'cookies', tabId, url, cookies }))
    } catch (error) {
      log(`cookies for tab ${tabId}: ${error instanceof Error ? error.message : String(error)}`)
    }
  }

  const onContent = (tabId: number, port: RouterPort, raw: unknown) => {
    const parsed = parseMessage(raw, 'content')
    if (!parsed.ok) {
      log(`content message refused (tab ${tabId}): ${parsed.error.code} ${parsed.error.detail}`)
      return
    }
    // A document that connected and then was replaced must not write into its successor's state.
    if (contents.get(tabId) !== port) return
    const incoming: ContentMessage = parsed.message
    tabs.apply(tabId, incoming)
    toPanels(tabId, message({ type: 'page', tabId, message: incoming }))
  }

  const onPanel = (port: RouterPort, bound: { tabId: number | null }, raw: unknown) => {
    const parsed = parseMessage(raw, 'panel')
    if (!parsed.ok) {
      log(`panel message refused: ${parsed.error.code} ${parsed.error.detail}`)
      return
    }
    const incoming: PanelMessage = parsed.message
    // One port inspects one tab: the first `subscribe` binds it.
    if (bound.tabId === null && incoming.type === 'subscribe') {
      bound.tabId = incoming.tabId
      const set = panels.get(incoming.tabId) ?? new Set()
      set.add(port)
      panels.set(incoming.tabId, set)
    }
    if (bound.tabId !== incoming.tabId) {
      log(`panel message for tab ${incoming.tabId} on a port bound to ${String(bound.tabId)}: refused`)
      return
    }
    switch (incoming.type) {
      case 'subscribe':
      case 'request-snapshot':
        sendSnapshot(port, incoming.tabId)
        break
      case 'request-cookies':
        void sendCookies(port, incoming.tabId, incoming.url)
        break
      case 'reset': {
        // The panel started over after a navigation: drop what the old page said and have the
        // current page (if its script is already connected) announce itself again.
        tabs.remove(incoming.tabId)
        const content = contents.get(incoming.tabId)
        if (content) safePost(content, message({ type: 'rescan' }))
        break
      }
    }
  }

  return {
    connect(port: RouterPort): void {
      const role = roleOf(port, deps)
      if (!role) {
        log(`port "${port.name}" refused: not this extension's panel or a top-frame content script (${port.sender?.url ?? 'no sender URL'})`)
        port.disconnect()
        return
      }
      if (role.kind === 'content') {
        const { tabId } = role
        contents.set(tabId, port)
        port.onMessage.addListener((raw) => onContent(tabId, port, raw))
        port.onDisconnect.addListener(() => {
          if (contents.get(tabId) === port) contents.delete(tabId)
        })
        setTimeout(() => sleepIfUninspected(tabId), deps.idleContentMs ?? 5000)
        return
      }
      const bound: { tabId: number | null } = { tabId: null }
      port.onMessage.addListener((raw) => onPanel(port, bound, raw))
      port.onDisconnect.addListener(() => {
        if (bound.tabId === null) return
        const set = panels.get(bound.tabId)
        set?.delete(port)
        if (set?.size === 0) {
          panels.delete(bound.tabId)
          cookieUrls.delete(bound.tabId)
          sleepIfUninspected(bound.tabId)
        }
      })
    },

    cookieChanged(change: { cookie: CookieRecord; removed: boolean; cause: string }): void {
      for (const [tabId, url] of cookieUrls) {
        const host = hostOf(url)
        if (host && cookieBelongsToHost(change.cookie, host)) toPanels(tabId, message({ type: 'cookie-changed', tabId, ...change }))
      }
    },

    /**
     * E17: one-off `runtime.sendMessage` requests are never answered with data. Content scripts
     * (and through them, pages) have no business asking; the panel uses its port.
     */
    oneOffMessage(raw: unknown, sender: PortSender): { ok: false; error: string } {
      const from = sender.tab ? `tab ${String(sender.tab.id)}` : (sender.url ?? 'unknown sender')
      const type = typeof raw === 'object' && raw !== null ? String((raw as { type?: unknown }).type) : typeof raw
      log(`one-off message "${type}" from ${from} refused`)
      return { ok: false, error: 'refused: AuthLens answers only its own DevTools panel, over its port' }
    },

    tabRemoved(tabId: number): void {
      tabs.remove(tabId)
      contents.delete(tabId)
      cookieUrls.delete(tabId)
    },
  }
}

function safePost(port: RouterPort, outgoing: WorkerMessage): void {
  try {
    port.postMessage(outgoing)
  } catch {
    // The other end went away between the check and the post; its onDisconnect cleans up.
  }
}

export type Router = ReturnType<typeof createRouter>
