import { readFile } from 'node:fs/promises'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { screenshotDir } from '../helpers/chromium.ts'
import { openDemo, useDemoSession } from '../helpers/demo-page.ts'

/** The experiments the lab runs, by the claim each row is headed with. */
const CLAIMS: Array<{ id: string; claim: RegExp }> = [
  { id: 'token-size', claim: /A JWT makes every request much larger/ },
  { id: 'revocation', claim: /A JWT cannot be revoked/ },
  { id: 'performance', claim: /JWTs are faster/ },
  { id: 'memory', claim: /Sessions need server memory per active user/ },
  { id: 'storage', claim: /Tokens in the browser are exposed to XSS/ },
  { id: 'theft', claim: /A token stolen from the browser by XSS works from another machine/ },
  { id: 'csrf', claim: /Cookie sessions are open to CSRF/ },
  { id: 'cross-domain', claim: /Bearer tokens cross origins easily/ },
  { id: 'jwks', claim: /Any service can verify a JWT/ },
  { id: 'expiry', claim: /Short-lived access tokens/ },
  { id: 'sso', claim: /JWTs can be used for SSO across services/ },
  { id: 'architectures', claim: /Sessions or JWTs: a session cookie keeps a browser app’s credentials from scripts/ },
]

interface ExportedResult {
  id: string
  claim: string
  verdict: string
  why: string
  measured: Array<{ label: string; value: number; unit: string; interval?: { low: number; high: number }; samples?: number }>
}

/** The lab's Export JSON, as a person would download it; the last run's is kept for the README. */
async function exportResults(page: Page): Promise<ExportedResult[]> {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()])
  expect(download.suggestedFilename()).toBe('authlens-lab-results.json')
  await download.saveAs(`${screenshotDir}demo-lab-results.json`)
  return (JSON.parse(await readFile(await download.path(), 'utf8')) as { results: ExportedResult[] }).results
}

