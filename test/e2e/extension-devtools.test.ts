import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { RemoteTarget } from '../helpers/cdp-relay.ts'
import { extensionDist } from '../helpers/extension-build.ts'
import { panelView, waitFor } from '../helpers/panel-view.ts'
import type { ExtensionBrowser } from '../helpers/extension-browser.ts'
import { openPanelSession, type PanelSession } from '../helpers/panel-session.ts'
import type { FixtureServer } from '../helpers/fixture-server.ts'

/**
 * The real AuthLens panel inside real DevTools: headed Chromium under Xvfb with the built extension,
 * DevTools opened for the tab, the panel shown through the DevTools front end, and a page served
 * with the real mock backend (real Set-Cookie, real HttpOnly). Assertions read the panel's DOM:
 * what a person sees. Screenshots go to test/e2e/screenshots/.
 */

const SIGNATURE_NOTE = 'Signature not verified'

describe('AuthLens DevTools panel in real DevTools', () => {
  let server: FixtureServer
  let browser: ExtensionBrowser
  let page: Page
  let frontEnd: RemoteTarget
  let panel: RemoteTarget
  /** Uncaught exceptions and console errors in the panel page: there must be none (E12: "no errors"). */
  let panelErrors: string[] = []

  const { inPanel, showView, screenshot, tokenCards, connection } = panelView({ panel: () => panel, frontEnd: () => frontEnd })
  const timelineRows = () =>
    inPanel<Array<{ kind: string; at: number; text: string }>>(`
      return [...document.querySelectorAll('[data-testid=timeline-row]')].map((row) => ({ kind: row.dataset.kind, at: Number(row.dataset.at), text: row.title + ' @' + row.querySelector('.time').textContent }))`)
  const aliceCard = async () => (await tokenCards()).find((card) => card.text.includes('"sub": "u_alice"') && card.text.includes('"name": "Alice Liddell"') && !card.text.includes('refreshed →'))

  /** ServiceWorker.stopAllWorkers, as Chrome does to an idle worker after ~30 s; resolves once stopped. */
  const stopServiceWorker = async () => {
    const cdp = await browser.context.newCDPSession(page)
    const stopped = new Promise<void>((resolve) => {
      cdp.on('ServiceWorker.workerVersionUpdated', ({ versions }: { versions: Array<{ scriptURL: string; runningStatus: string }> }) => {
        if (versions.some((v) => v.scriptURL.startsWith('chrome-extension://') && v.runningStatus === 'stopped')) resolve()
      })
    })
    await cdp.send('ServiceWorker.enable')
    await cdp.send('ServiceWorker.stopAllWorkers')
    await stopped
    await cdp.detach()
  }

  let session: PanelSession | undefined

  beforeAll(async () => {
    session = await openPanelSession('extension-page')
    ;({ server, browser, page, frontEnd, panel, panelErrors } = session)
  }, 90_000)

  afterAll(() => session?.close())

  it('shows the decoded token, its ticking countdown, where it lives, within a second of sign-in', async () => {
    expect(await page.evaluate(() => window.fixture.signInJwt())).toBe('authenticated')
    const signedInAt = Date.now()
    await waitFor('the access token card', aliceCard, 5000)
    const shownMs = Date.now() - signedInAt
    // Network, SDK bridge and Web Storage (polled) each add what they saw to the one card.
    let last = ''
    const card = await waitFor('the token with every place it was seen', async () => {
      const text = (await aliceCard())?.text ?? ''
      last = text
      return /lives in localStorage "authlens:\/api\.accessToken"/.test(text) && /received in response body "accessToken" ← POST \/api\/auth\/login \(200\)/.test(text) ? text : null
    }).catch((error: Error) => {
      throw new Error(`${error.message}; the card read:\n${last}`)
    })
    const completeMs = Date.now() - signedInAt
    console.info(`sign-in → token in the panel: ${shownMs} ms; with every place: ${completeMs} ms`)
    expect(completeMs, 'a change shows within 1 s').toBeLessThan(1000)
    expect(card).toContain(SIGNATURE_NOTE)
    expect(card).toContain('JWT (JWS)')
    expect(card).toContain('"iss": "https://auth.authlens.test"')
    expect(card).toMatch(/lives in SDK, stored in localStorage/)

    expect(await page.evaluate(() => window.fixture.me())).toBe(200)
    const sent = await waitFor('the token to be shown as sent', async () => ((await aliceCard())?.text.match(/sent in Authorization header → GET \/api\/me \(200\)/) ? await aliceCard() : null))
    // Countdown on both clocks (E19), and it ticks.
    const countdown = /Expires in (\d+m \d{2}s)/.exec(sent?.text ?? '')?.[1]
    expect(countdown).toMatch(/^4m \d{2}s$/)
    expect(sent?.text).toMatch(/local clock: in 4m \d{2}s · server clock: in 4m \d{2}s \(±\d\.\d s, \d+ samples?\)/)
    const later = await waitFor('the countdown to tick', async () => {
      const value = /Expires in (\d+m \d{2}s)/.exec((await aliceCard())?.text ?? '')?.[1]
      return value && value !== countdown ? value : null
    }, 3000)
    expect(later).toMatch(/^4m \d{2}s$/)
    await screenshot('tokens')
  })

  it('shows the HttpOnly session cookie with its flags, value masked until revealed', async () => {
    expect(await page.evaluate(() => window.fixture.signInSession())).toBe('authenticated')
    await showView('Cookies')
    const row = await waitFor('the __Host-sid row', () => inPanel<string | null>(`return document.querySelector('[data-cookie-name="__Host-sid"]')?.innerText ?? null`))
    for (const flag of ['HttpOnly', 'Secure', 'SameSite=Lax', '__Host- prefix', 'session']) expect(row).toContain(flag)
    const real = (await browser.context.cookies(server.url)).find((c) => c.name === '__Host-sid')
    expect(real?.httpOnly).toBe(true)
    // E13: masked by default.
    expect(row).toContain(`••••• (${real?.value.length} chars)`)
    expect(row).not.toContain(real?.value ?? '?')
    // The page itself cannot read it; the panel can, on request.
    expect(await page.evaluate(() => document.cookie)).not.toContain('__Host-sid')
    await inPanel(`document.querySelector('[aria-label="Reveal value of __Host-sid"]').click()`)
    await waitFor('the revealed value', async () => (await inPanel<string>(`return document.querySelector('[data-cookie-name="__Host-sid"] .cookie-value').textContent`)) === real?.value)
    await inPanel(`document.querySelector('[aria-label="Hide value of __Host-sid"]').click()`)
    const csrf = await inPanel<string>(`return document.querySelector('[data-cookie-name="XSRF-TOKEN"]').innerText`)
    expect(csrf).toContain('JS-readable')
    await screenshot('cookies')
  })

  it('puts a refresh on the timeline and flags the token in localStorage (W1)', async () => {
    expect(await page.evaluate(() => window.fixture.refresh())).toBe('authenticated')
    await showView('Timeline')
    const rows = await waitFor('a refresh on the timeline', async () => {
      const list = await timelineRows()
      return list.some((r) => r.kind === 'refresh-detected') ? list : null
    })
    expect(rows.find((r) => r.kind === 'refresh-detected')?.text).toMatch(/^Refresh: access token for u_alice · \w{8} replaces \w{8}/)
    expect(rows.some((r) => r.kind === 'login')).toBe(true)
    await screenshot('timeline')

    await showView('Audit')
    const w1 = await waitFor('the W1 finding', () => inPanel<string | null>(`return document.querySelector('[data-rule=W1]')?.innerText ?? null`))
    expect(w1).toContain('Token in localStorage')
    expect(w1).toContain('medium')
    expect(w1).toContain('Reference: OWASP Session Management Cheat Sheet')
    await screenshot('audit')

    await showView('XSS view')
    const xss = await inPanel<string>(`return document.querySelector('main').innerText`)
    expect(xss).toMatch(/localStorage "authlens:\/api" \(\d+ chars\) holds a token/)
    expect(xss).toMatch(/__Host-sid auth cookie, HttpOnly/)
    await screenshot('xss')
    await showView('Tokens')
  })

  it('E18 injects nothing readable into the page: no globals, no DOM, only the bridge hello', async () => {
    const report = await page.evaluate(() => {
      const frame = document.createElement('iframe')
      document.body.append(frame)
      const baseline = new Set(Object.getOwnPropertyNames(frame.contentWindow))
      frame.remove()
      const added = Object.getOwnPropertyNames(window).filter((name) => !baseline.has(name))
      const html = document.documentElement.outerHTML
      const chromeGlobal = (window as unknown as { chrome?: { runtime?: { sendMessage?: unknown } } }).chrome
      return {
        added,
        extensionUrls: html.includes('chrome-extension://'),
        shadowHosts: [...document.querySelectorAll('*')].filter((el) => el.shadowRoot).length,
        runtimeReachable: typeof chromeGlobal?.runtime?.sendMessage === 'function',
        received: window.fixture.received(),
      }
    })
    // Vite's client and the fixture are the page's own.
    expect(report.added.filter((name) => !['fixture', '__vite_plugin_react_preamble_installed__'].includes(name) && !name.startsWith('__vite'))).toEqual([])
    expect(report.extensionUrls).toBe(false)
    expect(report.shadowHosts).toBe(0)
    // E17: no externally_connectable, so the page has no channel to the extension at all.
    expect(report.runtimeReachable).toBe(false)
    const fromExtension = report.received.filter((data) => (data as { source?: string }).source !== 'authlens-sdk')
    expect(fromExtension.length).toBeGreaterThan(0)
    expect(fromExtension.every((data) => JSON.stringify(data) === JSON.stringify({ source: 'authlens-devtools', type: 'hello' }))).toBe(true)
  })

  it('E12 recovers after the service worker is stopped and the page reloaded, without duplicates', async () => {
    await inPanel(`document.querySelector('.preserve input').click()`)
    const tokensBefore = (await tokenCards()).map((c) => c.id).sort()
    await showView('Timeline')
    const timelineBefore = await timelineRows()

    await stopServiceWorker()
    await waitFor('the panel port to come back', async () => (await connection()) === 'connected')
    await page.reload()
    await waitFor('the page to restore its session', async () => (await page.evaluate(() => document.querySelector('#jwt')?.textContent ?? '')).startsWith('authenticated'))
    // The content script re-announces and the SDK answers the hello: the timeline is read once it
    // has all its earlier entries back and has stopped changing for a second, however slow the machine.
    let seen = ''
    let changedAt = Date.now()
    const timelineAfter = await waitFor('the timeline to settle with every earlier entry', async () => {
      const rows = await timelineRows()
      const key = JSON.stringify(rows)
      if (key !== seen) [seen, changedAt] = [key, Date.now()]
      const complete = timelineBefore.every((before) => rows.some((row) => row.text === before.text))
      return complete && Date.now() - changedAt >= 1000 ? rows : null
    })
    expect(new Set(timelineAfter.map((r) => r.text)).size, 'no duplicate timeline entries').toBe(timelineAfter.length)
    await showView('Tokens')
    const tokensAfter = (await tokenCards()).map((c) => c.id)
    expect(new Set(tokensAfter).size, 'no duplicate token cards').toBe(tokensAfter.length)
    expect(tokensAfter.sort()).toEqual(tokensBefore)
    await showView('Cookies')
    const cookieNames = await inPanel<string[]>(`return [...document.querySelectorAll('[data-testid=cookie-row]')].map((r) => r.dataset.cookieName)`)
    expect(new Set(cookieNames).size).toBe(cookieNames.length)
    expect(await connection()).toBe('connected')

    // Without preserve log, the reload starts the panel over; the page's state comes back once.
    await inPanel(`document.querySelector('.preserve input').click()`)
    await stopServiceWorker()
    const reloadedAt = Date.now()
    await page.reload()
    await showView('Timeline')
    // The panel starts over (debounced after onNavigated): nothing from before the reload may come back.
    const fresh = await waitFor('a timeline of the reloaded page only', async () => {
      const rows = await timelineRows()
      return rows.length > 0 && rows.every((r) => r.at >= reloadedAt) ? rows : null
    })
    expect(new Set(fresh.map((r) => r.text)).size, 'no duplicate timeline entries').toBe(fresh.length)
    expect(fresh.some((r) => r.kind === 'refresh-detected'), 'the old page’s refresh is gone').toBe(false)
    await showView('Tokens')
    const recovered = await waitFor('the token after a fresh start', aliceCard)
    expect(recovered.text).toContain(SIGNATURE_NOTE)
    const cards = (await tokenCards()).map((c) => c.id)
    expect(new Set(cards).size).toBe(cards.length)
    await showView('Tokens')
    await screenshot('after-worker-restart')
    expect(panelErrors, 'no errors in the panel').toEqual([])
  })

  it('E16 persists nothing: no chrome.storage, no extension localStorage or IndexedDB', async () => {
    const inPanelStores = await inPanel<{ local: number; session: number; idb: number; storageApi: string }>(
      `return { local: localStorage.length, session: sessionStorage.length, idb: (await indexedDB.databases()).length, storageApi: typeof chrome.storage }`,
    )
    expect(inPanelStores).toEqual({ local: 0, session: 0, idb: 0, storageApi: 'undefined' })
    const worker = browser.context.serviceWorkers().filter((w) => w.url().startsWith('chrome-extension://')).at(-1)
    expect(worker).toBeDefined()
    const inWorker = await worker?.evaluate(async () => ({ idb: (await indexedDB.databases()).length, caches: (await caches.keys()).length, storageApi: typeof chrome.storage }))
    expect(inWorker).toEqual({ idb: 0, caches: 0, storageApi: 'undefined' })
  })

  it('E15 sends nothing off the machine during the whole session', async () => {
    // Every request of the service worker, devtools page, panel, content script and inspected page
    // since before the extension was loaded (extension-egress.test.ts shows the check catching some).
    expect(await session?.egress()).toEqual({ leaving: [], gaps: [] })
  })

  it('E14 ships an MV3 CSP without unsafe-inline/eval and no remote code', () => {
    const manifest = JSON.parse(readFileSync(join(extensionDist, 'manifest.json'), 'utf8')) as { manifest_version: number; content_security_policy: { extension_pages: string }; permissions: string[]; externally_connectable?: unknown }
    expect(manifest.manifest_version).toBe(3)
    const csp = manifest.content_security_policy.extension_pages
    expect(csp).toMatch(/script-src 'self'(;|$)/)
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|wasm-unsafe-eval|https?:/)
    expect(manifest.permissions).toEqual(['cookies'])
    expect(manifest.externally_connectable).toBeUndefined()
    const files = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]))
    for (const file of files(extensionDist)) {
      const text = readFileSync(file, 'utf8')
      if (file.endsWith('.html')) {
        // Every script is a same-origin file: none inline, none remote.
        for (const tag of text.match(/<script\b[^>]*>/g) ?? []) expect(tag).toMatch(/src="\/[^"]+"/)
        expect(text).not.toMatch(/<script\b[^>]*>[^<\s]/)
        expect(text).not.toMatch(/(src|href)="(https?:)?\/\//)
      }
      if (file.endsWith('.js')) {
        // The global eval; `inspectedWindow.eval(` is a DevTools method that runs nothing of ours.
        expect(text, file).not.toMatch(/(?<![.\w$])eval\(|new Function\(/)
        expect(text, file).not.toMatch(/import\(\s*["'`]https?:|importScripts\(/)
      }
    }
  })
})
