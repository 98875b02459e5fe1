// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { SIGNATURE_NOT_VERIFIED } from '../core/index.ts'
import { App } from './App.tsx'
import { PanelProvider } from './context.tsx'
import { createFakeTransport } from './fake-transport.ts'
import { createPanelController } from './store.ts'
import { CODE, authorizeRedirect, callbackUrl, idToken, tokenExchange } from '../core/testing/oidc.ts'
import { bffSignIn, proxyCall, tokenHandout } from '../core/testing/bff.ts'
import { AS, RS, boundAccessToken, dpopKey, dpopTokenRequest, proof, resourceRequest } from '../core/testing/dpop.ts'
import { PAGE, T0, accessToken, loginExchange, page, sessionCookie, worker } from './testing.ts'

/** The panel as a person uses it, on the fake transport: what is on screen, what clicks do. */
async function renderPanel() {
  const transport = createFakeTransport(1)
  let now = T0 + 2000
  const controller = createPanelController(transport, { now: () => now })
  const stop = controller.start()
  render(
    <PanelProvider store={controller.store}>
      <App />
    </PanelProvider>,
  )
  const flush = async () => {
    await act(async () => {
      await controller.settle()
    })
  }
  return {
    transport,
    controller,
    flush,
    stop,
    advance: async (ms: number) => {
      now += ms
      await act(async () => controller.tick())
    },
    show: (tab: string) => fireEvent.click(screen.getByRole('tab', { name: new RegExp(`^${tab}`) })),
  }
}

