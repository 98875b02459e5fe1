import { startMockHttpServer, type RunningMockServer } from '@authlens/mock-server/http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium, type LaunchedBrowser } from '../helpers/chromium.ts'

/**
 * The real HTTP runtime in real Chromium: HttpOnly must hide the session id from scripts while
 * the browser still sends it, and the CSRF cookie must stay readable so scripts can echo it.
 */
describe('mock server cookies in Chromium', () => {
  let server: RunningMockServer
  let browser: LaunchedBrowser

  beforeAll(async () => {
    server = await startMockHttpServer({ passwordHashIterations: 1_000 })
    browser = await launchChromium()
  })

  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it('hides the HttpOnly session cookie from document.cookie while requests carry it', async () => {
    const page = await browser.context.newPage()
    await page.goto(`${server.url}/.well-known/oauth-authorization-server`)

    const result = await page.evaluate(async () => {
      const login = await fetch('/api/session/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'alice', password: 'wonderland' }),
      })
      const session = await fetch('/api/session')
      const csrf = /XSRF-TOKEN=([^;]+)/.exec(document.cookie)?.[1] ?? ''
      const note = await fetch('/api/notes', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-XSRF-TOKEN': decodeURIComponent(csrf) },
        body: JSON.stringify({ text: 'written with a cookie the page cannot read' }),
      })
      const forged = await fetch('/api/notes', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-XSRF-TOKEN': 'guess' },
        body: JSON.stringify({ text: 'should be refused' }),
      })
      return {
        login: login.status,
        session: session.status,
        user: ((await session.json()) as { user: { username: string } }).user.username,
        note: note.status,
        forged: forged.status,
        documentCookie: document.cookie,
      }
    })

    expect(result.login).toBe(200)
    expect(result.session).toBe(200)
    expect(result.user).toBe('alice')
    expect(result.note).toBe(201)
    expect(result.forged).toBe(403)
    expect(result.documentCookie).toMatch(/XSRF-TOKEN=/)
    expect(result.documentCookie).not.toMatch(/sid=/)

    const cookies = await browser.context.cookies(server.url)
    const sid = cookies.find((cookie) => cookie.name === '__Host-sid')
    expect(sid).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/' })
    expect(cookies.find((cookie) => cookie.name === 'XSRF-TOKEN')?.httpOnly).toBe(false)
    await page.close()
  })

  it('keeps the refresh cookie HttpOnly and scoped to /api/auth', async () => {
    const page = await browser.context.newPage()
    await page.goto(`${server.url}/.well-known/oauth-authorization-server`)
    const statuses = await page.evaluate(async () => {
      const login = await fetch('/api/auth/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: 'bob', password: 'builder-bob', refreshTokenTransport: 'cookie' }),
      })
      const body = (await login.json()) as { refreshToken?: string; csrfToken: string }
      const refresh = await fetch('/api/auth/refresh', { method: 'POST', headers: { 'X-XSRF-TOKEN': body.csrfToken } })
      return { login: login.status, refresh: refresh.status, bodyHasRefreshToken: 'refreshToken' in body, documentCookie: document.cookie }
    })
    expect(statuses).toMatchObject({ login: 200, refresh: 200, bodyHasRefreshToken: false })
    expect(statuses.documentCookie).not.toMatch(/rt=/)
    const refreshCookie = (await browser.context.cookies(`${server.url}/api/auth/refresh`)).find((cookie) => cookie.name === '__Secure-rt')
    expect(refreshCookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/auth' })
    await page.close()
  })
})
