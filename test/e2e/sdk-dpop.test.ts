import type { Page } from 'playwright-core'
import { calculateJwkThumbprint, decodeJwt, EmbeddedJWK, jwtVerify, type JWK } from 'jose'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { launchChromium, type LaunchedBrowser } from '../helpers/chromium.ts'
import { startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts'
import type { LoggedRequest } from './fixtures/sdk-tabs/main.ts'

/**
 * The DPoP key of `@authlens/sdk/dpop` in real Chromium: WebCrypto, IndexedDB's structured clone
 * of a CryptoKey and the tabs of one profile are the browser's own. D1 and the key half of D9
 * take tokens from a custom login (test/e2e/fixtures/sdk-dpop), so what is tested is the key and
 * the proofs made with it; jose, in this process, verifies every proof. D9 end to end runs the
 * cross-tab fixture (test/e2e/fixtures/sdk-tabs) with `dpop()` against the real HTTP mock backend,
 * which verifies every proof itself and counts them.
 */

const TABS = 5
let server: FixtureServer
/** The cross-tab fixture with the real backend: short-lived tokens, strict reuse detection. */
let tabsServer: FixtureServer
let browser: LaunchedBrowser | undefined
// Long enough that opening five tabs and a reload, even on a loaded machine, ends before the first
// refresh is due: the test then brings one expiry to all five at once.
const TTL_SECONDS = 30
const LEEWAY_SECONDS = 2

beforeAll(async () => {
  server = await startFixtureServer('sdk-dpop')
  // Both entries pre-bundled together: one copy of the SDK core (its error class) for both.
  tabsServer = await startFixtureServer(
    'sdk-tabs',
    { accessTokenTtlSeconds: TTL_SECONDS, refreshReuseGraceSeconds: 0 },
    { sdkEntries: ['@authlens/sdk', '@authlens/sdk/storage', '@authlens/sdk/dpop'] },
  )
})
afterEach(async () => {
  await browser?.close()
  browser = undefined
})
afterAll(async () => {
  await server.close()
  await tabsServer.close()
})

async function openTab(): Promise<Page> {
  const page = await browser!.context.newPage()
  await page.goto(`${server.url}/`)
  await page.evaluate(() => window.dpopTab.auth.ready)
  return page
}

/** Signs in, takes the proof for `GET /api/me`, verifies it with jose: the key's thumbprint. */
async function proofThumbprint(page: Page): Promise<string> {
  await page.evaluate(() => window.dpopTab.signIn())
  const { dpop, authorization } = await page.evaluate(() => window.dpopTab.proof())
  expect(authorization).toMatch(/^DPoP /)
  const { payload, protectedHeader } = await jwtVerify(dpop!, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256'] })
  expect(payload).toMatchObject({ htm: 'GET', htu: `${server.url}/api/me` })
  return calculateJwkThumbprint(protectedHeader.jwk as JWK)
}

it('D1 the private key is a non-extractable CryptoKey in IndexedDB: exportKey fails, and no private JWK is in any storage', async () => {
  browser = await launchChromium()
  const page = await openTab()
  await proofThumbprint(page)

  const key = await page.evaluate(() => window.dpopTab.inspectKey())
  expect(key).toMatchObject({ isCryptoKey: true, type: 'private', extractable: false, algorithm: { name: 'ECDSA', namedCurve: 'P-256' }, usages: ['sign'] })
  expect(key!.exports).toEqual(['InvalidAccessError', 'InvalidAccessError'])

  const dump = await page.evaluate(() => window.dpopTab.dump())
  // The key is in IndexedDB as a CryptoKey (described, never its material); nowhere is there a
  // JWK's private member, nor any JWK at all.
  expect(dump.indexedDB).toContain('"extractable":false')
  for (const [place, text] of Object.entries(dump)) {
    expect(text, place).not.toMatch(/"d"\s*:/)
    expect(text, place).not.toMatch(/"kty"/)
  }
  expect(await page.evaluate(() => window.dpopTab.warnings)).toEqual([])
})

it(`D9 ${TABS} tabs starting together end up with one key, which survives a reload; every tab's proofs verify`, async () => {
  browser = await launchChromium()
  // Opened and signed in at once: each tab generates a key and races to store it.
  const tabs = await Promise.all(Array.from({ length: TABS }, () => openTab()))
  const thumbprints = await Promise.all(tabs.map(proofThumbprint))
  expect(new Set(thumbprints).size).toBe(1)
  const records = await tabs[0]!.evaluate(() => window.dpopTab.dump())
  expect(records.indexedDB.match(/"type":"private"/g)).toHaveLength(1)

  await tabs[2]!.reload()
  await tabs[2]!.evaluate(() => window.dpopTab.auth.ready)
  expect(await proofThumbprint(tabs[2]!)).toBe(thumbprints[0])
  const late = await openTab()
  expect(await proofThumbprint(late)).toBe(thumbprints[0])
  for (const tab of [...tabs, late]) expect(await tab.evaluate(() => window.dpopTab.warnings)).toEqual([])
})

/** Tab `n` of the cross-tab fixture with `dpop()`, memory storage (the default), ready. */
async function openDpopTab(n: number): Promise<Page> {
  const page = await browser!.context.newPage()
  await page.goto(`${tabsServer.url}/?${new URLSearchParams({ tab: String(n), dpop: '1', leeway: String(LEEWAY_SECONDS) })}`)
  // The page awaits its import of /dpop, so `load` can come before `window.sdkTab` exists.
  await page.waitForFunction(() => window.sdkTab !== undefined)
  await page.evaluate(() => window.sdkTab.auth.ready)
  return page
}

/** Polls until every tab holds one token for alice other than `not`; its jti. */
async function oneToken(tabs: Page[], not?: string): Promise<string> {
  const deadline = Date.now() + 2 * TTL_SECONDS * 1000
  for (;;) {
    const all = await Promise.all(tabs.map((tab) => tab.evaluate(() => window.sdkTab.snapshot())))
    const jti = all[0]!.jti
    if (jti && jti !== not && all.every((tab) => tab.status === 'authenticated' && tab.sub === 'u_alice' && tab.jti === jti)) return jti
    if (Date.now() > deadline) throw new Error(`the tabs never agreed on one token: ${JSON.stringify(all)}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

it(`D9 ${TABS} tabs against the real backend: one key (kept across a reload), ONE refresh for an expiry in all ${TABS}, and every tab's proofs verify at the server`, async () => {
  browser = await launchChromium()
  await tabsServer.reset()
  const tabs = await Promise.all([1, 2, 3].map(openDpopTab))
  await tabs[0]!.evaluate(() => window.sdkTab.login('alice', 'wonderland'))
  // Opened after the sign-in, one at a time: each restores it from the open tabs.
  for (let n = 4; n <= TABS; n++) tabs.push(await openDpopTab(n))
  const first = await oneToken(tabs)

  // A reloaded tab restores the sign-in and signs with the key it had: the server, which bound the
  // token to that key, accepts its proofs.
  await tabs[2]!.reload()
  await tabs[2]!.waitForFunction(() => window.sdkTab !== undefined)
  await tabs[2]!.evaluate(() => window.sdkTab.auth.ready)
  expect(await oneToken(tabs)).toBe(first)
  expect(await tabs[2]!.evaluate(() => window.sdkTab.me())).toMatchObject({ status: 200, sub: 'u_alice', tokenJti: first })
  const before = (await tabsServer.stats()).refreshes

  // The token comes due in all five tabs at once; each also calls the API at that moment.
  const [state] = await Promise.all(tabs.map((tab) => tab.evaluate(() => window.sdkTab.snapshot())))
  const due = state!.expiresAt! - LEEWAY_SECONDS * 1000
  const bursts = await Promise.all(tabs.map((tab) => tab.evaluate((at) => window.sdkTab.burstAt(at, 3), due)))
  const second = await oneToken(tabs, first)
  for (const burst of bursts) for (const call of burst.calls) expect(call).toMatchObject({ status: 200, sub: 'u_alice' })
  for (const tab of tabs) expect(await tab.evaluate(() => window.sdkTab.me())).toMatchObject({ status: 200, sub: 'u_alice', tokenJti: second })

  const stats = await tabsServer.stats()
  expect(stats).toMatchObject({ logins: 1, refreshes: before + 1, reuseDetections: 0 })
  // Every request the tabs sent to the API carried a proof, and the server accepted each one.
  const sent = (await Promise.all(tabs.map((tab) => tab.evaluate(() => window.sdkTab.requests) as Promise<LoggedRequest[]>))).flat().filter((request) => request.path.startsWith('/api/'))
  expect(sent.filter((request) => request.proof === undefined || request.status !== 200)).toEqual([])
  expect(stats.dpop).toEqual({ verified: sent.length, refused: {} })
  console.info(`D9: ${sent.length} requests from ${TABS} tabs, each proof verified by the server; ${stats.refreshes} refresh(es) in all`)

  // One key behind every proof (jose agrees), and it is the key both tokens are bound to.
  const thumbprints = new Set(
    await Promise.all(
      sent.map(async (request) => {
        const { protectedHeader } = await jwtVerify(request.proof!, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256'] })
        return calculateJwkThumbprint(protectedHeader.jwk as JWK)
      }),
    ),
  )
  expect(thumbprints.size).toBe(1)
  for (const tab of tabs) {
    const token = await tab.evaluate(() => window.sdkTab.auth.getAccessToken())
    expect(decodeJwt(token!).cnf).toEqual({ jkt: [...thumbprints][0] })
  }
  for (const tab of tabs) {
    expect((await tab.evaluate(() => window.sdkTab.events)).filter((event) => ['refresh-failed', 'error', 'expired', 'unauthorized'].includes(event.name) || (event.name === 'warning'))).toEqual([])
  }
})
