import { describe, expect, it } from 'vitest'
import { createInspector } from '../core/index.ts'
import { epochFor, fromCurrentPage, pageUrlOf, workerObservations } from './worker-observations.ts'
import { PAGE, T0, page, sdkEvent, sessionCookie, worker } from './testing.ts'

const empty = { storage: [], cookies: [] }

describe('workerObservations', () => {
  it('E12 a worker snapshot only adds (after a restart it is empty); a page storage snapshot also removes', () => {
    const known = { storage: [{ area: 'localStorage' as const, key: 'gone', size: 1, holdsToken: true }], cookies: [] }
    expect(workerObservations(worker({ type: 'snapshot', tabId: 1, url: null, storage: [], sdk: [] }), T0, known)).toEqual([])
    const fromPage = workerObservations(page(1, { type: 'storage-snapshot', url: PAGE, entries: [{ area: 'localStorage', key: 'kept', value: 'v', size: 1 }] }), T0, known)
    expect(fromPage).toEqual([
      { kind: 'storage', at: T0, area: 'localStorage', key: 'kept', value: 'v' },
      { kind: 'storage', at: T0, area: 'localStorage', key: 'gone', value: null },
    ])
  })

  it('skips values too large to send, keeps the SDK’s own time on SDK messages', () => {
    const obs = workerObservations(
      worker({ type: 'snapshot', tabId: 1, url: PAGE, storage: [{ area: 'sessionStorage', key: 'cache', value: null, size: 9_000_000 }], sdk: [sdkEvent('e1', 'login', T0 - 5000)] }),
      T0,
      empty,
    )
    expect(obs).toEqual([{ kind: 'page-url', at: T0, url: PAGE }, { kind: 'sdk', at: T0 - 5000, message: sdkEvent('e1', 'login', T0 - 5000) }])
  })

  it('reconciles a cookie list without inventing a logout', () => {
    const inspector = createInspector()
    const stale = { ...sessionCookie, name: 'old' }
    inspector.ingest({ kind: 'cookie', at: T0, cookie: stale, removed: false })
    const obs = workerObservations(worker({ type: 'cookies', tabId: 1, url: PAGE, cookies: [sessionCookie] }), T0, inspector.snapshot())
    expect(obs).toEqual([
      { kind: 'cookie', at: T0, cookie: sessionCookie, removed: false },
      { kind: 'cookie', at: T0, cookie: stale, removed: true, cause: 'evicted' },
    ])
    for (const o of obs) inspector.ingest(o)
    expect(inspector.snapshot().timeline.some((e) => e.kind === 'logout')).toBe(false)
  })

  it('passes the chrome.cookies cause through, and only known causes', () => {
    expect(workerObservations(worker({ type: 'cookie-changed', tabId: 1, cookie: sessionCookie, removed: true, cause: 'explicit' }), T0, empty)).toEqual([{ kind: 'cookie', at: T0, cookie: sessionCookie, removed: true, cause: 'explicit' }])
    expect(workerObservations(worker({ type: 'cookie-changed', tabId: 1, cookie: sessionCookie, removed: true, cause: 'weird' }), T0, empty)).toEqual([{ kind: 'cookie', at: T0, cookie: sessionCookie, removed: true }])
  })

  it('names the page URL a message reveals', () => {
    expect(pageUrlOf(page(1, { type: 'page-hello', url: PAGE }))).toBe(PAGE)
    expect(pageUrlOf(worker({ type: 'snapshot', tabId: 1, url: null, storage: [], sdk: [] }))).toBeNull()
  })
})

describe('fromCurrentPage', () => {
  const epoch = epochFor('https://app.example.com/next', T0)
  it('E12 after starting over, drops the old page’s SDK messages and other origins’ page data', () => {
    expect(fromCurrentPage(page(1, { type: 'sdk', message: sdkEvent('old', 'login', T0 - 60_000) }), epoch)).toBeNull()
    expect(fromCurrentPage(page(1, { type: 'sdk', message: sdkEvent('new', 'login', T0 + 10) }), epoch)).not.toBeNull()
    expect(fromCurrentPage(page(1, { type: 'page-hello', url: 'https://other.example.org/' }), epoch)).toBeNull()
    expect(fromCurrentPage(page(1, { type: 'page-hello', url: 'https://app.example.com/elsewhere' }), epoch)).not.toBeNull()
    const snapshot = fromCurrentPage(worker({ type: 'snapshot', tabId: 1, url: 'https://other.example.org/', storage: [{ area: 'localStorage', key: 'k', value: 'v', size: 1 }], sdk: [sdkEvent('old', 'login', T0 - 60_000)] }), epoch)
    expect(snapshot).toMatchObject({ url: null, storage: [], sdk: [] })
    expect(fromCurrentPage(worker({ type: 'cookies', tabId: 1, url: PAGE, cookies: [] }), epoch)).not.toBeNull()
  })

  it('lets everything through before any reset', () => {
    const message = page(1, { type: 'sdk', message: sdkEvent('old', 'login', 0) })
    expect(fromCurrentPage(message, null)).toBe(message)
  })
})
