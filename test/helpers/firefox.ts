import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { connectBidi, type BidiSession } from './bidi.ts'
import { screenshotDir } from './chromium.ts'
import { waitFor } from './panel-view.ts'

/**
 * Debian's Firefox ESR driven as TOOLCHAIN.md describes: headed under Xvfb (DevTools needs a
 * window), WebDriver BiDi, which Firefox serves itself, for the session, the add-on install and
 * page scripts, the keyboard and mouse through xdotool for what a person does (F12, clicking the
 * AuthLens tab), and the browser window's privileged scope (`--remote-allow-system-access`) to
 * find where the tab is and read what the panel shows.
 */

export function firefoxPath(): string {
  const candidates = [process.env.FIREFOX_PATH, '/usr/bin/firefox-esr', '/usr/bin/firefox'].filter(Boolean) as string[]
  const found = candidates.find((path) => existsSync(path))
  if (!found) throw new Error(`Firefox not found (looked at ${candidates.join(', ')}). Install Debian's package (apt-get install firefox-esr xdotool) or set FIREFOX_PATH.`)
  return found
}

export interface Firefox {
  bidi: BidiSession
  /** The first tab's browsing context. */
  tab: string
  /** Evaluates an expression in the tab's page and returns its (JSON) value. */
  inPage<T>(expression: string): Promise<T>
  /** Evaluates an expression in the browser window's privileged scope. */
  inBrowserWindow<T>(expression: string): Promise<T>
  /** xdotool on this Firefox's display. */
  xdotool(...args: string[]): Promise<string>
  close(): Promise<void>
}

/**
 * Profile preferences: every request that would leave the machine goes to `proxy` (loopback
 * addresses bypass it), so a test can see it; the toolbox docks at the bottom, tall enough to read.
 * Started for remote control, Firefox turns off most of its own background traffic; Remote
 * Settings (which DevTools and the add-on manager consult) stays on, so its server is a closed
 * loopback port (release builds honour that only with MOZ_REMOTE_SETTINGS_DEVTOOLS=1 in the
 * environment): it stays on the machine, and whatever still reaches the proxy is not Firefox's.
 */
function preferences(proxy: string): string {
  const { hostname, port } = new URL(proxy)
  const prefs: Record<string, string | number | boolean> = {
    'network.proxy.type': 1,
    'network.proxy.http': hostname,
    'network.proxy.http_port': Number(port),
    'network.proxy.ssl': hostname,
    'network.proxy.ssl_port': Number(port),
    'network.proxy.socks_remote_dns': true,
    'services.settings.server': 'http://127.0.0.1:9/v1',
    'devtools.toolbox.host': 'bottom',
    'devtools.toolbox.footer.height': 560,
  }
  return Object.entries(prefs).map(([name, value]) => `user_pref(${JSON.stringify(name)}, ${JSON.stringify(value)});`).join('\n')
}

export async function launchFirefox(options: { display: string; proxy: string }): Promise<Firefox> {
  const profile = mkdtempSync(join(tmpdir(), 'authlens-firefox-'))
  writeFileSync(join(profile, 'user.js'), preferences(options.proxy))
  const env = { ...process.env, DISPLAY: options.display, MOZ_REMOTE_SETTINGS_DEVTOOLS: '1' }
  const child: ChildProcess = spawn(firefoxPath(), ['--remote-debugging-port', '0', '--remote-allow-system-access', '--profile', profile, '--no-remote', '--width', '1500', '--height', '950'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    await exited
    rmSync(profile, { recursive: true, force: true })
  }
  try {
    let output = ''
    const endpoint = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`Firefox did not start its WebDriver BiDi server within 30 s:\n${output.slice(-2000)}`)), 30_000)
      const read = (data: Buffer) => {
        output += String(data)
        const match = /WebDriver BiDi listening on (ws:\/\/\S+)/.exec(output)
        if (match?.[1]) {
          clearTimeout(timer)
          resolve(match[1])
        }
      }
      child.stdout?.on('data', read)
      child.stderr?.on('data', read)
      child.once('exit', (code) => reject(new Error(`Firefox exited (${String(code)}) before its WebDriver BiDi server listened:\n${output.slice(-2000)}`)))
    })
    const bidi = await connectBidi(`${endpoint}/session`)
    await bidi.send('session.new', { capabilities: {} })
    const tree = await bidi.send<{ contexts: Array<{ context: string }> }>('browsingContext.getTree', {})
    const windows = await bidi.send<{ contexts: Array<{ context: string }> }>('browsingContext.getTree', { 'moz:scope': 'chrome' })
    const tab = tree.contexts[0]?.context
    const window = windows.contexts[0]?.context
    if (!tab || !window) throw new Error('Firefox reported no tab or no browser window')
    const evaluate = async <T>(context: string, expression: string, scope: Record<string, string>) => {
      const reply = await bidi.send<{ type: string; result?: { type: string; value?: unknown }; exceptionDetails?: { text: string } }>('script.evaluate', {
        expression,
        target: { context },
        awaitPromise: true,
        resultOwnership: 'none',
        ...scope,
      })
      if (reply.type === 'exception') throw new Error(reply.exceptionDetails?.text ?? 'script exception')
      return reply.result?.value as T
    }
    return {
      bidi,
      tab,
      inPage: (expression) => evaluate(tab, expression, {}),
      inBrowserWindow: (expression) => evaluate(window, expression, { 'moz:scope': 'chrome' }),
      xdotool: async (...args) => (await promisify(execFile)('xdotool', args, { env })).stdout.trim(),
      async close() {
        await bidi.send('browser.close').catch(() => undefined)
        bidi.close()
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))])
        await stop()
      },
    }
  } catch (error) {
    await stop()
    throw error
  }
}

