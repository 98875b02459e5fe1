import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext } from 'playwright-core'
import { chromiumFlags, chromiumPath } from './chromium.ts'
import { attachTarget, listTargets, openRelay, waitForTarget, type CdpRelay, type RemoteTarget } from './cdp-relay.ts'
import { setDockSide, showPanel, waitForPanelId } from './devtools-frontend.ts'

/**
 * Chromium's own background services (network time, component and optimization-guide downloads,
 * Google account checks) talk to Google even in a fresh profile. Pointed at a closed loopback
 * port they stay on the machine, so an egress spy sees only what pages and extensions send: with
 * these, a run without any extension sends nothing at all (checked on Chromium 156).
 */
const QUIET_BROWSER = [
  '--disable-features=NetworkTimeServiceQuerying,OptimizationHints,OptimizationHintsFetching,OptimizationGuideModelDownloading,OptimizationTargetPrediction,AutofillServerCommunication,MediaRouter,Translate',
  '--gaia-url=http://127.0.0.1:9',
  '--google-apis-url=http://127.0.0.1:9',
  '--lso-url=http://127.0.0.1:9',
  '--component-updater=url-source=http://127.0.0.1:9',
]

export interface ExtensionBrowser {
  context: BrowserContext
  /** CDP sessions with targets Playwright does not model (DevTools, the panel iframe). */
  relay: CdpRelay
  close(): Promise<void>
}

/**
 * Headed Chromium (DevTools needs a window) on `display`, with the unpacked extension loaded and
 * DevTools opened for every tab, as TOOLCHAIN.md describes. A fresh profile each time.
 */
export async function launchWithExtension(options: { extensionDir: string; display: string; proxy?: string }): Promise<ExtensionBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'authlens-devtools-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath(),
    headless: false,
    viewport: null,
    env: { ...process.env, DISPLAY: options.display },
    args: [
      ...chromiumFlags,
      `--disable-extensions-except=${options.extensionDir}`,
      `--load-extension=${options.extensionDir}`,
      '--auto-open-devtools-for-tabs',
      '--window-size=1400,900',
      ...(options.proxy ? [`--proxy-server=${options.proxy}`, ...QUIET_BROWSER] : []),
    ],
  })
  const browser = context.browser()
  if (!browser) throw new Error('no Browser behind the persistent context')
  const relay = await openRelay(await browser.newBrowserCDPSession())
  return {
    context,
    relay,
    close: async () => {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
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
  const frontEnd = await attachTarget(relay, await waitForTarget(relay.browser, (t) => t.url.startsWith('devtools://devtools/bundled/devtools_app.html')))
  const id = await waitForPanelId(frontEnd, 'chrome-extension://')
  // Undock before the panel exists: moving DevTools to its own window re-creates its frames.
  await setDockSide(frontEnd, 'undocked')
  await showPanel(frontEnd, id)
  const panel = await attachTarget(relay, await waitForTarget(relay.browser, (t) => t.type === 'iframe' && t.url.includes(panelPath)))
  const panels = (await listTargets(relay.browser)).filter((t) => t.type === 'iframe' && t.url.includes(panelPath))
  if (panels.length !== 1) throw new Error(`expected one panel frame, found ${panels.length}`)
  return { frontEnd, panel }
}
