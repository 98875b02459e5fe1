import type { ExchangeObservation } from '../core/observations.ts'
import { parseMessage, type PanelMessage, type WorkerMessage } from '../protocol/messages.ts'
import type { ConnectionState, PanelTransport, TransportSink } from './transport.ts'

/**
 * A transport driven by hand: tests (and the `vite dev` demo) push worker messages, exchanges and
 * navigations, and read what the panel sent. Worker messages go through the same validation as
 * in DevTools, so a test cannot feed the panel something the real transport would refuse.
 */
export interface FakeTransport extends PanelTransport {
  readonly sent: PanelMessage[]
  worker(message: WorkerMessage): void
  exchange(observation: ExchangeObservation): void
  /** A new document at `url`; `{ sameDocument: true }` for an SPA's `history.pushState`. */
  navigate(url: string, options?: { sameDocument?: boolean }): void
  connection(state: ConnectionState): void
}

export function createFakeTransport(tabId = 1): FakeTransport {
  let sink: TransportSink | null = null
  const sent: PanelMessage[] = []
  return {
    tabId,
    kind: 'fake',
    sent,
    start(next) {
      sink = next
      next.connection('connected')
      return () => {
        sink = null
      }
    },
    send(message) {
      sent.push(message)
    },
    worker(message) {
      const parsed = parseMessage(JSON.parse(JSON.stringify(message)) as unknown, 'worker')
      if (!parsed.ok) throw new Error(`the fake worker sent an invalid message: ${parsed.error.code} ${parsed.error.detail}`)
      sink?.worker(parsed.message)
    },
    exchange: (observation) => sink?.exchange(observation),
    navigate: (url, options) => sink?.navigated(url, options?.sameDocument ?? false),
    connection: (state) => sink?.connection(state),
  }
}
