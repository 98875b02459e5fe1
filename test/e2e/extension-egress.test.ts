import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CDPSession } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { attachTarget, waitForTarget } from '../helpers/cdp-relay.ts'
import type { Egress } from '../helpers/egress-watch.ts'
import { ensureExtensionBuilt, extensionDist } from '../helpers/extension-build.ts'
import { openPanelSession, type PanelSession } from '../helpers/panel-session.ts'
import { panelView, waitFor } from '../helpers/panel-view.ts'

/**
 * E15's check can fail: requests planted in each context of the extension, and in the inspected
 * page, are reported with who made them, while requests of the browser itself are not. Chromium's
 * background services are left on here (no quiet switches), as on a machine whose Chromium build
 * talks to Google at start-up: none of that may be counted against the extension. The extension is
 * a copy of the build whose service worker and devtools page also send a request the moment they
 * start, before anything of theirs could be awaited: the targets that start earliest.
 */
describe('E15 egress check', () => {
  let session: PanelSession
  let probeDir = ''
  const { tokenCards } = panelView({ panel: () => session.panel, frontEnd: () => session.frontEnd })
  const blocked = (url: string) => `fetch(${JSON.stringify(url)}).then(() => 'sent', () => 'blocked')`
  /** A frame to `url` in the document, removed once it has loaded (an error page, behind the proxy). */
  const framed = (url: string) =>
    `new Promise((resolve) => { const frame = document.createElement('iframe'); frame.onload = () => { frame.remove(); resolve('loaded') }; frame.src = ${JSON.stringify(url)}; document.body.append(frame) })`
  const atStart: Egress[] = [
    { origin: 'extension service worker', method: 'GET', url: 'https://worker-start.egress-probe.example/' },
    { origin: 'extension page /src/devtools/devtools.html', method: 'GET', url: 'https://devtools-page-start.egress-probe.example/' },
  ]
  /**
   * Each distinct request once, by URL: a devtools page runs once per DevTools window this Chromium
   * gives it, and the contexts start in no fixed order.
   */
  const distinct = (requests: Egress[]) => [...new Map(requests.map((r) => [JSON.stringify(r), r])).values()].sort((a, b) => a.url.localeCompare(b.url))

  beforeAll(async () => {
    await ensureExtensionBuilt()
    probeDir = mkdtempSync(join(tmpdir(), 'authlens-egress-probe-'))
    cpSync(extensionDist, probeDir, { recursive: true })
    const [worker, devtoolsPage] = atStart
    appendFileSync(join(probeDir, 'service-worker-loader.js'), `\nfetch(${JSON.stringify(worker?.url)}).catch(() => {})\n`)
    const devtoolsScript = /<script[^>]* src="\/([^"]+)"/.exec(readFileSync(join(probeDir, 'src/devtools/devtools.html'), 'utf8'))?.[1]
    if (!devtoolsScript) throw new Error('the built devtools page names no script')
    appendFileSync(join(probeDir, devtoolsScript), `\nfetch(${JSON.stringify(devtoolsPage?.url)}).catch(() => {})\n`)
    session = await openPanelSession('plain-page', { quiet: false, extensionDir: probeDir })
  }, 90_000)

  afterAll(async () => {
    await session?.close()
    rmSync(probeDir, { recursive: true, force: true })
  })

  it('catches what the service worker and devtools page send as they start, and nothing of the browser’s own while the panel inspects a sign-in', async () => {
    expect(await session.page.evaluate(() => window.plain.signIn())).toBe(200)
    await waitFor('the token in the panel', async () => (await tokenCards()).some((card) => card.text.includes('"sub": "u_alice"')))
    const { leaving, gaps } = await waitFor('the start-up requests to be observed', async () => {
      const check = await session.egress()
      return distinct(check.leaving).length >= atStart.length ? check : null
    })
    expect(distinct(leaving)).toEqual(distinct(atStart))
    expect(gaps).toEqual([])
  })

  it('reports requests planted in the panel, devtools page, service worker and page, by origin, and not the front end’s; the proxy received each', async () => {
    const { browser, panel, frontEnd, page, server, spy } = session
    const ext = browser.extensionOrigin
    expect(await panel.evaluate(blocked('https://panel.egress-probe.example/p'))).toBe('blocked')
    expect(
      await panel.evaluate(`new Promise((resolve) => { const socket = new WebSocket('wss://socket.egress-probe.example/s'); socket.onclose = () => resolve('closed') })`),
    ).toBe('closed')
    expect(await panel.evaluate(framed('https://panel-frame.egress-probe.example/f'))).toBe('loaded')
    const devtoolsPage = await attachTarget(browser.relay, await waitForTarget(browser.relay.browser, (t) => t.url === `${ext}/src/devtools/devtools.html`))
    expect(await devtoolsPage.evaluate(blocked('https://devtools-page.egress-probe.example/d'))).toBe('blocked')
    const worker = browser.context.serviceWorkers().filter((w) => w.url().startsWith(ext)).at(-1)
    expect(await worker?.evaluate((url) => fetch(url).then(() => 'sent', () => 'blocked'), 'https://service-worker.egress-probe.example/w')).toBe('blocked')
    expect(await page.evaluate((url) => fetch(url).then(() => 'sent', () => 'blocked'), 'https://page.egress-probe.example/x')).toBe('blocked')
    // The content script's world in the page: MV3 content scripts send as the page does, so code
    // evaluated there (no extension file on its stack) is the page's request; counted all the same.
    const cdp: CDPSession = await browser.context.newCDPSession(page)
    const isolated = new Promise<number>((resolve) =>
      cdp.on('Runtime.executionContextCreated', ({ context }) => {
        if (context.origin === ext || context.name === 'AuthLens DevTools') resolve(context.id)
      }),
    )
    await cdp.send('Runtime.enable')
    const { result } = await cdp.send('Runtime.evaluate', { expression: blocked('https://content-script.egress-probe.example/c'), contextId: await isolated, awaitPromise: true, returnByValue: true })
    expect(result.value).toBe('blocked')
    await cdp.detach()
    // Not the extension's: a frame of the DevTools front end itself (its CSP allows frames from anywhere).
    expect(await frontEnd.evaluate(framed('https://devtools-frontend.egress-probe.example/f'))).toBe('loaded')

    const planted: Egress[] = [
      { origin: 'extension page /src/panel/panel.html', method: 'GET', url: 'https://panel.egress-probe.example/p' },
      { origin: 'extension page /src/panel/panel.html', method: 'WebSocket', url: 'wss://socket.egress-probe.example/s' },
      { origin: 'extension page /src/panel/panel.html (frame https://panel-frame.egress-probe.example/f)', method: 'GET', url: 'https://panel-frame.egress-probe.example/f' },
      { origin: 'extension page /src/devtools/devtools.html', method: 'GET', url: 'https://devtools-page.egress-probe.example/d' },
      { origin: 'extension service worker', method: 'GET', url: 'https://service-worker.egress-probe.example/w' },
      { origin: `page ${server.url}/`, method: 'GET', url: 'https://page.egress-probe.example/x' },
      { origin: `page ${server.url}/`, method: 'GET', url: 'https://content-script.egress-probe.example/c' },
    ]
    const { leaving, gaps } = await waitFor('every planted request to be observed', async () => {
      const check = await session.egress()
      return distinct(check.leaving).length >= atStart.length + planted.length ? check : null
    })
    expect(distinct(leaving)).toEqual(distinct([...atStart, ...planted]))
    expect(gaps).toEqual([])
    // Each was refused by the proxy, the front end's too: nothing left the machine.
    for (const host of ['worker-start', 'devtools-page-start', 'panel', 'socket', 'panel-frame', 'devtools-page', 'service-worker', 'page', 'content-script', 'devtools-frontend']) {
      expect(spy.attempts, host).toContain(`CONNECT ${host}.egress-probe.example:443`)
    }
    expect(browser.egress.others(spy.attempts)).toContain('GET https://devtools-frontend.egress-probe.example/f (DevTools front end)')
  })
})
