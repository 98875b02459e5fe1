import type { DevtoolsMessage } from '@authlens/sdk/devtools-protocol'
import { looksLikeSdkMessage, parseSdkMessage } from '../protocol/sdk-bridge.ts'

/**
 * Receives the SDK bridge's `window.postMessage` traffic in the content script's isolated world.
 * Only messages the page posted to itself count (`event.source === window`): frames and other
 * windows cannot pose as the SDK. Everything else the page can still forge, so each message is
 * validated and capped (E4), and a page flooding the channel is cut off at a rate, not trusted.
 */

export interface SdkListenerOptions {
  onMessage: (message: DevtoolsMessage) => void
  /** Messages per second passed on; the SDK posts a handful per auth event. */
  maxPerSecond?: number
  now?: () => number
}

export function listenToSdk(target: Window, { onMessage, maxPerSecond = 50, now = Date.now }: SdkListenerOptions): () => void {
  let windowStart = 0
  let inWindow = 0
  const listener = (event: MessageEvent) => {
    if (event.source !== target || !looksLikeSdkMessage(event.data)) return
    const t = now()
    if (t - windowStart >= 1000) {
      windowStart = t
      inWindow = 0
    }
    if (++inWindow > maxPerSecond) return
    const parsed = parseSdkMessage(event.data)
    if (parsed.ok) onMessage(parsed.message)
  }
  target.addEventListener('message', listener)
  return () => target.removeEventListener('message', listener)
}
