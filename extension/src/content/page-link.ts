import { parseMessage } from '../protocol/messages.ts'
import { createReconnectingPort, type PortLike, type ReconnectingPort } from '../transport/reconnecting-port.ts'

/**
 * The content script's link to the service worker, open only while an AuthLens panel inspects the
 * tab. The worker wakes it (`rescan`) when a panel subscribes and puts it to sleep (`sleep`) when
 * the last panel for the tab goes: asleep, nothing is read or sent. Web Storage gives no event for
 * a document's own writes (the `storage` event reaches only other documents of the origin), so
 * while awake those are found by comparing reads every `pollMs`; other documents' writes come
 * from the `storage` event at once.
 */

export interface PageLinkDeps {
  connect: () => PortLike
  canRetry: () => boolean
  /** Everything the panel needs about the page, after a (re)connect or when the worker asks. */
  announce: (send: (message: unknown) => void) => void
  /** Storage changes since the last look, as messages to send. */
  changes: () => unknown[]
  /** Listens to the `storage` event; returns the function that stops listening. */
  onStorageEvent: (listener: () => void) => () => void
  pollMs: number
}

export interface PageLink {
  /** The worker's `rescan`: connect and announce, or announce again when connected. */
  wake(): void
  /** Sends while awake; asleep, it is dropped (the caller's backlog replays it at the next wake). */
  send(message: unknown): void
  readonly awake: boolean
}

export function createPageLink(deps: PageLinkDeps): PageLink {
  let link: ReconnectingPort | null = null
  let stopWatching: (() => void) | null = null

  const sleep = () => {
    stopWatching?.()
    stopWatching = null
    link?.close()
    link = null
  }

  const check = () => {
    if (!link) return
    // The extension was updated or removed under this page: nothing will listen any more.
    if (link.state === 'closed') return sleep()
    for (const message of deps.changes()) link.send(message)
  }

  const wake = () => {
    if (link) return deps.announce(link.send)
    link = createReconnectingPort({
      connect: deps.connect,
      canRetry: deps.canRetry,
      onConnect: (_reconnected, send) => deps.announce(send),
      onMessage(raw) {
        const parsed = parseMessage(raw, 'worker')
        if (!parsed.ok) return
        if (parsed.message.type === 'rescan') wake()
        else if (parsed.message.type === 'sleep') sleep()
      },
    })
    const timer = setInterval(check, deps.pollMs)
    const stopListening = deps.onStorageEvent(check)
    stopWatching = () => {
      clearInterval(timer)
      stopListening()
    }
  }

  return {
    wake,
    send: (message) => link?.send(message),
    get awake() {
      return link !== null
    },
  }
}
