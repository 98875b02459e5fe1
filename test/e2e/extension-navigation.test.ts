import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openPanelSession, type PanelSession } from '../helpers/panel-session.ts'
import { panelView, waitFor } from '../helpers/panel-view.ts'

/**
 * What survives a navigation in the real panel: an SPA route change (`history.pushState`) keeps
 * everything, a real navigation starts the panel over, and "Preserve log" keeps it all. On the
 * page without the SDK (test/e2e/fixtures/plain-page), in headed Chromium with real DevTools.
 */
describe('AuthLens DevTools panel across navigations', () => {
  let session: PanelSession
  const { inPanel, showView, tokenCards } = panelView({ panel: () => session.panel, frontEnd: () => session.frontEnd })
  const timeline = () => inPanel<Array<{ kind: string; at: number }>>(`return [...document.querySelectorAll('[data-testid=timeline-row]')].map((row) => ({ kind: row.dataset.kind, at: Number(row.dataset.at) }))`)
  const shownPage = () => inPanel<string>(`return document.querySelector('.toolbar .page').textContent`)
  const aliceCard = async () => (await tokenCards()).find((card) => card.text.includes('"sub": "u_alice"'))
  /** Longer than the panel's navigation debounce, so a reset would have happened. */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 1000))

  beforeAll(async () => {
    session = await openPanelSession('plain-page')
  }, 90_000)

  afterAll(() => session?.close())

  it('a history.pushState route change keeps tokens and timeline; the toolbar shows the new URL', async () => {
    const { page, server } = session
    expect(await page.evaluate(() => window.plain.signIn())).toBe(200)
    await waitFor('the token card', aliceCard)
    await showView('Timeline')
    const before = await waitFor('the login on the timeline', async () => {
      const rows = await timeline()
      return rows.some((r) => r.kind === 'login') ? rows : null
    })

    expect(await page.evaluate(() => window.plain.route('/notes/42'))).toBe(`${server.url}/notes/42`)
    await waitFor('the toolbar to show the new route', async () => (await shownPage()) === `${server.url}/notes/42`)
    await settle()
    expect(await timeline()).toEqual(expect.arrayContaining(before))
    await showView('Tokens')
    expect(await aliceCard()).toBeDefined()
  })

  it('a real navigation starts over; with Preserve log on it does not', async () => {
    const { page, server } = session
    await showView('Timeline')
    const navigatedAt = Date.now()
    await page.goto(`${server.url}/other`)
    const fresh = await waitFor('a timeline of the new page only', async () => {
      const rows = await timeline()
      return rows.length > 0 && rows.every((r) => r.at >= navigatedAt) ? rows : null
    })
    expect(fresh.some((r) => r.kind === 'login'), 'the old page’s login is gone').toBe(false)

    await inPanel(`document.querySelector('.preserve input').click()`)
    expect(await page.evaluate(() => window.plain.signIn())).toBe(200)
    const kept = await waitFor('the new login', async () => {
      const rows = await timeline()
      return rows.some((r) => r.kind === 'login') ? rows : null
    })
    await page.reload()
    await waitFor('the toolbar to show the reloaded page', async () => (await shownPage()) === `${server.url}/other`)
    await settle()
    expect(await timeline()).toEqual(expect.arrayContaining(kept))
    expect(session.panelErrors, 'no errors in the panel').toEqual([])
  })

  it('E15 sends nothing off the machine', async () => {
    expect(await session.egress()).toEqual({ leaving: [], gaps: [] })
  })
})
