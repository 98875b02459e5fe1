import { calculateJwkThumbprint, decodeProtectedHeader, type JWK } from 'jose'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest'
import type { RemoteTarget } from '../helpers/cdp-relay.ts'
import { panelView, waitFor } from '../helpers/panel-view.ts'
import type { ExtensionBrowser } from '../helpers/extension-browser.ts'
import { openPanelSession, type PanelSession } from '../helpers/panel-session.ts'
import type { FixtureServer } from '../helpers/fixture-server.ts'
import { listenOnLoopback } from '../helpers/loopback-server.ts'

/**
 * The AuthLens panel on a page that does NOT use @authlens/sdk (test/e2e/fixtures/plain-page):
 * everything the panel shows must come from the network, Web Storage and the cookie jar alone.
 * Same harness as extension-devtools.test.ts: headed Chromium under Xvfb, real DevTools, the real
 * mock backend on the page's origin.
 */
describe('AuthLens DevTools panel on a page without the SDK', () => {
  let server: FixtureServer
  let browser: ExtensionBrowser
  let page: Page
  let frontEnd: RemoteTarget
  let panel: RemoteTarget
  let panelErrors: string[] = []

  const { inPanel, showView, screenshot, tokenCards } = panelView({ panel: () => panel, frontEnd: () => frontEnd })
  /** Rows in the order the panel shows them; `text` is the row's title (what it says in full), `shown` what is on screen. */
  const timelineRows = () =>
    inPanel<Array<{ kind: string; source: string; text: string; shown: string; carriedOver: boolean }>>(`
      return [...document.querySelectorAll('[data-testid=timeline-row]')].map((row) => ({ kind: row.dataset.kind, source: row.querySelector('.source').textContent, text: row.title, shown: row.innerText, carriedOver: row.dataset.carriedOver === 'true' }))`)
  const aliceCard = async () => (await tokenCards()).find((card) => card.text.includes('"sub": "u_alice"') && card.text.includes('"name": "Alice Liddell"'))

  let session: PanelSession | undefined

  beforeAll(async () => {
    session = await openPanelSession('plain-page')
    ;({ server, browser, page, frontEnd, panel, panelErrors } = session)
  }, 90_000)

  afterAll(() => session?.close())

  it('any site: finds tokens, the HttpOnly cookie and the W1 risk from network, storage and cookies alone', async () => {
    // The page has no SDK: nothing in its world but its own `plain` helper.
    expect(await page.evaluate(() => typeof (window as unknown as { plain?: unknown }).plain)).toBe('object')
    expect(await page.evaluate(() => [...document.scripts].map((s) => s.src).filter((src) => src.includes('authlens')))).toEqual([])

    expect(await page.evaluate(() => window.plain.signIn())).toBe(200)
    expect(await page.evaluate(() => window.plain.me())).toBe(200)
    expect(await page.evaluate(() => window.plain.signInSession())).toBe(200)

    // Tokens: one card for Alice's access token, with every place it was seen.
    let last = ''
    const card = await waitFor('the token with every place it was seen', async () => {
      const text = (await aliceCard())?.text ?? ''
      last = text
      return /lives in localStorage "plain:accessToken"/.test(text) &&
        /received in response body "accessToken" ← POST \/api\/auth\/login \(200\)/.test(text) &&
        /sent in Authorization header → GET \/api\/me \(200\)/.test(text)
        ? text
        : null
    }).catch((error: Error) => {
      throw new Error(`${error.message}; the card read:\n${last}`)
    })
    expect(card).toContain('JWT (JWS)')
    expect(card).toContain('Signature not verified')
    expect(card).toContain('"iss": "https://auth.authlens.test"')
    expect(card, 'no SDK place on a page without the SDK').not.toMatch(/lives in SDK/)
    const countdown = /Expires in (\d+m \d{2}s)/.exec(card)?.[1]
    expect(countdown).toMatch(/^4m \d{2}s$/)
    const later = await waitFor('the countdown to tick', async () => {
      const value = /Expires in (\d+m \d{2}s)/.exec((await aliceCard())?.text ?? '')?.[1]
      return value && value !== countdown ? value : null
    }, 3000)
    expect(later).toMatch(/^4m \d{2}s$/)
    await screenshot('plain-page-tokens')

    // Cookies: the HttpOnly session cookie the page itself cannot read.
    await showView('Cookies')
    const row = await waitFor('the __Host-sid row', () => inPanel<string | null>(`return document.querySelector('[data-cookie-name="__Host-sid"]')?.innerText ?? null`))
    for (const flag of ['HttpOnly', 'Secure', 'SameSite=Lax', '__Host- prefix', 'session']) expect(row).toContain(flag)
    const real = (await browser.context.cookies(server.url)).find((c) => c.name === '__Host-sid')
    expect(real?.httpOnly).toBe(true)
    expect(row).toContain(`••••• (${real?.value.length} chars)`)
    expect(row).not.toContain(real?.value ?? '?')
    expect(await page.evaluate(() => document.cookie)).not.toContain('__Host-sid')

    // Timeline: derived from what the page did, with no SDK events at all.
    await showView('Timeline')
    const rows = await waitFor('a sign-in on the timeline', async () => {
      const list = await timelineRows()
      return list.some((r) => r.kind === 'login') && list.some((r) => r.kind === 'token-issued') ? list : null
    })
    console.info(`timeline on the plain page:\n${rows.map((r) => `  [${r.source}] ${r.kind}: ${r.text}`).join('\n')}`)
    expect(rows.filter((r) => r.kind === 'sdk-event' || r.source === 'sdk')).toEqual([])
    // Only what the browser itself shows: responses, the cookie jar, Web Storage.
    expect(rows.every((r) => ['network', 'cookies', 'storage'].includes(r.source))).toBe(true)
    expect(rows.some((r) => r.kind === 'login' && r.text.includes('POST /api/session/login'))).toBe(true)
    expect(rows.find((r) => r.kind === 'token-issued')?.source).toBe('network')
    expect(rows.find((r) => r.kind === 'login')?.source).toBe('network')

    // Audit: the token in localStorage is flagged (W1), found without the SDK's help.
    await showView('Audit')
    const w1 = await waitFor('the W1 finding', () => inPanel<string | null>(`return document.querySelector('[data-rule=W1]')?.innerText ?? null`))
    expect(w1).toContain('Token in localStorage')
    expect(w1).toContain('plain:accessToken')
    expect(w1).toContain('medium')
    const findings = await inPanel<string[]>(`return [...document.querySelectorAll('[data-testid=finding]')].map((f) => f.dataset.rule + ' ' + f.dataset.severity + ': ' + f.innerText.replace(/\\s+/g, ' ').slice(0, 140))`)
    console.info(`audit findings on the plain page:\n${findings.map((f) => `  ${f}`).join('\n')}`)
    await showView('Tokens')

    expect(panelErrors, 'no errors in the panel').toEqual([])
    expect(await session?.egress()).toEqual({ leaving: [], gaps: [] })
  }, 40_000)

  it('OpenID Connect, Preserve log off: the round trip through a provider page on another origin reads request → response (code redacted, state matches) → code exchange; an ID token planted as a bearer credential is A4', async () => {
    // A fixture provider on another origin (localhost, the page is on 127.0.0.1): /idp/authorize
    // shows a login page, posting it redirects back with a code, /idp/token answers an ID token and
    // an access token. The panel knows it only by its standard parameters.
    const issuer = `http://localhost:${new URL(server.url).port}/idp`
    const code = 'fixture-code-SplxlOBeZQQYbYS6WxSbIA'
    const state = 'fixture-state-af0ifjsldkj'
    const nonce = 'fixture-nonce-n0S6WzA2Mj'
    const jwt = (header: object, claims: object) => `${[header, claims].map((part) => Buffer.from(JSON.stringify(part)).toString('base64url')).join('.')}.c2lnbmF0dXJl`
    const now = Math.floor(Date.now() / 1000)
    const idToken = jwt({ alg: 'ES256', typ: 'JWT' }, { iss: issuer, sub: 'u_oidc', aud: 'fixture-spa', nonce, iat: now, exp: now + 300 })
    const accessToken = jwt({ alg: 'ES256', typ: 'at+jwt' }, { iss: issuer, sub: 'u_oidc', aud: `${server.url}/api`, client_id: 'fixture-spa', scope: 'openid', iat: now, exp: now + 300 })
    const verifier = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'
    const callback = `${server.url}/?code=${code}&state=${state}&iss=${encodeURIComponent(issuer)}`
    await browser.context.route(`${issuer}/authorize?*`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Fixture provider</title><form method="post" action="/idp/login"><label>User <input name="username" value="alice"></label> <button>Sign in</button></form>' }),
    )
    await browser.context.route(`${issuer}/login`, (route) => route.fulfill({ status: 302, headers: { Location: callback } }))
    await browser.context.route(`${issuer}/token`, (route) =>
      route.fulfill({
        status: 200,
        contentType: 'application/json',
        headers: { 'Cache-Control': 'no-store', 'Access-Control-Allow-Origin': server.url },
        body: JSON.stringify({ access_token: accessToken, id_token: idToken, token_type: 'Bearer', expires_in: 300 }),
      }),
    )
    await browser.context.route(`${server.url}/api/oidc/notes`, (route) => route.fulfill({ status: 200, contentType: 'application/json', body: '[]' }))

    // As a person would: Preserve log left off, the app sends the page to the provider...
    expect(await inPanel<boolean>(`return document.querySelector('.toolbar input[type=checkbox]').checked`)).toBe(false)
    await showView('Timeline')
    const query = new URLSearchParams({ response_type: 'code', client_id: 'fixture-spa', redirect_uri: `${server.url}/`, scope: 'openid profile', state, nonce, code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' })
    await Promise.all([page.waitForURL((url) => url.href.startsWith(`${issuer}/authorize?`)), page.evaluate((url) => location.assign(url), `${issuer}/authorize?${query}`)])
    // ...where the panel has started over for the provider's login page, whose own URL is the request...
    const onProvider = await waitFor('the panel on the provider page', async () => {
      const list = await timelineRows()
      const shownPage = await inPanel<string>(`return document.querySelector('.toolbar .page').textContent`)
      return shownPage.startsWith(`${issuer}/authorize`) && list.some((r) => r.kind === 'authorization-request') ? list : null
    })
    expect(onProvider.map((r) => [r.kind, r.carriedOver])).toEqual([['authorization-request', false]])
    await screenshot('oidc-provider-page')
    // ...signs in there, and lands back on the app, a new document again, which redeems the code.
    await Promise.all([page.waitForURL((url) => url.searchParams.get('code') === code), page.click('button')])
    expect(
      await page.evaluate(async ([tokenUrl, notesUrl, body]) => {
        const tokens = (await (await fetch(tokenUrl, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body })).json()) as { id_token: string }
        return (await fetch(notesUrl, { headers: { Authorization: `Bearer ${tokens.id_token}` } })).status
      }, [`${issuer}/token`, `${server.url}/api/oidc/notes`, `grant_type=authorization_code&code=${code}&redirect_uri=${encodeURIComponent(`${server.url}/`)}&client_id=fixture-spa&code_verifier=${verifier}`] as const),
    ).toBe(200)

    const oauthKinds = ['authorization-request', 'authorization-response', 'token-response']
    const rows = await waitFor('the round trip on the timeline of the callback page', async () => {
      const shownPage = await inPanel<string>(`return document.querySelector('.toolbar .page').textContent`)
      const list = await timelineRows()
      return shownPage.startsWith(`${server.url}/?code=REDACTED`) && list.some((r) => r.kind === 'token-response') ? list : null
    })
    console.info(`OAuth round trip on the timeline:\n${rows.filter((r) => r.kind !== 'token-issued').map((r) => `  [${r.source}]${r.carriedOver ? ' (previous page)' : ''} ${r.kind}: ${r.text}`).join('\n')}`)
    // Read top to bottom, as the panel shows it: one request, its response, its code exchange.
    const roundTrip = rows.filter((r) => oauthKinds.includes(r.kind))
    expect(roundTrip.map((r) => r.kind)).toEqual(oauthKinds)
    const [request, response, exchange] = roundTrip
    expect(request?.text).toMatch(/^Authorization request: response_type code · PKCE S256 · state yes · nonce yes · scope openid profile · client_id fixture-spa · → http:\/\/localhost:\d+\/idp\/authorize/)
    expect(request?.carriedOver, 'the request was seen on the provider page').toBe(true)
    expect(request?.shown).toContain('previous page')
    expect(response?.text).toMatch(/^Authorization response: code REDACTED · state matches the request · iss yes · via query/)
    expect(response?.carriedOver, 'the response is the callback page’s own URL').toBe(false)
    expect(exchange?.text).toMatch(/^Code exchange: 200 · code_verifier sent · ID token for u_oidc · [0-9a-f]{8} · access token for u_oidc · [0-9a-f]{8} · expires_in 300s · nonce matches the request/)
    expect(exchange?.carriedOver).toBe(false)
    const panelText = await inPanel<string>(`return document.body.innerText`)
    for (const secret of [code, verifier]) expect(panelText).not.toContain(secret)
    await screenshot('oidc-timeline')

    await showView('Audit')
    const a4 = await waitFor('the A4 finding', () => inPanel<string | null>(`return document.querySelector('[data-rule=A4]')?.innerText ?? null`))
    expect(a4).toContain('ID token used as an access token')
    expect(a4).toContain('high')
    expect(a4).toContain('seen as id_token')
    expect(a4).toContain('Evidence: ID token')
    await screenshot('oidc-audit')
    await showView('Tokens')
    const idCard = await waitFor('the ID token card', async () => (await tokenCards()).find((card) => card.text.includes('"sub": "u_oidc"') && card.text.includes('seen as id_token'))?.text ?? null)
    expect(idCard).toMatch(/^ID token/)
    expect(idCard).toContain('sent as bearer')
    await screenshot('oidc-tokens')
    expect(JSON.stringify(await inPanel<string>(`return document.body.innerText`))).not.toContain(code)

    expect(panelErrors, 'no errors in the panel').toEqual([])
    expect(await session?.egress()).toEqual({ leaving: [], gaps: [] })
  }, 40_000)

  it('DPoP: the token request and an API call each with a proof (htm, htu, jti, thumbprint decoded), binding yes for the cnf.jkt token; the same token sent as Bearer is P1', async () => {
    // The page signs its own proofs with a non-extractable WebCrypto key; the fixture token
    // endpoint binds the access token to the proof's key (cnf.jkt, token_type DPoP) and the API
    // refuses it as Bearer. The panel knows DPoP only by the standard headers and claims.
    const tokenUrl = `${server.url}/dpop/token`
    const notesUrl = `${server.url}/api/dpop/notes`
    const jwt = (header: object, claims: object) => `${[header, claims].map((part) => Buffer.from(JSON.stringify(part)).toString('base64url')).join('.')}.c2lnbmF0dXJl`
    let issuedJkt = ''
    await browser.context.route(tokenUrl, async (route) => {
      const proof = route.request().headers()['dpop'] ?? ''
      issuedJkt = await calculateJwkThumbprint(decodeProtectedHeader(proof).jwk as JWK)
      const now = Math.floor(Date.now() / 1000)
      const accessToken = jwt({ alg: 'ES256', typ: 'at+jwt' }, { iss: server.url, sub: 'u_dpop', aud: notesUrl, scope: 'notes', cnf: { jkt: issuedJkt }, iat: now, exp: now + 300 })
      await route.fulfill({ status: 200, contentType: 'application/json', headers: { 'Cache-Control': 'no-store' }, body: JSON.stringify({ access_token: accessToken, token_type: 'DPoP', expires_in: 300 }) })
    })
    await browser.context.route(notesUrl, (route) =>
      route.request().headers()['authorization']?.startsWith('DPoP ')
        ? route.fulfill({ status: 200, contentType: 'application/json', body: '[]' })
        : route.fulfill({ status: 401, headers: { 'WWW-Authenticate': 'DPoP error="invalid_token", algs="ES256"' }, body: '' }),
    )

    // A fresh document: the panel starts over (Preserve log is off).
    await page.goto(`${server.url}/`)
    await showView('Timeline')
    await waitFor('the panel on the fresh page', async () => {
      const shownPage = await inPanel<string>(`return document.querySelector('.toolbar .page').textContent`)
      return shownPage === `${server.url}/` && !(await timelineRows()).some((r) => r.kind === 'token-response')
    })
    const sent = await page.evaluate(async ([tokenUrl, notesUrl]) => {
      const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
      const part = (value: object) => b64(new TextEncoder().encode(JSON.stringify(value)))
      const { privateKey, publicKey } = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])
      const { kty, crv, x, y } = await crypto.subtle.exportKey('jwk', publicKey)
      const proof = async (htm: string, htu: string, accessToken?: string) => {
        const ath = accessToken ? b64(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(accessToken)))) : undefined
        const input = `${part({ typ: 'dpop+jwt', alg: 'ES256', jwk: { kty, crv, x, y } })}.${part({ jti: crypto.randomUUID(), htm, htu, iat: Math.floor(Date.now() / 1000), ...(ath ? { ath } : {}) })}`
        const signature = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, privateKey, new TextEncoder().encode(input)))
        return `${input}.${b64(signature)}`
      }
      const tokenProof = await proof('POST', tokenUrl)
      const body = 'grant_type=authorization_code&code=dpop-fixture-code&redirect_uri=' + encodeURIComponent(location.origin + '/') + '&client_id=fixture-spa&code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'
      const tokens = (await (await fetch(tokenUrl, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', DPoP: tokenProof }, body })).json()) as { access_token: string }
      const apiProof = await proof('GET', notesUrl, tokens.access_token)
      const withProof = (await fetch(notesUrl, { headers: { Authorization: `DPoP ${tokens.access_token}`, DPoP: apiProof } })).status
      // Any code on the page can do this: the downgrade D10 is about.
      const asBearer = (await fetch(notesUrl, { headers: { Authorization: `Bearer ${tokens.access_token}` } })).status
      return { withProof, asBearer, proofs: [tokenProof, apiProof], accessToken: tokens.access_token }
    }, [tokenUrl, notesUrl] as const)
    expect([sent.withProof, sent.asBearer]).toEqual([200, 401])
    const [tokenJti, apiJti] = sent.proofs.map((p) => JSON.parse(Buffer.from(p.split('.')[1] ?? '', 'base64url').toString()).jti as string)

    const rows = await waitFor('three DPoP requests on the timeline', async () => {
      const list = (await timelineRows()).filter((r) => r.kind === 'dpop-request')
      return list.length === 3 ? list : null
    })
    console.info(`DPoP on the timeline:\n${rows.map((r) => `  [${r.source}] ${r.text}`).join('\n')}`)
    const [tokenRequest, withProof, asBearer] = rows
    expect(tokenRequest?.text).toMatch(/^DPoP proof: POST \/dpop\/token \(200\) · key EC P-256 thumbprint /)
    for (const fact of [`thumbprint ${issuedJkt}`, 'htm POST', `htu ${tokenUrl}`, `jti ${tokenJti}`, 'no ath (none needed)', 'nonce no']) expect(tokenRequest?.text).toContain(fact)
    expect(withProof?.text).toMatch(/^DPoP proof: GET \/api\/dpop\/notes \(200\) · binding: yes/)
    for (const fact of [`thumbprint ${issuedJkt}`, 'htm GET', `htu ${notesUrl}`, `jti ${apiJti}`, 'ath matches the token', 'access token for u_dpop']) expect(withProof?.text).toContain(fact)
    expect(withProof?.shown).toContain('binding: yes')
    expect(asBearer?.text).toMatch(/^DPoP-bound token as Bearer: GET \/api\/dpop\/notes \(401\) · sent as Bearer/)
    expect(asBearer?.shown).toContain('Bearer downgrade')
    expect((await timelineRows()).find((r) => r.kind === 'token-response')?.text).toContain('token_type DPoP')
    await screenshot('dpop-timeline')

    await showView('Audit')
    const p1 = await waitFor('the P1 finding', () => inPanel<string | null>(`return document.querySelector('[data-rule=P1]')?.innerText ?? null`))
    expect(p1).toContain('DPoP-bound token sent as Bearer')
    expect(p1).toContain('high')
    expect(p1).toContain('RFC 9449 §7.2')
    expect(await inPanel<string[]>(`return [...document.querySelectorAll('[data-testid=finding]')].map((f) => f.dataset.rule).filter((rule) => rule.startsWith('P'))`)).toEqual(['P1'])
    await screenshot('dpop-audit')

    await showView('Tokens')
    const card = await waitFor('the DPoP-bound token card', async () => (await tokenCards()).find((c) => c.text.includes('"sub": "u_dpop"') && c.text.includes('as Bearer'))?.text ?? null)
    expect(card).toContain(`DPoP-bound (key thumbprint ${issuedJkt}): its cnf.jkt`)
    expect(card).toContain('sent ×1 with a proof of that key (binding: yes) · ×1 as Bearer (downgrade, audit P1)')
    await screenshot('dpop-tokens')

    // A proof is never shown whole, nor its signature; the token only decoded.
    const panelText = await inPanel<string>(`return document.body.innerText`)
    for (const secret of [...sent.proofs, ...sent.proofs.map((p) => p.split('.')[2] ?? ''), sent.accessToken]) expect(panelText).not.toContain(secret)
    expect(panelErrors, 'no errors in the panel').toEqual([])
    expect(await session?.egress()).toEqual({ leaving: [], gaps: [] })
  }, 40_000)

  it('backend-for-frontend: sign-in as a navigation /bff/login → provider → /bff/callback leaves only an HttpOnly session cookie, /bff/api/me answers without a token; the Architecture line reads backend-for-frontend and the audit F1', async () => {
    // A fixture BFF on a loopback origin of its own and its provider on another (localhost, same
    // port). A real server, not Playwright routes: a route sees only the first request of a redirect
    // chain, and the sign-in is one. The BFF redeems the code out of the browser's sight and sets its
    // session cookie; the page only ever calls its proxy.
    const bff = await listenOnLoopback()
    const issuer = `${bff.url.replace('127.0.0.1', 'localhost')}/idp`
    const code = 'bff-fixture-code-SplxlOBeZQQYbYS6WxSbIA'
    const state = 'bff-fixture-state-af0ifjsldkj'
    const sessionId = 'bff-session-0123456789abcdef0123456789abcdef'
    const authorize = `${issuer}/authorize?${new URLSearchParams({ response_type: 'code', client_id: 'fixture-bff', redirect_uri: `${bff.url}/bff/callback`, scope: 'openid profile', state, code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' })}`
    bff.serve((request, response) => {
      const url = new URL(request.url ?? '/', bff.url)
      const redirect = (location: string, headers: Record<string, string> = {}) => response.writeHead(302, { Location: location, ...headers }).end()
      const json = (status: number, body: unknown) => response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body))
      if (url.pathname === '/bff/login') return redirect(authorize)
      if (url.pathname === '/idp/authorize') return redirect(`${bff.url}/bff/callback?${new URLSearchParams({ code, state, iss: issuer })}`)
      if (url.pathname === '/bff/callback' && url.searchParams.get('code') === code) return redirect('/bff/', { 'Set-Cookie': `__Host-bff=${sessionId}; Path=/; Secure; HttpOnly; SameSite=Lax` })
      if (url.pathname === '/') return response.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>BFF fixture</title><a href="/bff/login">Sign in</a>')
      if (url.pathname === '/bff/') return response.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>BFF fixture</title><p>Signed in through the backend-for-frontend.</p>')
      if (url.pathname === '/bff/api/me') {
        const signedIn = request.headers['x-csrf'] === '1' && (request.headers.cookie ?? '').includes(`__Host-bff=${sessionId}`)
        return signedIn ? json(200, { sub: 'u_bff', name: 'Alice Liddell' }) : json(401, { error: 'unauthorized' })
      }
      return json(404, { error: 'not_found' })
    })
    onTestFinished(() => bff.close())

    // Cookies are shared across a host's ports: what other tests left on 127.0.0.1 is cleared.
    await browser.context.clearCookies()
    await page.goto(`${bff.url}/`)
    await Promise.all([page.waitForURL(`${bff.url}/bff/`), page.click('a')])
    expect(await page.evaluate(() => document.cookie), 'the page cannot read its session').not.toContain('__Host-bff')
    const statuses = await page.evaluate(async () => {
      const call = async () => {
        const response = await fetch('/bff/api/me', { headers: { 'X-CSRF': '1' } })
        await response.text()
        return response.status
      }
      return [await call(), await call()]
    })
    expect(statuses).toEqual([200, 200])

    await showView('Audit')
    const architecture = await waitFor('the Architecture line to read backend-for-frontend', async () => {
      const line = await inPanel<{ kind: string; confidence: string; text: string } | null>(`
        const card = document.querySelector('[data-testid=architecture]')
        return card ? { kind: card.querySelector('[data-testid=architecture-kind]').textContent, confidence: card.dataset.confidence, text: card.innerText } : null`)
      return line?.kind === 'backend-for-frontend' && line.confidence === 'high' ? line : null
    }).catch(async (error: Error) => {
      throw new Error(`${error.message}; the panel read:\n${await inPanel<string>(`return document.querySelector('[data-testid=architecture]')?.innerText ?? ''`)}`)
    })
    console.info(`architecture on the BFF page:\n${architecture.text}`)
    expect(architecture.text).toContain(`a sign-in at ${issuer}/authorize (client fixture-bff) came back to ${bff.url}/bff/callback on this origin`)
    expect(architecture.text).toContain('the session rides in the HttpOnly cookie "__Host-bff"')
    expect(architecture.text).toMatch(/2 same-origin API calls answered without an Authorization header \(GET \/bff\/api\/me\), with the X-CSRF header/i)
    const f1 = await waitFor('the F1 finding', () => inPanel<string | null>(`return document.querySelector('[data-rule=F1]')?.innerText ?? null`))
    expect(f1).toContain('Backend-for-frontend: tokens stay on the server')
    expect(f1).toContain('info')
    expect(f1).toContain('C1–C6 keep applying to "__Host-bff"')
    expect(f1).toContain('Browser-Based Applications §6.1')
    expect(await inPanel<string[]>(`return [...document.querySelectorAll('[data-testid=finding]')].map((f) => f.dataset.rule).filter((rule) => rule.startsWith('F'))`)).toEqual(['F1'])
    await screenshot('bff-audit')
    const panelText = await inPanel<string>(`return document.body.innerText`)
    for (const secret of [code, sessionId]) expect(panelText).not.toContain(secret)

    expect(panelErrors, 'no errors in the panel').toEqual([])
    expect(await session?.egress()).toEqual({ leaving: [], gaps: [] })
  }, 40_000)
})
