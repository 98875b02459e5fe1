import { describe, expect, it } from 'vitest'
import { screenshotDir } from '../helpers/chromium.ts'
import { breakIt, eventLog, openDemo, runBreakIt, signIn, signInStatus, signOut, type DemoModeId, useDemoSession } from '../helpers/demo-page.ts'

/**
 * The Break it panel: each fault, injected through the page as a person would, and the result
 * the page shows for it. Each test starts from a clean origin: a broken sign-in must not leak
 * into the next.
 */
describe('demo: break it', () => {
  const session = useDemoSession()

  const signedIn = async (mode: DemoModeId) => {
    const opened = await openDemo(session.browser.context, session.demo.url, mode)
    await signIn(opened.page, 'bob', 'builder-bob', 'Bob Builder')
    return opened
  }

  it('make the next refresh fail: a refused refresh signs out cleanly; a server error is retried', async () => {
    const { page, problems } = await signedIn('memory')
    const retried = await runBreakIt(page, 'Make the next refresh fail', '500 server error')
    expect(retried).toMatch(/Still signed in: the SDK retried after the server error and the retry succeeded/)
    expect(retried).toMatch(/POST \/api\/auth\/refresh 500[\s\S]*POST \/api\/auth\/refresh 200/)

    const refused = await runBreakIt(page, 'Make the next refresh fail', '401 refused (invalid_grant)')
    expect(refused).toMatch(/Signed out: the server refused the refresh/)
    expect(refused).toMatch(/POST \/api\/auth\/refresh 401 .*invalid_grant/)
    await expect.poll(() => signInStatus(page).textContent()).toBe('Signed out')
    const log = await eventLog(page)
    expect(log).toMatch(/SDK refresh-failed refresh_failed/)
    expect(log).toMatch(/SDK logout reason: refresh_failed/)
    await page.screenshot({ path: `${screenshotDir}demo-break-fail-refresh.png`, fullPage: true })
    expect(problems).toEqual([])
  })

  it('revoke: a session ends at once', async () => {
    const { page, problems } = await signedIn('session')
    const result = await runBreakIt(page, 'Revoke on the server')
    expect(result).toMatch(/Signed out at once/)
    expect(result).toMatch(/GET \/api\/notes 401/)
    await expect.poll(() => signInStatus(page).textContent()).toBe('Signed out')
    expect(problems).toEqual([])
  })

  it('revoke: a JWT keeps working until its refresh is refused', async () => {
    const { page, problems } = await signedIn('sessionStorage')
    await page.getByLabel('New note').fill('written before the revocation')
    await page.getByRole('button', { name: 'Add note' }).click()
    const result = await runBreakIt(page, 'Revoke on the server')
    expect(result).toMatch(/The access token still works after revocation/)
    expect(result).toMatch(/GET \/api\/notes 200/)
    expect(await page.getByRole('list', { name: 'Notes' }).textContent()).toContain('written before the revocation')
    expect(await signInStatus(page).textContent()).toBe('Signed in as Bob Builder')
    await page.screenshot({ path: `${screenshotDir}demo-break-revoke-jwt.png`, fullPage: true })

    await page.getByRole('button', { name: 'Refresh now' }).click()
    await expect.poll(() => signInStatus(page).textContent()).toBe('Signed out')
    expect(await eventLog(page)).toMatch(/SDK logout reason: refresh_failed/)
    expect(problems).toEqual([])
  })

  it('replay an old refresh token: reuse detected, the family revoked, signed out', async () => {
    const { page, problems } = await signedIn('localStorage')
    const result = await runBreakIt(page, 'Replay an old refresh token')
    expect(result).toMatch(/Reuse detected \(refresh_token_reused\)/)
    expect(result).toMatch(/3\. Replayed the copy: 401 refresh_token_reused/)
    expect(result).toMatch(/4\. The app’s next refresh[\s\S]*POST \/api\/auth\/refresh 401/)
    await expect.poll(() => signInStatus(page).textContent()).toBe('Signed out')
    const stats = (await (await fetch(`${session.demo.url}/__mock/stats`)).json()) as { reuseDetections: number }
    expect(stats.reuseDetections).toBe(1)
    await page.screenshot({ path: `${screenshotDir}demo-break-replay.png`, fullPage: true })

    // With the refresh token in an HttpOnly cookie there is nothing a script could copy.
    await page.getByLabel('JWT in memory + HttpOnly refresh cookie').check()
    const replay = breakIt(page, 'Replay an old refresh token')
    expect(await replay.getByRole('button', { name: 'Steal and replay' }).isDisabled()).toBe(true)
    expect(await replay.textContent()).toMatch(/in an HttpOnly cookie: no script can copy it/)
    expect(problems).toEqual([])
  })

  it('simulated XSS read: storage modes give the tokens away, HttpOnly modes do not', async () => {
    const { page, problems } = await signedIn('localStorage')
    const stolen = await runBreakIt(page, 'Simulate an XSS read of storage')
    expect(stolen).toMatch(/Exfiltrated: access token \(from localStorage\), refresh token \(from localStorage\)/)
    const evidence = await breakIt(page, 'Simulate an XSS read of storage').getByLabel('What the script could send').textContent()
    expect(evidence).toMatch(/"authlens:demo-localStorage": "\{\\"accessToken\\":\\"eyJ[\w-]+\.[\w-]+\.[\w-]+\\",\\"refreshToken\\":\\"[\w-]+\\",\\"expiresAt\\":\d+,\\"v\\":1}"/)
    await page.screenshot({ path: `${screenshotDir}demo-break-xss-localstorage.png`, fullPage: true })

    // Signed out first: tokens another mode left in localStorage would be readable by the script too.
    await signOut(page)
    await page.getByLabel('Session (HttpOnly session cookie)').check()
    await signIn(page, 'bob', 'builder-bob', 'Bob Builder')
    const session = await runBreakIt(page, 'Simulate an XSS read of storage')
    expect(session).toMatch(/No credential to take: the session id is HttpOnly/)
    const sessionEvidence = await breakIt(page, 'Simulate an XSS read of storage').getByLabel('What the script could send').textContent()
    expect(sessionEvidence).toContain('XSRF-TOKEN')
    expect(sessionEvidence).not.toMatch(/sid/)

    await page.getByLabel('JWT in memory + HttpOnly refresh cookie').check()
    await signIn(page, 'bob', 'builder-bob', 'Bob Builder')
    const memory = await runBreakIt(page, 'Simulate an XSS read of storage')
    expect(memory).toMatch(/No token in any storage a script can list/)
    expect(problems).toEqual([])
  })

  it('expire now, skew the clock, add latency: a JWT recovers with one refresh; a session expires', async () => {
    const { page, problems } = await signedIn('memory')
    const expired = await runBreakIt(page, 'Expire the token now')
    expect(expired).toMatch(/Recovered without you noticing/)
    expect(expired).toMatch(/GET \/api\/notes 401 .*invalid_token \(expired\)[\s\S]*POST \/api\/auth\/refresh 200[\s\S]*GET \/api\/notes 200/)

    const skewed = await runBreakIt(page, 'Skew the server clock')
    expect(skewed).toMatch(/GET \/api\/notes 401 .*not_yet_valid[\s\S]*POST \/api\/auth\/refresh 200[\s\S]*GET \/api\/notes 200/)

    const slow = await runBreakIt(page, 'Add latency', '1.5 s')
    expect(slow).toMatch(/Slow, not broken: loading the notes took (1\.[5-9]|[2-9]\.)\d* s/)
    await page.getByRole('button', { name: 'Undo server faults' }).click()
    await expect.poll(() => page.getByText('Server: no faults').isVisible()).toBe(true)
    expect(await signInStatus(page).textContent()).toBe('Signed in as Bob Builder')

    await page.getByLabel('Session (HttpOnly session cookie)').check()
    await signIn(page, 'bob', 'builder-bob', 'Bob Builder')
    const session = await runBreakIt(page, 'Expire the token now')
    expect(session).toMatch(/Session expired: the server refused it \(401\) and the SDK signed you out/)
    await expect.poll(() => signInStatus(page).textContent()).toBe('Signed out')
    expect(await eventLog(page)).toMatch(/SDK expired reason: session_expired/)
    expect(problems).toEqual([])
  })
})
