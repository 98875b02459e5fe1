import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, beforeEach, expect } from 'vitest'
import { launchChromium, type LaunchedBrowser } from './chromium.ts'
import { startDemoServer } from './demo-server.ts'

/** The demo's auth modes: URL value and the label of its radio in the "Auth mode" picker. */
export const DEMO_MODES = [
  { id: 'session', label: 'Session (HttpOnly session cookie)', jwt: false },
  { id: 'memory', label: 'JWT in memory + HttpOnly refresh cookie', jwt: true },
  { id: 'localStorage', label: 'JWT in localStorage', jwt: true },
  { id: 'sessionStorage', label: 'JWT in sessionStorage', jwt: true },
  { id: 'cookie', label: 'JWT in a JS-readable cookie', jwt: true },
] as const

export type DemoModeId = (typeof DEMO_MODES)[number]['id']

/** The sixth mode: sign-in at the OpenID Provider's page, so it has no password form of its own. */
export const OIDC_MODE = { id: 'oidc', label: 'OIDC (code + PKCE)' } as const

/** The memory mode with DPoP-bound tokens: its own checks, since its requests carry a proof step too. */
export const DPOP_MODE = { id: 'dpop', label: 'JWT + DPoP (memory)' } as const

/** The seventh: a backend-for-frontend signs in at the provider and keeps the tokens. */
export const BFF_MODE = { id: 'bff', label: 'BFF (tokens stay on the server)' } as const

/**
 * Console errors and warnings of a page, and uncaught exceptions. Chromium also reports every 4xx
 * answer to a fetch as "Failed to load resource"; those of the API (and of the BFF's proxy to it) are
 * the auth flow working as designed (a 401 before a refresh, a refused replay, a cross-origin call
 * the BFF's first-party cookie does not reach), so only they are let through.
 */
export function watchConsole(page: Page): string[] {
  const problems: string[] = []
  page.on('console', (message) => {
    if (message.type() !== 'error' && message.type() !== 'warning') return
    const url = message.location().url
    const apiAnswer = message.text().startsWith('Failed to load resource') && /^\/(bff\/)?api\//.test(url ? new URL(url).pathname : '')
    if (!apiAnswer) problems.push(`${message.type()}: ${message.text()} ${url}`)
  })
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`))
  return problems
}

export async function openDemo(context: BrowserContext, baseUrl: string, mode: DemoModeId | typeof OIDC_MODE.id | typeof DPOP_MODE.id | typeof BFF_MODE.id): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage()
  const problems = watchConsole(page)
  await page.goto(`${baseUrl}/?mode=${mode}`)
  return { page, problems }
}

export const signInStatus = (page: Page) => page.getByRole('status', { name: 'Sign-in status' })

export async function signIn(page: Page, username: string, password: string, name: string): Promise<void> {
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect.poll(() => signInStatus(page).textContent()).toMatch(new RegExp(`^Signed in as ${name}`))
}

/** On the provider's own sign-in page, as a person fills it in. */
export async function signInAtProvider(page: Page, username: string, password: string): Promise<void> {
  await page.waitForURL(/\/oauth\/authorize\?/)
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Sign in' }).click()
}

/** App B of the single sign-on demo: the same server under its other loopback name. */
export const appBUrl = (baseUrl: string): string => `${baseUrl.replace('//127.0.0.1:', '//localhost:')}/app-b/`

export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out' }).click()
  await expect.poll(() => signInStatus(page).textContent()).toBe('Signed out')
}

/** The event log as a person reads it, one entry per line, newest first. */
export const eventLog = async (page: Page): Promise<string> => {
  const list = page.getByRole('list', { name: 'Event log entries' })
  return (await list.count()) ? list.innerText() : ''
}

export const clearEventLog = (page: Page) => page.getByRole('button', { name: 'Clear log' }).click()

/** Requests in the log that the server refused or failed. */
export const failedRequests = (log: string): string[] => log.split('\n').filter((line) => /\bHTTP \S+ \S+ (4|5)\d\d\b|\bHTTP \S+ \S+ failed\b/.test(line))

export const breakIt = (page: Page, title: string) => page.getByRole('region', { name: title })

/** Runs a break-it action and returns the text of its result. */
export async function runBreakIt(page: Page, title: string, choice?: string): Promise<string> {
  const region = breakIt(page, title)
  if (choice) await region.getByRole('combobox').selectOption({ label: choice })
  await region.getByRole('button').last().click()
  const result = region.getByRole('status')
  await expect.poll(() => result.textContent(), { timeout: 20_000 }).not.toBe('')
  await expect.poll(() => region.getByRole('button').last().textContent()).not.toBe('Running…')
  return (await result.textContent()) ?? ''
}

/**
 * A clean slate for the next test in the same browser: no page open (so no auth client holds the
 * IndexedDB open), and the origin's cookies, storage and IndexedDB gone. Cheaper than a new browser,
 * whose first page load in Vite's dev mode costs seconds.
 */
export async function clearOrigin(context: BrowserContext, baseUrl: string): Promise<void> {
  const blank = await context.newPage()
  for (const page of context.pages()) if (page !== blank) await page.close()
  await context.clearCookies()
  const cdp = await context.newCDPSession(blank)
  // App B's origin too: the same server under its other loopback name.
  for (const origin of [new URL(baseUrl).origin, new URL(appBUrl(baseUrl)).origin]) await cdp.send('Storage.clearDataForOrigin', { origin, storageTypes: 'all' })
  await cdp.detach()
}

/** A fresh backend for each test: the demo server keeps one for its whole life. */
export async function resetBackend(baseUrl: string): Promise<void> {
  const response = await fetch(`${baseUrl}/__mock/reset`, { method: 'POST' })
  if (!response.ok) throw new Error(`reset answered ${response.status}`)
}

/**
 * One demo server and one Chromium for a describe block; every test starts from a clean origin
 * and a reset backend, so a broken sign-in never leaks into the next test.
 */
export function useDemoSession() {
  const session = {} as { demo: Awaited<ReturnType<typeof startDemoServer>>; browser: LaunchedBrowser }
  beforeAll(async () => {
    session.demo = await startDemoServer()
    session.browser = await launchChromium()
  })
  beforeEach(async () => {
    await clearOrigin(session.browser.context, session.demo.url)
    await resetBackend(session.demo.url)
  })
  afterAll(async () => {
    await session.browser?.close()
    await session.demo?.close()
  })
  return session
}
