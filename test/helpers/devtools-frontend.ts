import type { CDPSession } from 'playwright-core'

/**
 * Talks to targets Playwright does not expose: the DevTools front end (`devtools://…`) and the
 * extension panel iframe inside it. A browser-level CDP session attaches to them (non-flat) and
 * relays commands with `Target.sendMessageToTarget`, which needs no WebSocket client of our own.
 */

export interface TargetInfo {
  targetId: string
  type: string
  url: string
}

interface CdpReply {
  id?: number
  result?: unknown
  error?: { message: string }
  method?: string
  params?: unknown
}

export interface RemoteTarget {
  info: TargetInfo
  send<T = unknown>(method: string, params?: Record<string, unknown>): Promise<T>
  /** `Runtime.evaluate` with promises awaited; throws the page's exception text. */
  evaluate<T = unknown>(expression: string): Promise<T>
  /** CDP events of this target (enable their domain first). */
  on(method: string, listener: (params: unknown) => void): void
}

export async function listTargets(browserSession: CDPSession): Promise<TargetInfo[]> {
  const { targetInfos } = (await browserSession.send('Target.getTargets')) as { targetInfos: TargetInfo[] }
  return targetInfos
}

export async function waitForTarget(browserSession: CDPSession, matches: (t: TargetInfo) => boolean, timeoutMs = 15_000): Promise<TargetInfo> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = (await listTargets(browserSession)).find(matches)
    if (found) return found
    if (Date.now() > deadline) throw new Error(`no matching CDP target within ${timeoutMs} ms; targets: ${(await listTargets(browserSession)).map((t) => `${t.type} ${t.url}`).join(', ')}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

export async function attachTarget(browserSession: CDPSession, info: TargetInfo): Promise<RemoteTarget> {
  const { sessionId } = (await browserSession.send('Target.attachToTarget', { targetId: info.targetId, flatten: false })) as { sessionId: string }
  let nextId = 0
  const pending = new Map<number, (reply: CdpReply) => void>()
  const listeners = new Map<string, Array<(params: unknown) => void>>()
  browserSession.on('Target.receivedMessageFromTarget', (event: { sessionId: string; message: string }) => {
    if (event.sessionId !== sessionId) return
    const reply = JSON.parse(event.message) as CdpReply
    if (reply.id !== undefined) {
      pending.get(reply.id)?.(reply)
      pending.delete(reply.id)
    } else if (reply.method) {
      for (const listener of listeners.get(reply.method) ?? []) listener(reply.params)
    }
  })
  const send = async <T,>(method: string, params: Record<string, unknown> = {}): Promise<T> => {
    const id = ++nextId
    const reply = new Promise<CdpReply>((resolve) => pending.set(id, resolve))
    await browserSession.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) })
    const { result, error } = await reply
    if (error) throw new Error(`${method}: ${error.message}`)
    return result as T
  }
  return {
    info,
    send,
    on(method, listener) {
      listeners.set(method, [...(listeners.get(method) ?? []), listener])
    },
    async evaluate<T>(expression: string): Promise<T> {
      const { result, exceptionDetails } = await send<{ result: { value?: unknown }; exceptionDetails?: { text: string; exception?: { description?: string } } }>('Runtime.evaluate', {
        expression,
        awaitPromise: true,
        returnByValue: true,
      })
      if (exceptionDetails) throw new Error(exceptionDetails.exception?.description ?? exceptionDetails.text)
      return result.value as T
    },
  }
}

/** The DevTools front end's own UI module, as TOOLCHAIN.md describes. */
const INSPECTOR_VIEW = `(await import('./ui/legacy/legacy.js')).InspectorView.InspectorView.instance()`

/** Waits until DevTools lists a panel whose id starts with `prefix`; returns that id. */
export async function waitForPanelId(frontEnd: RemoteTarget, prefix: string, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const id = await frontEnd
      .evaluate<string | null>(`(async () => (${INSPECTOR_VIEW}).tabbedPane.tabIds().find((id) => id.startsWith(${JSON.stringify(prefix)})) ?? null)()`)
      // The front end throws while it is still loading (its locale data is not registered yet).
      .catch(() => null)
    if (id) return id
    if (Date.now() > deadline) throw new Error(`DevTools listed no panel starting with ${prefix} within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

export async function showPanel(frontEnd: RemoteTarget, id: string): Promise<void> {
  await frontEnd.evaluate(`(async () => { await (${INSPECTOR_VIEW}).showPanel(${JSON.stringify(id)}) })()`)
}

/** Docks DevTools to 'undocked' (its own window), 'bottom', 'right' or 'left'. */
export async function setDockSide(frontEnd: RemoteTarget, side: 'undocked' | 'bottom' | 'right' | 'left'): Promise<void> {
  await frontEnd.evaluate(`(async () => (await import('./ui/legacy/legacy.js')).DockController.DockController.instance().setDockSide(${JSON.stringify(side)}))()`)
}
