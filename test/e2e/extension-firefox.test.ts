import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startEgressSpy, type EgressSpy } from '../helpers/egress-spy.ts'
import { ensureExtensionBuilt, extensionDistFirefox } from '../helpers/extension-build.ts'
import { inFirefoxPanel, launchFirefox, openDevToolsPanel, screenshotFirefox, type Firefox } from '../helpers/firefox.ts'
import { startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts'
import { waitFor } from '../helpers/panel-view.ts'
import { startXvfb, type VirtualDisplay } from '../helpers/xvfb.ts'

/**
 * The Firefox build in Debian's Firefox ESR: installed into a fresh profile as a temporary add-on
 * through WebDriver BiDi `webExtension.install`, a page signing in on the real mock backend, and
 * DevTools opened with F12 and the AuthLens tab clicked, as a person would (xdotool under Xvfb).
 * The assertions read the panel's DOM. Every request that would leave the machine, from any part
 * of Firefox, goes to a proxy that refuses it (E15): none may arrive.
 */
describe('AuthLens DevTools panel in Firefox ESR', () => {
  let xvfb: VirtualDisplay | undefined
  let server: FixtureServer | undefined
  let spy: EgressSpy | undefined
  let firefox: Firefox | undefined
  let toolId = ''
  const panel = <T>(body: string) => inFirefoxPanel<T>(firefox as Firefox, toolId, body)
  const panelText = () => panel<string>('return document.body.innerText')
  const showView = (label: string) => panel(`[...document.querySelectorAll('[role=tab]')].find((b) => b.textContent.startsWith(${JSON.stringify(label)})).click()`)

  beforeAll(async () => {
    const build = await ensureExtensionBuilt('firefox')
    if (build.built) console.info(`Firefox add-on built in ${build.ms} ms`)
    ;[xvfb, server, spy] = await Promise.all([startXvfb(), startFixtureServer('plain-page'), startEgressSpy()])
    firefox = await launchFirefox({ display: xvfb.display, proxy: spy.proxy })
  }, 90_000)

  afterAll(async () => {
    await firefox?.close()
    await Promise.all([server?.close(), spy?.close(), xvfb?.stop()])
  })

  it('installs the built add-on through BiDi webExtension.install into a fresh profile', async () => {
    const installed = await firefox?.bidi.send<{ extension: string }>('webExtension.install', { extensionData: { type: 'path', path: extensionDistFirefox } })
    expect(installed?.extension).toBe('authlens-devtools@authlens.dev')
    await firefox?.bidi.send('browsingContext.navigate', { context: firefox.tab, url: server?.url, wait: 'complete' })
  })

  it('F12, then a click on the AuthLens tab: the panel connects and shows the page’s token, where it lives and its countdown', async () => {
    const ff = firefox as Firefox
    toolId = await openDevToolsPanel(ff, 'AuthLens')
    await waitFor('the panel to connect', async () => (await panel<string>(`return document.querySelector('[data-testid=connection]')?.textContent ?? ''`)) === 'connected', 15_000)
    expect(await ff.inPage<number>('window.plain.signIn()')).toBe(200)
    expect(await ff.inPage<number>('window.plain.me()')).toBe(200)
    let last = ''
    const text = await waitFor('the token with every place it was seen', async () => {
      last = await panelText()
      return last.includes('"sub": "u_alice"') &&
        /lives in localStorage "plain:accessToken"/.test(last) &&
        /received in response body "accessToken" ← POST \/api\/auth\/login \(200\)/.test(last) &&
        /sent in Authorization header → GET \/api\/me \(200\)/.test(last)
        ? last
        : null
    }).catch((error: Error) => {
      throw new Error(`${error.message}; the panel read:\n${last}`)
    })
    expect(text).toContain('JWT (JWS)')
    expect(text).toContain('Signature not verified: decoded only')
    expect(text).toMatch(/Expires in 4m \d{2}s/)
  })

  it('verifies the signature once the page fetched the JWK Set, and lists the HttpOnly session cookie from Firefox’s cookie jar', async () => {
    const ff = firefox as Firefox
    const kid = await ff.inPage<string>('window.plain.fetchKeys()')
    await waitFor('the verified signature', async () => (await panelText()).includes(`Signature verified with the key \`${kid}\` from ${server?.url}/.well-known/jwks.json`))
    await screenshotFirefox(ff, 'firefox-panel')

    expect(await ff.inPage<number>('window.plain.signInSession()')).toBe(200)
    await showView('Cookies')
    const row = await waitFor('the __Host-sid row', () => panel<string | null>(`return document.querySelector('[data-cookie-name="__Host-sid"]')?.innerText ?? null`))
    for (const flag of ['session id', 'HttpOnly', 'SameSite=Lax', '__Host- prefix']) expect(row).toContain(flag)
    expect(await ff.inPage<string>('document.cookie')).not.toContain('__Host-sid')
    await screenshotFirefox(ff, 'firefox-panel-cookies')
    await showView('Tokens')
  })

  it('E15 nothing tried to leave the machine, from the add-on, the page or Firefox itself; a planted request would have been seen', async () => {
    expect(spy?.attempts, spy?.attempts.join('\n')).toEqual([])
    expect(await firefox?.inPage<string>(`fetch('https://egress-probe.example/x').then(() => 'sent', () => 'blocked')`)).toBe('blocked')
    expect(spy?.attempts).toEqual(['CONNECT egress-probe.example:443'])
  })
})