describe('AuthLens panel', () => {
  afterEach(() => cleanup())

  // happy-dom does no layout; the virtualized timeline needs a viewport size to render rows.
  const size = { clientHeight: 480, clientWidth: 800 }
  const original = Object.fromEntries(Object.keys(size).map((key) => [key, Object.getOwnPropertyDescriptor(HTMLElement.prototype, key)]))
  beforeAll(() => {
    for (const [key, value] of Object.entries(size)) Object.defineProperty(HTMLElement.prototype, key, { configurable: true, get: () => value })
  })
  afterAll(() => {
    for (const [key, descriptor] of Object.entries(original)) if (descriptor) Object.defineProperty(HTMLElement.prototype, key, descriptor)
  })

  it('E19 Tokens: decoded header and claims as text, "signature not verified", a countdown on both clocks that ticks', async () => {
    const panel = await renderPanel()
    const token = accessToken(T0)
    panel.transport.exchange(loginExchange(token))
    panel.transport.worker(page(1, { type: 'storage-changed', url: PAGE, entry: { area: 'localStorage', key: 'auth.accessToken', value: token, size: token.length }, removed: false }))
    await panel.flush()
    const card = screen.getByTestId('token-card')
    expect(within(card).getByRole('note').textContent).toBe(SIGNATURE_NOT_VERIFIED)
    expect(within(card).getByLabelText('decoded claims').textContent).toContain('"sub": "u_alice"')
    expect(within(card).getByLabelText('decoded header').textContent).toContain('"typ": "at+jwt"')
    expect(card.textContent).toContain('lives in localStorage "auth.accessToken"')
    expect(card.textContent).toContain('received in response body "accessToken" ← POST /api/auth/login (200)')
    // The server's Date put its clock about half a second ahead: the main figure follows the server.
    const countdown = within(card).getByTestId('countdown')
    expect(countdown.textContent).toMatch(/Expires in 4m 57s/)
    expect(countdown.textContent).toMatch(/local clock: in 4m 58s · server clock: in 4m 57s \(±0\.5 s, 1 sample\)/)
    await panel.advance(1000)
    expect(within(screen.getByTestId('token-card')).getByTestId('countdown').textContent).toMatch(/Expires in 4m 56s/)
    panel.stop()
  })

  it('E4 hostile claims render as text, never as markup', async () => {
    const panel = await renderPanel()
    const hostile = accessToken(T0, { name: '<img src=x onerror="window.pwned=1">' })
    panel.transport.exchange(loginExchange(hostile))
    await panel.flush()
    expect(screen.getByLabelText('decoded claims').textContent).toContain('<img src=x onerror=\\"window.pwned=1\\">')
    expect(document.querySelector('img')).toBeNull()
    panel.stop()
  })

  it('signatures: verified with the key the page fetched, "does not match" for a forgery (J13), E19 until a key is seen', async () => {
    const panel = await renderPanel()
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
    const sign = (sub: string) => new SignJWT({ sub, iss: 'https://issuer.example' }).setProtectedHeader({ alg: 'ES256', kid: 'key-2026', typ: 'at+jwt' }).setIssuedAt(T0 / 1000).setExpirationTime(T0 / 1000 + 300).sign(privateKey)
    const genuine = await sign('u_alice')
    const [header, , signature] = (await sign('u_bob')).split('.')
    const forged = `${header}.${btoa(JSON.stringify({ sub: 'u_admin', iss: 'https://issuer.example', exp: T0 / 1000 + 300 })).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')}.${signature}`
    panel.transport.exchange(loginExchange(genuine))
    panel.transport.exchange(loginExchange(forged, T0 + 10))
    await panel.flush()
    const note = (sub: string) => within(screen.getAllByTestId('token-card').find((card) => card.textContent?.includes(`"sub": "${sub}"`)) as HTMLElement).getByTestId('signature').textContent
    expect(note('u_alice')).toBe(SIGNATURE_NOT_VERIFIED)
    expect(screen.getAllByTestId('token-card')[0]?.textContent).toContain('No key seen: the page has fetched no JWK Set with kid "key-2026".')

    const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(publicKey)), kid: 'key-2026', use: 'sig', alg: 'ES256' }] })
    panel.transport.exchange({ ...loginExchange('x', T0 + 20, '/.well-known/jwks.json'), request: { method: 'GET', url: `${PAGE}.well-known/jwks.json`, headers: [] }, response: { status: 200, headers: [{ name: 'Content-Type', value: 'application/json' }], body: jwks } })
    await panel.flush()
    await panel.flush()
    expect(note('u_alice')).toMatch(/^Signature verified with the key `key-2026` from https:\/\/app\.example\.com\/\.well-known\/jwks\.json, seen at \d\d:\d\d:\d\d\.\d{3}$/)
    expect(note('u_admin')).toMatch(/^Signature does not match the key `key-2026` from https:\/\/app\.example\.com\/\.well-known\/jwks\.json/)
    panel.show('Audit')
    expect(screen.getAllByTestId('finding').find((f) => f.dataset['rule'] === 'J13')?.dataset['severity']).toBe('high')
    panel.stop()
  })

  it('E3 opaque tokens are shown as such, with the reason', async () => {
    const panel = await renderPanel()
    panel.transport.exchange({ ...loginExchange('x'), response: { status: 200, headers: [], body: JSON.stringify({ refresh_token: 'rt_8f2b2c7e5d0a4b1f9e6c3d2a1b0c9d8e' }) } })
    await panel.flush()
    expect(screen.getByTestId('not-decodable').textContent).toMatch(/^Not decodable: /)
    expect(screen.getByTestId('token-card').textContent).toContain('opaque')
    panel.stop()
  })

  it('E13 Cookies: flags, partition key, values masked until revealed', async () => {
    const panel = await renderPanel()
    const partitioned = { ...sessionCookie, name: 'widget', value: 'w1', httpOnly: false, sameSite: 'no_restriction' as const, partitionKey: { topLevelSite: 'https://news.example' } }
    panel.transport.worker(worker({ type: 'cookies', tabId: 1, url: PAGE, cookies: [sessionCookie, partitioned] }))
    await panel.flush()
    panel.show('Cookies')
    const row = screen.getAllByTestId('cookie-row').find((r) => r.dataset['cookieName'] === '__Host-sid') as HTMLElement
    for (const flag of ['HttpOnly', 'Secure', 'SameSite=Lax', '__Host- prefix', 'session']) expect(row.textContent).toContain(flag)
    expect(row.textContent).not.toContain(sessionCookie.value)
    expect(row.textContent).toContain(`••••• (${sessionCookie.value.length} chars)`)
    fireEvent.click(within(row).getByRole('button', { name: 'Reveal value of __Host-sid' }))
    expect(row.textContent).toContain(sessionCookie.value)
    const widget = screen.getAllByTestId('cookie-row').find((r) => r.dataset['cookieName'] === 'widget') as HTMLElement
    expect(widget.textContent).toContain('Partitioned: https://news.example')
    expect(widget.textContent).toContain('SameSite=None')
    panel.stop()
  })

  it('session id cookies are named as such on the Cookies and Tokens tabs, with the framework of a default name', async () => {
    const panel = await renderPanel()
    const express = { ...sessionCookie, name: 'connect.sid', value: 's%3Aa9f1c2e7b4d0a8f3e6b5c1d2.k2v9pQ7mT4wZ1yB3nH8f', hostOnly: true }
    panel.transport.worker(worker({ type: 'cookies', tabId: 1, url: PAGE, cookies: [sessionCookie, express] }))
    await panel.flush()
    const cards = screen.getAllByTestId('token-card').map((card) => card.textContent ?? '')
    expect(cards.find((text) => text.includes('connect.sid'))).toMatch(/^session id .*opaque.*Session cookie connect\.sid \(session id, Express \(express-session\) default name\)/)
    expect(cards.find((text) => text.includes('__Host-sid'))).toMatch(/Session cookie __Host-sid \(session id\)/)
    panel.show('Cookies')
    const row = (name: string) => (screen.getAllByTestId('cookie-row').find((r) => r.dataset['cookieName'] === name) as HTMLElement).textContent
    expect(row('connect.sid')).toContain('session id, Express (express-session) default name')
    expect(row('__Host-sid')).toContain('session id')
    panel.show('Audit')
    expect(screen.getAllByTestId('finding').map((f) => f.dataset['rule'])).toContain('C6')
    panel.stop()
  })

  it('Timeline: virtualized rows in time order, refresh detected, preserve log toggle', async () => {
    const panel = await renderPanel()
    panel.transport.exchange(loginExchange(accessToken(T0)))
    panel.transport.exchange(loginExchange(accessToken(T0 + 60_000, { jti: 'second' }), T0 + 60_000, '/api/auth/refresh'))
    await panel.flush()
    panel.show('Timeline')
    const rows = screen.getAllByTestId('timeline-row')
    expect(rows.map((r) => r.dataset['kind'])).toEqual(['token-issued', 'login', 'token-issued', 'refresh-detected'])
    expect(rows[3]?.textContent).toMatch(/Refresh.*access token for u_alice · \w{8} replaces \w{8}/)
    const preserve = screen.getByRole('checkbox', { name: /Preserve log/ })
    fireEvent.click(preserve)
    expect(panel.controller.store.getState().preserveLog).toBe(true)
    panel.stop()
  })

  it('E11 Timeline renders only a window of a long history', async () => {
    const panel = await renderPanel()
    // Two entries per sign-in (token seen, login): 1,200 entries into a 1,000-entry buffer.
    for (let i = 0; i < 600; i++) panel.transport.exchange(loginExchange(accessToken(T0 + i * 1000, { jti: `j${i}`, sub: `u${i}` }), T0 + i))
    await panel.flush()
    panel.show('Timeline')
    const rendered = screen.getAllByTestId('timeline-row').length
    expect(rendered).toBeGreaterThan(0)
    expect(rendered).toBeLessThan(100)
    expect(screen.getByText(/200 older events dropped \(the timeline keeps the newest 1000\)/)).toBeTruthy()
    panel.stop()
  })

  it('W1 Audit: findings with severity and reference; XSS view: readable vs HttpOnly', async () => {
    const panel = await renderPanel()
    const token = accessToken(T0)
    panel.transport.worker(page(1, { type: 'storage-snapshot', url: PAGE, entries: [{ area: 'localStorage', key: 'auth', value: token, size: token.length }] }))
    panel.transport.worker(worker({ type: 'cookies', tabId: 1, url: PAGE, cookies: [sessionCookie, { ...sessionCookie, name: 'XSRF-TOKEN', httpOnly: false }] }))
    await panel.flush()
    panel.show('Audit')
    const w1 = screen.getAllByTestId('finding').find((f) => f.dataset['rule'] === 'W1') as HTMLElement
    expect(w1.textContent).toContain('Token in localStorage')
    expect(w1.dataset['severity']).toBe('medium')
    expect(w1.textContent).toContain('Reference: OWASP Session Management Cheat Sheet')
    panel.show('XSS view')
    expect(screen.getByTestId('xss-storage').textContent).toMatch(/localStorage "auth".*holds a token/)
    expect(screen.getByTestId('xss-httponly-cookie').textContent).toContain('__Host-sid')
    expect(screen.getByTestId('xss-readable-cookie').textContent).toContain('XSRF-TOKEN')
    panel.stop()
  })

  it('OpenID Connect: the round trip on the timeline with the code redacted, ID and access tokens labelled, an opaque token with its expires_in, A4 in the audit', async () => {
    const panel = await renderPanel()
    const opaque = 'opaque-access-token-0123456789'
    const id = idToken({ iat: Math.floor(T0 / 1000), exp: Math.floor(T0 / 1000) + 300 })
    panel.transport.exchange(authorizeRedirect(T0))
    panel.transport.worker(page(1, { type: 'page-hello', url: callbackUrl() }))
    panel.transport.exchange(tokenExchange(T0 + 500, { response: { access_token: opaque, id_token: id, token_type: 'Bearer', expires_in: 3600 } }))
    panel.transport.exchange({ kind: 'exchange', at: T0 + 1000, request: { method: 'GET', url: 'https://api.example.com/notes', headers: [{ name: 'Authorization', value: `Bearer ${id}` }] }, response: { status: 200, headers: [] } })
    await panel.flush()

    const cards = screen.getAllByTestId('token-card')
    const idCard = cards.find((card) => within(card).queryByText('seen as id_token')) as HTMLElement
    expect(within(idCard).getByRole('heading', { level: 3 }).textContent).toMatch(/^ID token/)
    expect(within(idCard).getByText('sent as bearer')).toBeTruthy()
    const opaqueCard = cards.find((card) => within(card).queryByText('seen as access_token')) as HTMLElement
    expect(within(opaqueCard).getByText('opaque')).toBeTruthy()
    expect(within(opaqueCard).getByTestId('expires-in').textContent).toMatch(/^Expires in 59m 5\ds expires_in 3600s from the token response/)

    panel.show('Timeline')
    const rows = screen.getAllByTestId('timeline-row').map((row) => row.textContent ?? '')
    expect(rows.find((row) => row.includes('Authorization request'))).toMatch(/response_type code · PKCE S256 · state yes · nonce yes/)
    expect(rows.find((row) => row.includes('Authorization response'))).toMatch(/code REDACTED · state matches the request · iss yes/)
    expect(rows.find((row) => row.includes('Code exchange'))).toMatch(/code_verifier sent · ID token for u1 · [0-9a-f]{8} · access token · [0-9a-f]{8} · expires_in 3600s · nonce matches the request/)
    expect(document.body.textContent).not.toContain(CODE)
    expect(screen.getByText(/\/callback\?code=REDACTED&state=/)).toBeTruthy()

    panel.show('Audit')
    expect(screen.getAllByTestId('finding').find((f) => f.dataset['rule'] === 'A4')?.dataset['severity']).toBe('high')
    expect(panel.controller.store.getState().exportJson()).not.toContain(CODE)
    panel.stop()
  })

  it('DPoP: proof rows with their binding and marks, the token card with its key, P1 in the audit, and no proof in the export', async () => {
    const panel = await renderPanel()
    const key = await dpopKey()
    const token = boundAccessToken(key.jkt, { iat: Math.floor(T0 / 1000), exp: Math.floor(T0 / 1000) + 300 })
    const proofs = [await proof(key, { htm: 'POST', htu: `${AS}/token` }), await proof(key, { htm: 'GET', htu: `${RS}/notes`, accessToken: token })]
    panel.transport.exchange(dpopTokenRequest(T0, proofs[0] as string, token))
    panel.transport.exchange(resourceRequest(T0 + 100, { token, dpop: proofs[1] as string }))
    panel.transport.exchange(resourceRequest(T0 + 200, { token, scheme: 'Bearer', status: 401 }))
    await panel.flush()

    const card = screen.getByTestId('token-card')
    expect(within(card).getByText('DPoP-bound, sent as Bearer')).toBeTruthy()
    expect(within(card).getByTestId('dpop-binding').textContent).toBe(`DPoP-bound (key thumbprint ${key.jkt}): its cnf.jkt · sent ×1 with a proof of that key (binding: yes) · ×1 as Bearer (downgrade, audit P1)`)

    panel.show('Timeline')
    const rows = screen.getAllByTestId('timeline-row').filter((row) => row.dataset['kind'] === 'dpop-request')
    expect(rows.map((row) => within(row).queryAllByText(/^(binding: yes|Bearer downgrade)$/).map((badge) => badge.textContent).join())).toEqual(['', 'binding: yes', 'Bearer downgrade'])
    expect(rows[0]?.textContent).toContain(`thumbprint ${key.jkt} · htm POST · htu ${AS}/token`)

    panel.show('Audit')
    expect(screen.getAllByTestId('finding').filter((f) => f.dataset['rule']?.startsWith('P')).map((f) => `${f.dataset['rule']} ${f.dataset['severity']}`)).toEqual(['P1 high'])
    const exported = panel.controller.store.getState().exportJson()
    for (const secret of [...proofs, ...proofs.map((p) => p.split('.')[2] as string), token]) expect(exported).not.toContain(secret)
    panel.stop()
  })

  it('Audit: the Architecture line reads backend-for-frontend with its reasons and F1; a token handed to the page turns it into a token-mediating backend (F2)', async () => {
    const panel = await renderPanel()
    panel.transport.worker(page(1, { type: 'page-hello', url: PAGE }))
    for (const observation of bffSignIn(T0)) panel.transport.exchange(observation)
    panel.transport.worker(worker({ type: 'cookies', tabId: 1, url: PAGE, cookies: [{ ...sessionCookie, name: '__Host-bff' }] }))
    panel.transport.exchange(proxyCall(T0 + 500))
    await panel.flush()
    panel.show('Audit')
    const card = screen.getByTestId('architecture')
    expect(screen.getByTestId('architecture-kind').textContent).toBe('backend-for-frontend')
    expect(card.textContent).toContain('high confidence')
    expect(within(card).getAllByRole('listitem').map((li) => li.dataset['signal'])).toEqual(['code-redeemed-server-side', 'httponly-session-cookie', 'cookie-only-api', 'no-token-on-page'])
    expect(screen.getAllByTestId('finding').map((f) => `${f.dataset['rule']} ${f.dataset['severity']}`)).toContain('F1 info')

    panel.transport.exchange(tokenHandout(T0 + 600, accessToken(T0)))
    await panel.flush()
    expect(screen.getByTestId('architecture-kind').textContent).toBe('token-mediating backend')
    expect(screen.getByTestId('architecture').textContent).toMatch(/Not a backend-for-frontend because.*access token t[0-9a-f]+ in the response body of GET \/bff\/token/)
    expect(screen.getAllByTestId('finding').filter((f) => f.dataset['rule']?.startsWith('F')).map((f) => `${f.dataset['rule']} ${f.dataset['severity']}`)).toEqual(['F2 medium'])
    panel.stop()
  })

  it('shows the connection state and that the data is fake under vite dev', async () => {
    const panel = await renderPanel()
    expect(screen.getByTestId('connection').textContent).toBe('connected')
    act(() => panel.transport.connection('reconnecting'))
    expect(screen.getByTestId('connection').textContent).toBe('reconnecting…')
    expect(screen.getByText('demo data (vite dev)')).toBeTruthy()
    panel.stop()
  })
})
