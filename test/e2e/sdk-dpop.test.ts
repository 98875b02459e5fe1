import type { Page } from 'playwright-core'
import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify, type JWK } from 'jose'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { launchChromium, type LaunchedBrowser } from '../helpers/chromium.ts'
import { startFixtureServer, type FixtureServer } from '../helpers/fixture-server.ts'

/**
 * The DPoP key of `@authlens/sdk/dpop` in real Chromium: WebCrypto, IndexedDB's structured clone
 * of a CryptoKey and the tabs of one profile are the browser's own. Tokens come from a custom
 * login (test/e2e/fixtures/sdk-dpop), so what is tested is the key and the proofs made with it;
 * jose, in this process, verifies every proof.
 */

const TABS = 5
let server: FixtureServer
let browser: LaunchedBrowser | undefined

beforeAll(async () => {
  server = await startFixtureServer('sdk-dpop')
})
afterEach(async () => {
  await browser?.close()
  browser = undefined
})
afterAll(async () => {
  await server.close()
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