/** The toolbox of the selected tab, in the browser window's scope: `tb` is null until DevTools opens. */
const TOOLBOX = `const { require } = ChromeUtils.importESModule('resource://devtools/shared/loader/Loader.sys.mjs');
  const tb = require('devtools/client/framework/devtools').gDevTools.getToolboxForTab(gBrowser.selectedTab);`

/**
 * Opens DevTools with F12, as a person would, and clicks the toolbox tab labelled `label` once
 * its add-on has added it. Returns the tool's id.
 */
export async function openDevToolsPanel(firefox: Firefox, label: string): Promise<string> {
  const [window] = (await firefox.xdotool('search', '--classname', 'Navigator')).split('\n')
  if (!window) throw new Error('no Firefox window on the display')
  await firefox.xdotool('windowfocus', '--sync', window)
  await firefox.xdotool('key', 'F12')
  const tab = await waitFor(`the ${label} tab in the Firefox toolbox`, () =>
    firefox.inBrowserWindow<string | null>(`(() => { ${TOOLBOX}
      const tab = tb && [...tb.doc.querySelectorAll('.devtools-tab')].find((t) => t.textContent.trim() === ${JSON.stringify(label)});
      if (!tab) return null;
      const r = tab.getBoundingClientRect();
      return JSON.stringify({ id: tab.dataset.id ?? tab.id.replace(/^toolbox-tab-/, ''), x: Math.round(tb.win.mozInnerScreenX + r.left + r.width / 2), y: Math.round(tb.win.mozInnerScreenY + r.top + r.height / 2) });
    })()`),
  15_000)
  const { id, x, y } = JSON.parse(tab) as { id: string; x: number; y: number }
  await firefox.xdotool('mousemove', '--sync', String(x), String(y), 'click', '1')
  // The add-on's page loads in a remote <browser> of the panel frame once the tab is selected.
  await waitFor(`the ${label} panel to be shown`, () =>
    firefox.inBrowserWindow<boolean>(`(() => { ${TOOLBOX}
      const browser = tb?.currentToolId === ${JSON.stringify(id)} && tb.doc.getElementById(${JSON.stringify(`toolbox-panel-iframe-${id}`)})?.contentDocument?.querySelector('browser');
      return Boolean(browser && browser.currentURI?.spec.startsWith('moz-extension:'));
    })()`),
  15_000)
  return id
}

let reads = 0

/**
 * Runs `body` (a function body; `document` is the panel's) in the add-on panel `toolId` and returns
 * its JSON result. The panel is a remote `<browser>` inside the toolbox: a frame script reaches it.
 */
export async function inFirefoxPanel<T>(firefox: Firefox, toolId: string, body: string): Promise<T> {
  const name = `authlens-test:${++reads}`
  const script = `(() => { const document = content.document;
    try { sendAsyncMessage(${JSON.stringify(name)}, { ok: true, value: JSON.stringify((() => { ${body} })()) ?? 'null' }) }
    catch (error) { sendAsyncMessage(${JSON.stringify(name)}, { ok: false, error: String(error) }) } })()`
  const reply = await firefox.inBrowserWindow<string>(`(async () => { ${TOOLBOX}
    const browser = tb?.doc.getElementById(${JSON.stringify(`toolbox-panel-iframe-${toolId}`)})?.contentDocument?.querySelector('browser');
    if (!browser) return JSON.stringify({ ok: false, error: 'the panel is not shown' });
    const reply = await new Promise((resolve) => {
      const listener = (message) => { browser.messageManager.removeMessageListener(${JSON.stringify(name)}, listener); resolve(message.data) };
      browser.messageManager.addMessageListener(${JSON.stringify(name)}, listener);
      browser.messageManager.loadFrameScript('data:,' + encodeURIComponent(${JSON.stringify(script)}), false);
    });
    return JSON.stringify(reply);
  })()`)
  const parsed = JSON.parse(reply) as { ok: boolean; value?: string; error?: string }
  if (!parsed.ok) throw new Error(`in the Firefox panel: ${parsed.error ?? 'failed'}`)
  return JSON.parse(parsed.value ?? 'null') as T
}

/** The whole browser window, DevTools included, as drawn on screen: written to test/e2e/screenshots/. */
export async function screenshotFirefox(firefox: Firefox, name: string): Promise<string> {
  const data = await firefox.inBrowserWindow<string>(`(async () => {
    const bitmap = await window.browsingContext.currentWindowGlobal.drawSnapshot(null, 1, 'white');
    const canvas = document.createElementNS('http://www.w3.org/1999/xhtml', 'canvas');
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    canvas.getContext('2d').drawImage(bitmap, 0, 0);
    return canvas.toDataURL('image/png');
  })()`)
  mkdirSync(screenshotDir, { recursive: true })
  const path = join(screenshotDir, `${name}.png`)
  writeFileSync(path, Buffer.from(data.slice(data.indexOf(',') + 1), 'base64'))
  return path
}
