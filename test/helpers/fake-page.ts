import { vi } from 'vitest'

/**
 * The few browser globals the OIDC sign-in touches, for a test in Node: `location` (navigations
 * recorded instead of made), `history.replaceState` (recorded, and moves `location`), and a
 * `sessionStorage` of this "tab". `window` stays undefined, so the client does not restore or
 * coordinate tabs: each fake page is one tab of its own.
 */
export function fakePage(url: string) {
  const navigations: string[] = []
  const replaced: string[] = []
  const items = new Map<string, string>()
  const location = {
    href: url,
    get origin() {
      return new URL(this.href).origin
    },
    assign: (target: string) => void navigations.push(String(target)),
  }
  const history = {
    state: null,
    replaceState(_state: unknown, _title: string, target: string) {
      replaced.push(target)
      location.href = new URL(target, location.href).href
    },
  }
  const sessionStorage = {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, String(value)),
    removeItem: (key: string) => void items.delete(key),
    get length() {
      return items.size
    },
  }
  return {
    location,
    history,
    sessionStorage,
    navigations,
    replaced,
    items,
    /** Makes this page the current one (its globals), as when the tab is in front. */
    enter() {
      vi.stubGlobal('location', location)
      vi.stubGlobal('history', history)
      vi.stubGlobal('sessionStorage', sessionStorage)
    },
    /** The browser arriving at `target` in this tab (the provider's redirect back). */
    visit(target: string) {
      location.href = target
    },
  }
}

export type FakePage = ReturnType<typeof fakePage>
