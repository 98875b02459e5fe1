import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openPanelSession, type PanelSession } from '../helpers/panel-session.ts'
import { panelView, waitFor } from '../helpers/panel-view.ts'

/**
 * Signatures verified in the real panel with the key the page fetched: the mock backend signs
 * ES256 and publishes its key through RFC 8414 discovery and `/.well-known/jwks.json`; the page
 * (test/e2e/fixtures/plain-page) fetches them as an OAuth client would. The panel requests
 * nothing of its own: the egress check covers the whole session.
 */
describe('AuthLens DevTools panel verifying signatures with keys the page fetched', () => {
  let session: PanelSession
  const { inPanel, showView, screenshot, tokenCards } = panelView({ panel: () => session.panel, frontEnd: () => session.frontEnd })
  const card = async (sub: string) => (await tokenCards()).find((c) => c.text.includes(`"sub": "${sub}"`))?.text ?? ''

  beforeAll(async () => {
    session = await openPanelSession('plain-page')
  }, 90_000)

  afterAll(() => session?.close())

  it('says "not verified" until the page has the key, then "verified with the key kid from <url>"; a forgery "does not match" (J13, high)', async () => {
    const { page, server } = session
    expect(await page.evaluate(() => window.plain.signIn())).toBe(200)
    await page.evaluate(() => window.plain.storeForged())
    const before = await waitFor('both tokens', async () => {
      const [alice, admin] = [await card('u_alice'), await card('u_admin')]
      return alice && admin ? alice : null
    })
    expect(before).toContain('Signature not verified: decoded only')
    expect(before).toMatch(/No key seen: the page has fetched no JWK Set with kid "[\w-]+"/)

    const kid = await page.evaluate(() => window.plain.fetchKeys())
    expect(kid).toMatch(/^[\w-]+$/)
    const jwksUrl = `${server.url}/.well-known/jwks.json`
    const verified = await waitFor('the verified signature', async () => {
      const text = await card('u_alice')
      return text.includes('Signature verified') ? text : null
    })
    expect(verified).toMatch(new RegExp(`Signature verified with the key \`${kid}\` from ${jwksUrl.replace(/[.]/g, '\\.')}, seen at \\d\\d:\\d\\d:\\d\\d\\.\\d{3}`))
    expect(await card('u_admin')).toContain(`Signature does not match the key \`${kid}\` from ${jwksUrl}`)
    await screenshot('signature-verified')

    await showView('Audit')
    const j13 = await waitFor('the J13 finding', () => inPanel<string | null>(`return document.querySelector('[data-rule=J13]')?.innerText ?? null`))
    expect(j13).toContain('Signature does not match the published key')
    expect(j13).toContain('high')
    await showView('Tokens')
    expect(session.panelErrors, 'no errors in the panel').toEqual([])
  })

  it('E15 sends nothing off the machine: the keys came from the page’s own requests', async () => {
    expect(await session.egress()).toEqual({ leaving: [], gaps: [] })
  })
})