describe('demo: comparison lab', () => {
  const session = useDemoSession()

  it('runs the whole lab three times: every verdict the same each time, every timing with its interval and sample size, results exported as JSON', async () => {
    const { page, problems } = await openDemo(session.browser.context, session.demo.url, 'memory')
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Comparison lab' }).click()
    const lab = page.getByRole('region', { name: 'Comparison lab' })
    await expect.poll(() => lab.getByRole('status', { name: 'Lab status' }).textContent()).toMatch(/^Not run yet/)

    const runs: ExportedResult[][] = []
    for (const button of ['Run all experiments', 'Run again', 'Run again']) {
      await lab.getByRole('button', { name: button }).click()
      await expect.poll(() => lab.getByRole('status', { name: 'Lab status' }).textContent(), { timeout: 120_000 }).toBe(`Finished: ${CLAIMS.length} experiments`)
      const table = lab.getByRole('table')
      for (const { claim } of CLAIMS) {
        const row = table.getByRole('row', { name: claim })
        const text = await row.innerText()
        expect(text, text).toMatch(/\b(agrees|depends|disagrees)\b/)
        expect(text).toMatch(/: \d[\d,.]* \S/)
      }
      expect(await table.innerText()).not.toMatch(/\bfailed\b/)
      runs.push(await exportResults(page))
    }
    await page.screenshot({ path: `${screenshotDir}demo-lab.png`, fullPage: true })
    await lab.getByRole('table').getByRole('row', { name: /A token stolen from the browser by XSS/ }).screenshot({ path: `${screenshotDir}demo-lab-theft.png` })
    await lab.getByRole('table').getByRole('row', { name: /Sessions or JWTs: a session cookie keeps/ }).screenshot({ path: `${screenshotDir}demo-lab-architectures.png` })

    // The experiments, not this test, must make every verdict the same in every run.
    for (const { id } of CLAIMS) {
      const verdicts = runs.map((results) => results.find((result) => result.id === id)?.verdict)
      expect(verdicts, `${id}: ${verdicts.join(', ')}`).toEqual([verdicts[0], verdicts[0], verdicts[0]])
    }
    const exported = runs[2]!
    expect(exported.map((result) => result.id)).toEqual(CLAIMS.map((claim) => claim.id))
    for (const result of exported) {
      expect(['agrees', 'depends', 'disagrees']).toContain(result.verdict)
      expect(result.measured.length).toBeGreaterThan(0)
      for (const measurement of result.measured) expect(Number.isFinite(measurement.value)).toBe(true)
      // No timing stands alone: each is a median with its interval and sample size, in the row and in the why.
      const timings = result.measured.filter((measurement) => measurement.unit === 'ms' || measurement.unit === 'µs')
      for (const { label, value, interval, samples } of timings) {
        expect(interval, `${result.id}: ${label}`).toBeDefined()
        expect(interval!.low).toBeLessThanOrEqual(value)
        expect(interval!.high).toBeGreaterThanOrEqual(value)
        expect(samples, `${result.id}: ${label}`).toBeGreaterThanOrEqual(30)
      }
      if (timings.length > 0) expect(result.why, result.id).toMatch(/95% CI [\d.,]+–[\d.,]+, n = [\d,]+/)
    }
    for (const id of ['performance', 'jwks', 'expiry']) {
      expect(exported.find((result) => result.id === id)?.measured.some((measurement) => measurement.interval), id).toBe(true)
    }
    // The performance experiment measured what the claim is about, at least 1,000 times per mode.
    const performanceRow = exported.find((result) => result.id === 'performance')
    for (const label of ['Server: ES256 signature check', 'Server: HS256 signature check', 'Server: session lookup, in memory', 'End to end from this page: session']) {
      expect(performanceRow?.measured.find((measurement) => measurement.label === label)?.samples, label).toBeGreaterThanOrEqual(1000)
    }
    expect(performanceRow?.why).toMatch(/Redis .*\(recorded by npm run bench -- scale on \d{4}-\d{2}-\d{2}/)

    const size = exported.find((result) => result.id === 'token-size')
    const jwtBytes = size?.measured.find((measurement) => measurement.label === 'JWT header')?.value ?? 0
    const sessionBytes = size?.measured.find((measurement) => measurement.label === 'Session cookie header')?.value ?? 0
    expect(jwtBytes).toBeGreaterThan(sessionBytes)
    expect(sessionBytes).toBeGreaterThan(0)
    // The server measured real memory for 10,000 sessions and holds nothing for JWTs.
    const memory = exported.find((result) => result.id === 'memory')
    expect(memory?.verdict).toBe('agrees')
    expect(memory?.measured.find((measurement) => measurement.label === 'Per session held')?.value ?? 0).toBeGreaterThan(0)
    expect(memory?.measured.find((measurement) => measurement.label === 'JWT entries held by the server')?.value).toBe(0)
    // The bearer token crossed to http://localhost:PORT; the 127.0.0.1 session cookie did not.
    const cross = exported.find((result) => result.id === 'cross-domain')
    const status = (label: string) => cross?.measured.find((measurement) => measurement.label === label)?.value
    expect(status('Bearer call to the other origin')).toBe(200)
    expect(status('Session cookie call, same origin')).toBe(200)
    expect(status('Session cookie call to the other origin')).toBe(401)
    expect(status('Cookie call after that sign-in')).toBe(401)
    expect(cross?.verdict).toBe('agrees')
    // Real form posts from http://localhost:PORT against the session mode, its defences taken away
    // one at a time: SameSite=Lax keeps the cookie home (401); with SameSite=None the token check
    // refuses (403); without it the JSON-only API refuses the form body (415); with none left the
    // forged notes are created (201). Bearer mode: no credential (401), nothing created.
    const csrf = exported.find((result) => result.id === 'csrf')
    const csrfValue = (label: string) => csrf?.measured.find((measurement) => measurement.label === label)?.value
    expect(csrfValue('Session: same-origin POST without X-XSRF-TOKEN')).toBe(403)
    expect(csrfValue('Session: same-origin POST with X-XSRF-TOKEN')).toBe(201)
    const layers: Array<[string, number, number]> = [
      ['SameSite=Lax (as shipped)', 401, 0],
      ['SameSite=None', 403, 0],
      ['SameSite=None, no CSRF token check', 415, 0],
      ['SameSite=None, no token check, form bodies accepted', 201, 2],
    ]
    for (const [layer, answered, created] of layers) {
      expect(csrfValue(`Session, ${layer}: cross-site form post answered`), layer).toBe(answered)
      expect(csrfValue(`Session, ${layer}: notes created by cross-site form posts`), layer).toBe(created)
    }
    expect(csrfValue('Bearer: cross-site form post answered')).toBe(401)
    expect(csrfValue('Bearer: notes created by cross-site form posts')).toBe(0)
    expect(csrfValue('CSRF rejections by the server')).toBe(3)
    expect(csrf?.verdict).toBe('depends')

    // Single sign-on, measured in app B's own window on http://localhost:PORT: one password typed in
    // A, none for B's 30 silent sign-ins, one redirect each, both apps with JWTs of their own.
    const sso = exported.find((result) => result.id === 'sso')
    const ssoValue = (label: string) => sso?.measured.find((measurement) => measurement.label === label)
    expect(ssoValue('Passwords typed: app A')?.value).toBe(1)
    expect(ssoValue('Passwords typed: app B (30 sign-ins)')?.value).toBe(0)
    expect(ssoValue('App B signed in without a password')?.value).toBe(30)
    expect(ssoValue('Redirects per app B sign-in')?.value).toBe(1)
    expect(ssoValue('Time to be signed in to app B')?.samples).toBe(30)
    expect(ssoValue('Session cookie call to the other origin')?.value).toBe(401)
    expect(sso?.why).toMatch(/A's ID token is for authlens-demo, B's for authlens-demo-b, both naming the same provider session/)
    expect(sso?.verdict).toBe('depends')

    // D2 from another machine: the token the XSS read took, replayed 20 times from Node (the dev
    // server) without the page's key. Bearer: accepted every time. DPoP-bound: refused every time,
    // for the reasons the server gives; yet the script in the page used it 20 of 20 times.
    const theft = exported.find((result) => result.id === 'theft')
    const theftValue = (label: string) => theft?.measured.find((measurement) => measurement.label === label)?.value
    expect(theftValue('Bearer: replays from Node accepted')).toBe(20)
    expect(theftValue('Bearer: time the stolen token had left at the last replay')).toBeGreaterThan(0)
    expect(theftValue('DPoP: replays from Node accepted')).toBe(0)
    expect(theftValue('DPoP: refused as Bearer (bearer_downgrade)')).toBe(20)
    expect(theftValue('DPoP: refused with the thief’s own key (key_mismatch)')).toBe(20)
    expect(theftValue('DPoP: the script’s requests in the page accepted')).toBe(20)
    expect(theftValue('DPoP: proofs the server verified for the script')).toBe(20)
    expect(theft?.verdict).toBe('depends')

    // BFF, token-mediating backend, browser-only client: no token readable behind the BFF, yet a
    // script acts through its proxy 20 of 20 times; the others hand a script a token that works
    // from another origin; the hop and the session record are what the BFF costs.
    const architecture = exported.find((result) => result.id === 'architectures')
    const archValue = (label: string) => architecture?.measured.find((measurement) => measurement.label === label)
    expect(archValue('BFF: token bytes a script can read')?.value).toBe(0)
    expect(archValue('Token-mediating: token bytes a script can read')?.value).toBeGreaterThan(0)
    expect(archValue('Browser-only: token bytes a script can read')?.value).toBeGreaterThan(archValue('Token-mediating: token bytes a script can read')!.value)
    for (const label of ['BFF: script calls through the proxy answered', 'Token-mediating: script calls with the handed token answered', 'Browser-only: script calls with the fresh token answered']) {
      expect(archValue(label)?.value, label).toBe(20)
    }
    expect(archValue('BFF: the proxy called from the other origin')?.value).toBe(401)
    expect(archValue('Token-mediating: its token used from the other origin')?.value).toBe(200)
    expect(archValue('Browser-only: its token used from the other origin')?.value).toBe(200)
    expect(archValue('GET /bff/api/me through the BFF, p95')?.samples).toBe(300)
    expect(archValue('Server state per user: BFF (or token-mediating) session record, tokens included')?.value).toBeGreaterThan(500)
    expect(architecture?.verdict).toBe('depends')

    // The lab left the server as it found it: real clock, denylist on, bob signed out everywhere.
    const stats = (await (await fetch(`${session.demo.url}/__mock/stats`)).json()) as Record<string, unknown>
    expect(stats.clockOffsetSeconds).toBe(0)
    expect(stats.revokeAccessTokenOnLogout).toBe(true)
    expect(stats.csrfDefences).toEqual({ sessionCookieSameSite: 'Lax', tokenCheck: true, formBodies: false })
    expect(stats.liveSessions).toBe(0)
    expect(stats.liveBffSessions).toBe(0)
    expect(problems).toEqual([])
    await page.close()
  }, 300_000)

  it('shows the scale-out results as recorded by the benchmark, with their date and reading, and says so plainly when there are none', async () => {
    const recorded = JSON.parse(await readFile(new URL('../../demo-spa/public/lab/scale-results.json', import.meta.url), 'utf8')) as {
      recordedAt: string
      rows: Array<{ label: string; instances: number; requestsPerSecond: number }>
      reading: string[]
    }
    const { page, problems } = await openDemo(session.browser.context, session.demo.url, 'memory')
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Comparison lab' }).click()
    const scale = page.getByRole('region', { name: 'Scale-out lab (recorded)' })
    const status = scale.getByRole('status', { name: 'Scale results status' })
    await expect.poll(() => status.textContent()).toContain(`Recorded by npm run bench -- scale on ${recorded.recordedAt.slice(0, 10)}`)
    const rows = scale.getByRole('table').getByRole('row')
    expect(await rows.count()).toBe(1 + recorded.rows.length)
    for (const [index, row] of recorded.rows.entries()) {
      const text = await rows.nth(index + 1).innerText()
      expect(text).toContain(row.label)
      expect(text).toContain(row.requestsPerSecond.toLocaleString('en-US'))
    }
    expect(await scale.getByRole('list', { name: 'Scale reading' }).getByRole('listitem').count()).toBe(recorded.reading.length)
    // A region of its own: the live lab's results table still appears only after a run.
    expect(await page.getByRole('region', { name: 'Comparison lab' }).getByRole('table').count()).toBe(0)
    await scale.screenshot({ path: `${screenshotDir}demo-lab-scale.png` })

    await page.route('**/lab/scale-results.json', (route) => route.fulfill({ status: 404, body: '' }))
    await page.reload()
    await expect.poll(() => status.textContent()).toMatch(/^No scale-out results recorded yet .*Run npm run bench -- scale/)
    expect(await scale.getByRole('table').count()).toBe(0)
    expect(problems.filter((problem) => !problem.includes('/lab/scale-results.json'))).toEqual([])
    await page.close()
  })
})
