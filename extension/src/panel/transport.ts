import type { ExchangeObservation } from '../core/observations.ts'
import type { PanelMessage, WorkerMessage } from '../protocol/messages.ts'

/**
 * What the panel needs from the outside world, and nothing more: validated messages from the
 * service worker, finished network exchanges, navigations, and the port's health. In DevTools this
 * is `chrome.runtime` + `chrome.devtools.network` (devtools/chrome-transport.ts); under `vite dev`
 * and in tests a fake (fake-transport.ts), as Apollo DevTools does with its fake message adapter.
 */

export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'closed'

export interface TransportSink {
  worker(message: WorkerMessage): void
  exchange(observation: ExchangeObservation): void
  /**
   * The inspected tab's URL changed. `sameDocument`: the page changed its URL itself
   * (`history.pushState`, a fragment) and kept its document, as single-page apps route; otherwise a
   * new document was loaded (a link, a reload, a redirect).
   */
  navigated(url: string, sameDocument: boolean): void
  connection(state: ConnectionState): void
}

export interface PanelTransport {
  /** The inspected tab. */
  readonly tabId: number
  /** Shown in the panel so a fake is never mistaken for the real thing. */
  readonly kind: 'devtools' | 'fake'
  /** Starts delivering to `sink`; the returned function stops. */
  start(sink: TransportSink): () => void
  send(message: PanelMessage): void
}
