import type { CookieRecord } from '../core/cookies.ts'
import { cookieBelongsToHost, hostOf, toCookieRecord } from './cookie-scope.ts'
import { createRouter } from './router.ts'

/**
 * The service worker: chrome.* wiring for router.ts. Holds nothing but in-memory state; writes
 * nothing to `chrome.storage` or any other store (E16). Listeners are registered synchronously at
 * the top level so a worker woken by a port or a cookie change receives that very event.
 */

async function cookiesFor(url: string): Promise<CookieRecord[]> {
  const host = hostOf(url)
  if (!host) return []
  // `partitionKey: {}` includes every CHIPS partition (Chrome 119+); `domain` adds other paths.
  const [byUrl, byDomain] = await Promise.all([
    chrome.cookies.getAll({ url, partitionKey: {} }),
    chrome.cookies.getAll({ domain: host, partitionKey: {} }),
  ])
  const seen = new Map<string, CookieRecord>()
  for (const cookie of [...byUrl, ...byDomain]) {
    if (!cookieBelongsToHost(cookie, host)) continue
    const record = toCookieRecord(cookie)
    seen.set(`${record.name}\u0000${record.domain}\u0000${record.path}\u0000${record.partitionKey?.topLevelSite ?? ''}`, record)
  }
  return [...seen.values()].slice(0, 300)
}

const router = createRouter({
  extensionId: chrome.runtime.id,
  extensionOrigin: chrome.runtime.getURL(''),
  cookiesFor,
  wakeTab: async (tabId, message) => {
    try {
      await chrome.tabs.sendMessage(tabId, message, { frameId: 0 })
      return true
    } catch {
      return false
    }
  },
  log: (text) => console.debug(`[AuthLens] ${text}`),
})

chrome.runtime.onConnect.addListener((port) => router.connect(port))
chrome.runtime.onMessage.addListener((raw: unknown, sender, sendResponse) => {
  sendResponse(router.oneOffMessage(raw, sender))
  return false
})
chrome.cookies.onChanged.addListener(({ cookie, removed, cause }) => router.cookieChanged({ cookie: toCookieRecord(cookie), removed, cause }))
chrome.tabs.onRemoved.addListener((tabId) => router.tabRemoved(tabId))
