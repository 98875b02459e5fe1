import type { CDPSession } from 'playwright-core'

/**
 * CDP sessions of our own with any target (the DevTools front end, the panel iframe inside it, the
 * extension's service worker, pages), next to Playwright's. Playwright's browser session attaches
 * to the browser target once more, non-flat, and every session is opened inside that one in flat
 * mode: messages go through `Target.sendMessageToTarget`, so no WebSocket client of our own is
 * needed, and browser-level auto-attach (which Chromium allows only in flat mode) is available.
 */

export interface TargetInfo {
  targetId: string
  type: string
  url: string
}

export interface CdpChannel {
  send<T = unknown>(method: string, params?: Record<string, unknown>): Promise<T>
  /** CDP events of this session (enable their domain first). */
  on(method: string, listener: (params: unknown) => void): void
}

export interface RemoteTarget extends CdpChannel {
  info: TargetInfo
  /** True once the target has gone away (its commands then reject). */
  readonly closed: boolean
  /** `Runtime.evaluate` with promises awaited; throws the page's exception text. */
  evaluate<T = unknown>(expression: string): Promise<T>
}

export interface CdpRelay {
  /** The browser target: `Target.*`, `Extensions.*`, `Browser.*`. */
  browser: CdpChannel
  /** The session `sessionId` (from `Target.attachedToTarget` or `Target.attachToTarget`). */
  session(sessionId: string, info: TargetInfo): RemoteTarget
}

interface CdpMessage {
  id?: number
  sessionId?: string
  result?: unknown
  error?: { message: string }
  method?: string
  params?: unknown
}

export async function openRelay(browserSession: CDPSession): Promise<CdpRelay> {
  const { targetInfo } = await browserSession.send('Target.getTargetInfo')
  const { sessionId: relayId } = await browserSession.send('Target.attachToTarget', { targetId: targetInfo.targetId, flatten: false })
  let lastId = 0
  const pending = new Map<number, { sessionId: string; method: string; resolve: (result: unknown) => void; reject: (error: Error) => void }>()
  /** Listeners by session ('' is the browser target) and event name. */
  const listeners = new Map<string, Map<string, Array<(params: unknown) => void>>>()
  const closed = new Set<string>()

  const close = (sessionId: string) => {
    closed.add(sessionId)
    listeners.delete(sessionId)
    for (const [id, call] of pending) {
      if (sessionId !== '' && call.sessionId !== sessionId) continue
      pending.delete(id)
      call.reject(new Error(`${call.method}: the target went away`))
    }
  }

  browserSession.on('Target.receivedMessageFromTarget', ({ sessionId, message }) => {
    if (sessionId !== relayId) return
    const parsed = JSON.parse(message) as CdpMessage
    if (parsed.id !== undefined) {
      const call = pending.get(parsed.id)
      pending.delete(parsed.id)
      if (parsed.error) call?.reject(new Error(`${call.method}: ${parsed.error.message}`))
      else call?.resolve(parsed.result)
      return
    }
    if (!parsed.method) return
    for (const listener of listeners.get(parsed.sessionId ?? '')?.get(parsed.method) ?? []) listener(parsed.params)
    if (parsed.method === 'Target.detachedFromTarget') close((parsed.params as { sessionId: string }).sessionId)
  })
  browserSession.on('Target.detachedFromTarget', ({ sessionId }) => {
    if (sessionId === relayId) close('')
  })

  const channel = (sessionId: string): CdpChannel => ({
    async send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
      if (closed.has(sessionId) || closed.has('')) throw new Error(`${method}: the target went away`)
      const id = ++lastId
      const reply = new Promise<T>((resolve, reject) => pending.set(id, { sessionId, method, resolve: resolve as (result: unknown) => void, reject }))
      const message = JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })
      try {
        await browserSession.send('Target.sendMessageToTarget', { sessionId: relayId, message })
      } catch (error) {
        pending.delete(id)
        throw error
      }
      return reply
    },
    on(method, listener) {
      const bySession = listeners.get(sessionId) ?? new Map<string, Array<(params: unknown) => void>>()
      listeners.set(sessionId, bySession)
      bySession.set(method, [...(bySession.get(method) ?? []), listener])
    },
  })

  return {
    browser: channel(''),
    session(sessionId, info) {
      const target = channel(sessionId)
      return {
        ...target,
        info,
        get closed() {
          return closed.has(sessionId) || closed.has('')
        },
        async evaluate<T>(expression: string): Promise<T> {
          const { result, exceptionDetails } = await target.send<{ result: { value?: unknown }; exceptionDetails?: { text: string; exception?: { description?: string } } }>('Runtime.evaluate', {
            expression,
            awaitPromise: true,
            returnByValue: true,
          })
          if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text)
          return result.value as T
        },
      }
    },
  }
}

export async function attachTarget(relay: CdpRelay, info: TargetInfo): Promise<RemoteTarget> {
  const { sessionId } = await relay.browser.send<{ sessionId: string }>('Target.attachToTarget', { targetId: info.targetId, flatten: true })
  return relay.session(sessionId, info)
}

export async function listTargets(browser: CdpChannel): Promise<TargetInfo[]> {
  const { targetInfos } = await browser.send<{ targetInfos: TargetInfo[] }>('Target.getTargets')
  return targetInfos
}

export async function waitForTarget(browser: CdpChannel, matches: (t: TargetInfo) => boolean, timeoutMs = 15_000): Promise<TargetInfo> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = (await listTargets(browser)).find(matches)
    if (found) return found
    if (Date.now() > deadline) throw new Error(`no matching CDP target within ${timeoutMs} ms; targets: ${(await listTargets(browser)).map((t) => `${t.type} ${t.url}`).join(', ')}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
