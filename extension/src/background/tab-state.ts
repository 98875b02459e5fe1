import type { ContentMessage } from '../protocol/messages.ts'
import { createSdkBacklog, type SdkBacklog } from '../protocol/sdk-backlog.ts'
import { MAX_STORAGE_ENTRIES, type StorageEntry } from '../protocol/storage-snapshot.ts'

/**
 * What the service worker holds per inspected tab, so a panel that (re)connects gets the page's
 * state at once: the URL, the Web Storage entries and the SDK backlog. Capped per tab and in number
 * of tabs; in memory only (E16), so a stopped worker forgets it and the page re-announces (E12).
 */

export interface TabPage {
  url: string | null
  storage: Map<string, StorageEntry>
  sdk: SdkBacklog
}

export interface TabSnapshot {
  url: string | null
  storage: StorageEntry[]
  sdk: ReturnType<SdkBacklog['list']>
}

const storageId = (entry: Pick<StorageEntry, 'area' | 'key'>) => `${entry.area}\u0000${entry.key}`
/** Two Web Storage areas. */
const MAX_ENTRIES_PER_TAB = MAX_STORAGE_ENTRIES * 2

export function createTabStates(maxTabs = 100) {
  const tabs = new Map<number, TabPage>()

  const fresh = (url: string | null): TabPage => ({ url, storage: new Map(), sdk: createSdkBacklog() })
  const ensure = (tabId: number): TabPage => {
    let page = tabs.get(tabId)
    if (!page) {
      page = fresh(null)
      tabs.set(tabId, page)
      if (tabs.size > maxTabs) tabs.delete(tabs.keys().next().value as number)
    }
    return page
  }

  return {
    /** Applies what a content script said; a `page-hello` starts the tab over (a new document). */
    apply(tabId: number, message: ContentMessage): void {
      switch (message.type) {
        case 'page-hello':
          tabs.set(tabId, fresh(message.url))
          break
        case 'storage-snapshot': {
          const page = ensure(tabId)
          page.url = message.url
          page.storage = new Map(message.entries.slice(0, MAX_ENTRIES_PER_TAB).map((e) => [storageId(e), e]))
          break
        }
        case 'storage-changed': {
          const page = ensure(tabId)
          const id = storageId(message.entry)
          page.storage.delete(id)
          if (!message.removed && page.storage.size < MAX_ENTRIES_PER_TAB) page.storage.set(id, message.entry)
          break
        }
        case 'sdk':
          ensure(tabId).sdk.add(message.message)
          break
      }
    },
    snapshot(tabId: number): TabSnapshot {
      const page = tabs.get(tabId)
      return page ? { url: page.url, storage: [...page.storage.values()], sdk: page.sdk.list() } : { url: null, storage: [], sdk: [] }
    },
    url: (tabId: number) => tabs.get(tabId)?.url ?? null,
    remove(tabId: number): void {
      tabs.delete(tabId)
    },
  }
}

export type TabStates = ReturnType<typeof createTabStates>
