import { parseMessage } from '../protocol/messages.ts'
import { SDK_HELLO } from '../protocol/sdk-bridge.ts'
import { messageComposer } from '../transport/compose.ts'
import { CONTENT_PORT_NAME } from '../transport/port-names.ts'
import { createSdkBacklog } from '../protocol/sdk-backlog.ts'
import { createPageLink } from './page-link.ts'
import { listenToSdk } from './sdk-listener.ts'
import { createStorageWatcher, pageStorage } from './storage-watch.ts'

/**
 * The content script: the only part of AuthLens inside the inspected page, in the browser's
 * isolated world. It stays passive (listening to the SDK bridge, keeping a small backlog) until the
 * service worker says a panel inspects this tab; only then does it connect and send the page's Web
 * Storage, and it stops again when the last panel closes (page-link.ts). It never adds anything to
 * the page's DOM or JavaScript world (E18); the one thing the page sees is the SDK bridge's
 * `hello`, asking an SDK created with `devtools: true` to announce its state.
 */

const POLL_MS = 500
const message = messageComposer('content', 'c')
const backlog = createSdkBacklog()
const watcher = createStorageWatcher(pageStorage(window))

const inspectable = () => /^(https?|file):/i.test(location.href)

const link = createPageLink({
  connect: () => chrome.runtime.connect({ name: CONTENT_PORT_NAME }),
  canRetry: () => Boolean(chrome.runtime?.id),
  announce(send) {
    const url = location.href
    send(message({ type: 'page-hello', url }))
    send(message({ type: 'storage-snapshot', url, entries: watcher.snapshot() }))
    for (const sdkMessage of backlog.list()) send(message({ type: 'sdk', message: sdkMessage }))
    // '/': same origin only. The SDK answers with a fresh state message.
    window.postMessage(SDK_HELLO, '/')
  },
  changes: () => watcher.poll().map((change) => message({ type: 'storage-changed', url: location.href, ...change })),
  onStorageEvent(listener) {
    window.addEventListener('storage', listener)
    return () => window.removeEventListener('storage', listener)
  },
  pollMs: POLL_MS,
})

listenToSdk(window, {
  onMessage(sdkMessage) {
    backlog.add(sdkMessage)
    link.send(message({ type: 'sdk', message: sdkMessage }))
  },
})

// Only the extension's own service worker may wake this script (`tabs.sendMessage` from its URL).
chrome.runtime.onMessage.addListener((raw: unknown, sender: chrome.runtime.MessageSender) => {
  if (sender.id !== chrome.runtime.id || !sender.url?.startsWith(chrome.runtime.getURL(''))) return
  const parsed = parseMessage(raw, 'worker')
  if (parsed.ok && parsed.message.type === 'rescan' && inspectable()) link.wake()
})
