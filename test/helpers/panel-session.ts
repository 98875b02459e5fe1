import type { Page } from 'playwright-core'
import type { RemoteTarget } from './cdp-relay.ts'
import { startEgressSpy, type EgressSpy } from './egress-spy.ts'
import type { Egress } from './egress-watch.ts'
import { ensureExtensionBuilt, extensionDist } from './extension-build.ts'
import { launchWithExtension, openExtensionPanel, type ExtensionBrowser } from './extension-browser.ts'
import { startFixtureServer, type FixtureServer } from './fixture-server.ts'
import { waitFor } from './panel-view.ts'
import { startXvfb, type VirtualDisplay } from './xvfb.ts'

export interface PanelSession {
  xvfb: VirtualDisplay
  server: FixtureServer
  spy: EgressSpy
  browser: ExtensionBrowser
  page: Page
  frontEnd: RemoteTarget
  panel: RemoteTarget
  /** Uncaught exceptions and console errors or warnings of the panel page. */
  panelErrors: string[]
  /**
   * E15's check so far: requests off the machine by the extension or the inspected page (`leaving`),
   * and targets the watch could not observe from their start (`gaps`). What else reached the proxy
   * (the browser's own services, the DevTools front end) is only logged.
   */
  egress(): Promise<{ leaving: Egress[]; gaps: string[] }>
  close(): Promise<void>
}

/**
 * Headed Chromium under Xvfb with the built extension and every request through the egress spy,
 * a fixture page on the real mock backend, and the AuthLens panel open in real DevTools and
 * connected to its service worker. `quiet: false` leaves Chromium's background services talking;
 * `extensionDir` loads another copy of the built extension.
 */
export async function openPanelSession(fixture: string, options: { quiet?: boolean; extensionDir?: string } = {}): Promise<PanelSession> {
  const build = await ensureExtensionBuilt()
  if (build.built) console.info(`extension built in ${build.ms} ms`)
  const [xvfb, server, spy] = await Promise.all([startXvfb(), startFixtureServer(fixture), startEgressSpy()])
  let browser: ExtensionBrowser | undefined
  const close = async () => {
    await browser?.close()
    await Promise.all([server.close(), spy.close(), xvfb.stop()])
  }
  try {
    browser = await launchWithExtension({ extensionDir: options.extensionDir ?? extensionDist, display: xvfb.display, proxy: spy.proxy, quiet: options.quiet })
    return await openPanel(browser, { xvfb, server, spy, close })
  } catch (error) {
    // A half-open session would leave its Xvfb and servers running after the test file.
    await close()
    throw error
  }
}

async function openPanel(browser: ExtensionBrowser, parts: Pick<PanelSession, 'xvfb' | 'server' | 'spy' | 'close'>): Promise<PanelSession> {
  const { server, spy } = parts
  const { page } = browser
  await page.goto(server.url)
  const { frontEnd, panel } = await openExtensionPanel(browser.relay, '/src/panel/panel.html')
  const panelErrors: string[] = []
  panel.on('Runtime.exceptionThrown', (params) => panelErrors.push(JSON.stringify(params).slice(0, 500)))
  panel.on('Runtime.consoleAPICalled', (params) => {
    const call = params as { type: string; args: Array<{ value?: unknown; description?: string }> }
    if (call.type === 'error' || call.type === 'warning') panelErrors.push(call.args.map((a) => String(a.value ?? a.description)).join(' '))
  })
  await panel.send('Runtime.enable')
  await waitFor('the panel to connect', async () =>
    (await panel.evaluate<string>(`document.querySelector('[data-testid=connection]')?.textContent ?? ''`)) === 'connected',
  )
  return {
    ...parts,
    browser,
    page,
    frontEnd,
    panel,
    panelErrors,
    async egress() {
      const others = browser.egress.others(spy.attempts)
      if (others.length) console.info(`reached the egress proxy, not from the extension or the page:\n${others.map((line) => `  ${line}`).join('\n')}`)
      return { leaving: browser.egress.leaving(), gaps: await browser.egress.gaps() }
    },
  }
}
