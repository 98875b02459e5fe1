import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { attachTarget, listTargets, openRelay, waitForTarget, type CdpRelay, type RemoteTarget, type TargetInfo } from './cdp-relay.ts'
import { chromiumFlags, chromiumPath } from './chromium.ts'
import { setDockSide, showPanel, waitForPanelId } from './devtools-frontend.ts'
import { watchEgress, type EgressWatch } from './egress-watch.ts'
import { waitFor } from './panel-view.ts'

/**
 * Chromium's own background services (network time, component and optimization-guide downloads,
 * Google account checks, search preconnects) talk to Google even in a fresh profile; pointed at a
 * closed loopback port they stay on the machine. Only switches that take a URL: a second
 * `--disable-features` would replace Playwright's own list (Chromium reads the last one), which
 * turns some of these services back on. Nothing is asserted on this quiet: the egress check
 * attributes requests to their origin (egress-watch.ts).
 */
const QUIET_BROWSER = [
  '--google-base-url=http://127.0.0.1:9',
  '--gaia-url=http://127.0.0.1:9',
  '--google-apis-url=http://127.0.0.1:9',
  '--lso-url=http://127.0.0.1:9',
  '--variations-server-url=http://127.0.0.1:9',
  '--component-updater=url-source=http://127.0.0.1:9',
  '--disable-domain-reliability',
  '--no-pings',
]

export interface ExtensionBrowser {
  context: BrowserContext
  /** CDP sessions with targets Playwright does not model (DevTools, the panel iframe). */
  relay: CdpRelay
  /** What the extension and the inspected pages sent off the machine, observed since before the extension existed. */
  egress: EgressWatch
  /** `chrome-extension://ID`. */
  extensionOrigin: string
  /** A tab opened once the extension was loaded, with DevTools open for it. */
  page: Page
  close(): Promise<void>
}

const isFrontEnd = (t: TargetInfo) => t.url.startsWith('devtools://devtools/bundled/devtools_app.html')

/**
 * Headed Chromium (DevTools needs a window) on `display`, DevTools opened for every tab, as
 * TOOLCHAIN.md describes, and a fresh profile each time. The extension is loaded over CDP only once
 * the egress watch is attached: loaded from the command line, its service worker (and the devtools
 * page of the first tab's DevTools) would start before any observer could attach. The tab to
 * inspect is opened after that, so its DevTools and the extension's devtools page start observed
 * whether or not this Chromium adds a new extension to DevTools windows already open.
 */
export async function launchWithExtension(options: { extensionDir: string; display: string; proxy?: string; quiet?: boolean }): Promise<ExtensionBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'authlens-devtools-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: false,
    viewport: null,
    env: { ...process.env, DISPLAY: options.display },
    // Playwright disables extensions; `Extensions.loadUnpacked` needs them on.
    ignoreDefaultArgs: ['--disable-extensions'],
    args: [
      ...chromiumFlags,
      // Gates the `Extensions` CDP domain in the Chromium builds that have the switch.
      '--enable-unsafe-extension-debugging',
      '--auto-open-devtools-for-tabs',
      '--window-size=1400,900',
      ...(options.proxy ? [`--proxy-server=${options.proxy}`] : []),
      ...(options.quiet === false ? [] : QUIET_BROWSER),
    ],
  })
  const close = async () => {
    await context.close()
    rmSync(profile, { recursive: true, force: true })
  }
  try {
    const browser = context.browser()
    if (!browser) throw new Error('no Browser behind the persistent context')
    const relay = await openRelay(await browser.newBrowserCDPSession())
    const egress = await watchEgress(relay)
    const { id } = await relay.browser.send<{ id: string }>('Extensions.loadUnpacked', { path: options.extensionDir }).catch((error: Error) => {
      throw new Error(`this Chromium did not load the extension over CDP (${error.message}); the tests need the Extensions domain (Chromium 126 or later)`)
    })
    egress.extension = `chrome-extension://${id}`
    const launchTab = context.pages()[0]
    const page = await context.newPage()
    await launchTab?.close()
    await waitFor('DevTools of the new tab alone', async () => (await listTargets(relay.browser)).filter(isFrontEnd).length === 1, 15_000)
    return { context, relay, egress, extensionOrigin: egress.extension, page, close }
  } catch (error) {
    await close()
    throw error
  }
}

export interface OpenedPanel {
  frontEnd: RemoteTarget
  panel: RemoteTarget
}

/**
 * Shows the extension's panel in the DevTools window of the (only) inspected tab and attaches to
 * the panel iframe. DevTools is undocked first so screenshots of its window show the panel alone.
 */
export async function openExtensionPanel(relay: CdpRelay, panelPath: string): Promise<OpenedPanel> {
  const frontEnd = await attachTarget(relay, await waitForTarget(relay.browser, isFrontEnd))
  const id = await waitForPanelId(frontEnd, 'chrome-extension://')
  // Undock before the panel exists: moving DevTools to its own window re-creates its frames.
  await setDockSide(frontEnd, 'undocked')
  await showPanel(frontEnd, id)
  const panel = await attachTarget(relay, await waitForTarget(relay.browser, (t) => t.type === 'iframe' && t.url.includes(panelPath)))
  const panels = (await listTargets(relay.browser)).filter((t) => t.type === 'iframe' && t.url.includes(panelPath))
  if (panels.length !== 1) throw new Error(`expected one panel frame, found ${panels.length}`)
  return { frontEnd, panel }
}
