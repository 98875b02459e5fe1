import { parseMessage } from '../protocol/messages.ts'
import type { PanelTransport } from '../panel/transport.ts'
import { messageComposer } from '../transport/compose.ts'
import { panelPortName } from '../transport/port-names.ts'
import { createReconnectingPort } from '../transport/reconnecting-port.ts'
import { decodeContent, toExchange, wantsResponseBody } from './har.ts'

/**
 * Which document the inspected tab shows: `performance.timeOrigin` is fixed for a document's life
 * and new for every document, so an unchanged value after `onNavigated` means the page moved its
 * own URL (`history.pushState`), as single-page apps do. Read with `inspectedWindow.eval`, which
 * runs the expression and leaves nothing in the page (E18). A page that fakes the value can at most
 * keep the panel from starting over; null when it cannot be read, which counts as a new document.
 */
function documentTimeOrigin(): Promise<number | null> {
  return new Promise((resolve) => {
    chrome.devtools.inspectedWindow.eval<unknown>('performance.timeOrigin', (result, exception) => {
      resolve(!exception?.isException && !exception?.isError && typeof result === 'number' ? result : null)
    })
  })
}

/**
 * The panel's transport inside DevTools: one port to the service worker for the inspected tab
 * (reconnecting when Chrome stops the worker, re-subscribing on reconnect), plus
 * `chrome.devtools.network` for exchanges and navigations. The HAR log is read once at start, so
 * requests made before the panel was first opened are not lost.
 */
export function createChromeTransport(): PanelTransport {
  const tabId = chrome.devtools.inspectedWindow.tabId
  const compose = messageComposer('panel', 'pt')
  let port: ReturnType<typeof createReconnectingPort> | null = null
  return {
    tabId,
    kind: 'devtools',
    start(sink) {
      let stopped = false
      sink.connection('connecting')
      port = createReconnectingPort({
        connect: () => chrome.runtime.connect({ name: panelPortName(tabId) }),
        canRetry: () => Boolean(chrome.runtime?.id),
        // Every (re)connection meets a worker that may have forgotten this tab: subscribe again.
        onConnect: (_reconnected, send) => send(compose({ type: 'subscribe', tabId })),
        onStateChange: (state) => sink.connection(state),
        onMessage(raw) {
          const parsed = parseMessage(raw, 'worker')
          if (parsed.ok) sink.worker(parsed.message)
          else console.warn(`[AuthLens] worker message refused: ${parsed.error.code} ${parsed.error.detail}`)
        },
      })
      const onRequest = (request: chrome.devtools.network.Request) => {
        if (stopped) return
        if (!wantsResponseBody(request)) {
          const exchange = toExchange(request)
          if (exchange) sink.exchange(exchange)
          return
        }
        request.getContent((content, encoding) => {
          const exchange = toExchange(request, decodeContent(content, encoding))
          if (exchange && !stopped) sink.exchange(exchange)
        })
      }
      let shownDocument = documentTimeOrigin()
      const onNavigated = (url: string) => {
        const previous = shownDocument
        shownDocument = documentTimeOrigin()
        void Promise.all([previous, shownDocument]).then(([before, after]) => {
          if (!stopped) sink.navigated(url, before !== null && before === after)
        })
      }
      chrome.devtools.network.getHAR((log) => {
        for (const entry of log.entries) onRequest(entry as chrome.devtools.network.Request)
      })
      chrome.devtools.network.onRequestFinished.addListener(onRequest)
      chrome.devtools.network.onNavigated.addListener(onNavigated)
      return () => {
        stopped = true
        chrome.devtools.network.onRequestFinished.removeListener(onRequest)
        chrome.devtools.network.onNavigated.removeListener(onNavigated)
        port?.close()
      }
    },
    send(message) {
      port?.send(message)
    },
  }
}
