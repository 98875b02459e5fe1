/**
 * A `chrome.runtime.Port` that survives the service worker being stopped. Chrome stops an idle MV3
 * worker after about 30 s and every port to it disconnects; React, Redux and Vue DevTools all
 * reconnect with a short doubling back-off and a bounded outgoing queue, and have the page
 * re-announce its state on reconnect ("left a tab open, came back, the panel is empty" otherwise).
 * Knows nothing about `chrome`: the caller passes `connect`, so tests drive it with fake ports.
 */

export interface PortLike {
  postMessage(message: unknown): void
  disconnect(): void
  onMessage: { addListener(listener: (message: unknown) => void): void }
  onDisconnect: { addListener(listener: () => void): void }
}

export type PortState = 'connected' | 'reconnecting' | 'closed'

export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

export interface ReconnectingPortOptions {
  /** Opens a new port; may throw (the extension was reloaded under a content script). */
  connect: () => PortLike
  onMessage: (message: unknown) => void
  /** Runs before queued messages are flushed: the place to re-announce state through `send`. */
  onConnect?: (reconnected: boolean, send: (message: unknown) => void) => void
  onStateChange?: (state: PortState) => void
  /** False stops retrying for good (e.g. `chrome.runtime.id` is gone after an extension update). */
  canRetry?: () => boolean
  initialDelayMs?: number
  maxDelayMs?: number
  maxQueue?: number
  timers?: Timers
}

export interface ReconnectingPort {
  send(message: unknown): void
  close(): void
  readonly state: PortState
  /** Messages dropped from the full queue while disconnected. */
  readonly dropped: number
}

const realTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
}

export function createReconnectingPort(options: ReconnectingPortOptions): ReconnectingPort {
  const { initialDelayMs = 100, maxDelayMs = 5000, maxQueue = 200, timers = realTimers, canRetry = () => true } = options
  const queue: unknown[] = []
  let port: PortLike | null = null
  let state: PortState = 'reconnecting'
  let delay = initialDelayMs
  let retryTimer: unknown = null
  let stableTimer: unknown = null
  let connections = 0
  let dropped = 0

  const setState = (next: PortState) => {
    if (state === next) return
    state = next
    options.onStateChange?.(next)
  }

  const enqueue = (message: unknown) => {
    queue.push(message)
    if (queue.length > maxQueue) {
      queue.shift()
      dropped++
    }
  }

  const scheduleRetry = () => {
    if (state === 'closed') return
    if (!canRetry()) {
      setState('closed')
      return
    }
    setState('reconnecting')
    retryTimer = timers.setTimeout(open, delay)
    delay = Math.min(delay * 2, maxDelayMs)
  }

  const lost = (which: PortLike) => {
    if (port !== which) return
    port = null
    if (stableTimer !== null) timers.clearTimeout(stableTimer)
    stableTimer = null
    scheduleRetry()
  }

  function open() {
    retryTimer = null
    if (state === 'closed') return
    let next: PortLike
    try {
      next = options.connect()
    } catch {
      scheduleRetry()
      return
    }
    port = next
    next.onMessage.addListener((message) => {
      if (port === next) options.onMessage(message)
    })
    next.onDisconnect.addListener(() => lost(next))
    // A port that stays up for a while proves the worker is healthy: the next loss starts over.
    stableTimer = timers.setTimeout(() => {
      stableTimer = null
      delay = initialDelayMs
    }, initialDelayMs * 10)
    setState('connected')
    options.onConnect?.(connections++ > 0, post)
    while (port === next && queue.length > 0) post(queue.shift())
  }

  const post = (message: unknown) => {
    if (state === 'closed') return
    const current = port
    if (!current) {
      enqueue(message)
      return
    }
    try {
      current.postMessage(message)
    } catch {
      // Disconnected but `onDisconnect` not delivered yet: keep the message for the next port.
      enqueue(message)
      lost(current)
    }
  }

  open()

  return {
    send: post,
    close() {
      setState('closed')
      if (retryTimer !== null) timers.clearTimeout(retryTimer)
      if (stableTimer !== null) timers.clearTimeout(stableTimer)
      const current = port
      port = null
      queue.length = 0
      current?.disconnect()
    },
    get state() {
      return state
    },
    get dropped() {
      return dropped
    },
  }
}
