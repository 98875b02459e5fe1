import { readFile } from 'node:fs/promises'
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
  { id: 'csrf', claim: /Cookie sessions are open to CSRF/ },
  { id: 'cross-domain', claim: /Bearer tokens cross origins easily/ },
  { id: 'jwks', claim: /Any service can verify a JWT/ },
  { id: 'expiry', claim: /Short-lived access tokens/ },
]

interface ExportedResult {
  id: string
  claim: string
  verdict: string
  measured: Array<{ label: string; value: number; unit: string }>
}

describe('demo: comparison lab', () => {
  const session = useDemoSession()

  it('runs every experiment live, shows a verdict and a measured number per claim, and exports the results as JSON', async () => {
    const { page, problems } = await openDemo(session.browser.context, session.demo.url, 'memory')
    await page.getByRole('navigation', { name: 'Sections' }).getByRole('link', { name: 'Comparison lab' }).click()
    const lab = page.getByRole('region', { name: 'Comparison lab' })
    await expect.poll(() => lab.getByRole('status', { name: 'Lab status' }).textContent()).toMatch(/^Not run yet/)

    await lab.getByRole('button', { name: 'Run all experiments' }).click()
    await expect.poll(() => lab.getByRole('status', { name: 'Lab status' }).textContent(), { timeout: 120_000 }).toBe(`Finished: ${CLAIMS.length} experiments`)

    const table = lab.getByRole('table')
    for (const { claim } of CLAIMS) {
      const row = table.getByRole('row', { name: claim })
      const text = await row.innerText()
      expect(text, text).toMatch(/\b(agrees|depends|disagrees)\b/)
      expect(text).toMatch(/: \d[\d,.]* \S/)
    }
    expect(await table.innerText()).not.toMatch(/\bfailed\b/)
    await page.screenshot({ path: `${screenshotDir}demo-lab.png`, fullPage: true })

    const [download] = await Promise.all([page.waitForEvent('download'), lab.getByRole('button', { name: 'Export JSON' }).click()])
    expect(download.suggestedFilename()).toBe('authlens-lab-results.json')
    const path = await download.path()
    // Kept beside the screenshot: the numbers of the last run, for the README's table.
    await download.saveAs(`${screenshotDir}demo-lab-results.json`)
    const exported = JSON.parse(await readFile(path, 'utf8')) as { results: ExportedResult[] }
    expect(exported.results.map((result) => result.id)).toEqual(CLAIMS.map((claim) => claim.id))
    for (const result of exported.results) {
      expect(['agrees', 'depends', 'disagrees']).toContain(result.verdict)
      expect(result.measured.length).toBeGreaterThan(0)
      for (const measurement of result.measured) expect(Number.isFinite(measurement.value)).toBe(true)
    }
    const size = exported.results.find((result) => result.id === 'token-size')
    const jwtBytes = size?.measured.find((measurement) => measurement.label === 'JWT header')?.value ?? 0
    const sessionBytes = size?.measured.find((measurement) => measurement.label === 'Session cookie header')?.value ?? 0
    expect(jwtBytes).toBeGreaterThan(sessionBytes)
    expect(sessionBytes).toBeGreaterThan(0)
    // The server measured real memory for 10,000 sessions and holds nothing for JWTs.
    const memory = exported.results.find((result) => result.id === 'memory')
    expect(memory?.verdict).toBe('agrees')
    expect(memory?.measured.find((measurement) => measurement.label === 'Per session held')?.value ?? 0).toBeGreaterThan(0)
    expect(memory?.measured.find((measurement) => measurement.label === 'JWT entries held by the server')?.value).toBe(0)
    // The bearer token crossed to http://localhost:PORT; the 127.0.0.1 session cookie did not.
    const cross = exported.results.find((result) => result.id === 'cross-domain')
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
    const csrf = exported.results.find((result) => result.id === 'csrf')
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
    // A second run from the same page works too: the experiments cleaned up after themselves.
    expect(await lab.getByRole('button', { name: 'Run again' }).isEnabled()).toBe(true)

    // The lab left the server as it found it: real clock, denylist on, bob signed out everywhere.
    const stats = (await (await fetch(`${session.demo.url}/__mock/stats`)).json()) as Record<string, unknown>
    expect(stats.clockOffsetSeconds).toBe(0)
    expect(stats.revokeAccessTokenOnLogout).toBe(true)
    expect(stats.csrfDefences).toEqual({ sessionCookieSameSite: 'Lax', tokenCheck: true, formBodies: false })
    expect(stats.liveSessions).toBe(0)
    expect(problems).toEqual([])
    await page.close()
  }, 180_000)

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
