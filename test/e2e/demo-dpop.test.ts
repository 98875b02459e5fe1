import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify, type JWK } from 'jose'
import type { Page } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { screenshotDir } from '../helpers/chromium.ts'
import { breakIt, clearEventLog, DPOP_MODE, eventLog, failedRequests, openDemo, runBreakIt, signIn, signInStatus, signOut, useDemoSession } from '../helpers/demo-page.ts'

/** One row of the card's DPoP key binding, as a person reads it. */
const binding = (page: Page, name: 'token cnf.jkt' | 'key thumbprint' | 'private key') =>
  page.getByLabel('DPoP key binding').locator('div', { has: page.getByRole('term').filter({ hasText: name }) }).getByRole('definition').innerText()

/** The next proof the page sends to `path`, checked by jose with the key it embeds: the key's thumbprint. */
async function nextProofTo(page: Page, path: string): Promise<{ authorization: string; jkt: string }> {
  const request = await page.waitForRequest((candidate) => new URL(candidate.url()).pathname === path && candidate.headers().dpop !== undefined)
  const headers = request.headers()
  const { protectedHeader } = await jwtVerify(headers.dpop ?? '', EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256'] })
  return { authorization: headers.authorization ?? '', jkt: await calculateJwkThumbprint(protectedHeader.jwk as JWK) }
}

describe('demo: JWT + DPoP (memory)', () => {
  const session = useDemoSession()

  const dpopStats = async () =>
    ((await (await fetch(`${session.demo.url}/__mock/stats`)).json()) as { dpop: { verified: number; refused: Record<string, number> } }).dpop

  it('sign in, notes load with proofs, the card shows the token bound to a non-extractable key, a reload stays signed in with the same key, sign out', async () => {
    const { page, problems } = await openDemo(session.browser.context, session.demo.url, DPOP_MODE.id)
    expect(await page.getByLabel(DPOP_MODE.label).isChecked()).toBe(true)
    const firstNotes = nextProofTo(page, '/api/notes')
    await signIn(page, 'alice', 'wonderland', 'Alice Liddell')
    await expect.poll(() => page.getByText('No notes yet. Add one below.').isVisible()).toBe(true)
    const sent = await firstNotes
    expect(sent.authorization).toMatch(/^DPoP eyJ/)

    await clearEventLog(page)
    await page.getByLabel('New note').fill('Note written in DPoP mode')
    await page.getByRole('button', { name: 'Add note' }).click()
    await expect.poll(() => page.getByRole('list', { name: 'Notes' }).textContent()).toContain('Note written in DPoP mode')
    // The event log names the scheme and the proof; the server's own timing has a proof step.
    await expect.poll(() => eventLog(page)).toMatch(/HTTP POST \/api\/notes 201 \d+ ms · server: .*dpop [\d.,]+ (µs|ms) \(proof\).* · sent Authorization: DPoP \+ DPoP proof/)

    // The card: the token's cnf.jkt is the SDK's key, which is the key that signed the proofs above,
    // and WebCrypto in the page refuses to export its private half.
    await expect.poll(() => page.getByText('same key').isVisible()).toBe(true)
    expect(await binding(page, 'token cnf.jkt')).toBe(sent.jkt)
    expect(await binding(page, 'key thumbprint')).toBe(sent.jkt)
    expect(await binding(page, 'private key')).toBe("CryptoKey, extractable: false; exportKey('pkcs8') refused (InvalidAccessError)")
    expect(await page.getByText('sent as Authorization: DPoP, with a proof').isVisible()).toBe(true)
    await page.screenshot({ path: `${screenshotDir}demo-dpop-signed-in.png`, fullPage: true })

    await page.getByRole('button', { name: 'Refresh now' }).click()
    await expect.poll(() => eventLog(page)).toMatch(/HTTP POST \/api\/auth\/refresh 200 .*sent DPoP proof \+ CSRF header/)
    expect(failedRequests(await eventLog(page))).toEqual([])

    // A reload: the access token was in memory, the refresh cookie and the key survive, so a silent
    // refresh signed with the same key restores the sign-in.
    await page.reload()
    await expect.poll(() => signInStatus(page).textContent(), { timeout: 15_000 }).toBe('Signed in as Alice Liddell')
    await expect.poll(() => page.getByRole('list', { name: 'Notes' }).textContent()).toContain('Note written in DPoP mode')
    await expect.poll(() => page.getByText('same key').isVisible()).toBe(true)
    expect(await binding(page, 'key thumbprint')).toBe(sent.jkt)

    const stats = await dpopStats()
    expect(stats.verified).toBeGreaterThanOrEqual(5)
    expect(stats.refused).toEqual({})
    await signOut(page)
    expect(problems).toEqual([])
    await page.close()
  })

  it('D2 break it, replay the token without its key: from Node it is refused in DPoP mode and accepted in a bearer mode; an XSS read finds the key only as a non-extractable CryptoKey', async () => {
    const { page, problems } = await openDemo(session.browser.context, session.demo.url, DPOP_MODE.id)
    await signIn(page, 'bob', 'builder-bob', 'Bob Builder')
    const refused = await runBreakIt(page, 'Replay the token without its key')
    expect(refused).toMatch(/^Refused from elsewhere \(Bearer: 401 invalid_token \(bearer_downgrade\); DPoP: 401 invalid_dpop_proof \(key_mismatch\)\)/)
    expect(refused).toMatch(/POST \/__demo\/replay 200/)
    expect(refused).toMatch(/This page, with its key: the notes still load\.→ GET \/api\/notes 200/)
    expect(await dpopStats()).toMatchObject({ refused: { bearer_downgrade: 1, key_mismatch: 1 } })
    expect(await signInStatus(page).textContent()).toBe('Signed in as Bob Builder')
    await breakIt(page, 'Replay the token without its key').screenshot({ path: `${screenshotDir}demo-break-replay-token-dpop.png` })

    const read = await runBreakIt(page, 'Simulate an XSS read of storage')
    expect(read).toMatch(/No token in any storage a script can list.*The DPoP private key is in IndexedDB as a CryptoKey/)
    const evidence = await breakIt(page, 'Simulate an XSS read of storage').getByLabel('What the script could send').textContent()
    expect(evidence).toMatch(/"authlens:demo-dpop:dpop": \{\s*"privateKey": \{\s*"CryptoKey": \{\s*"type": "private",\s*"extractable": false/)
    expect(evidence).not.toMatch(/"d":/)

    await signOut(page)
    await page.getByLabel('JWT in memory + HttpOnly refresh cookie').check()
    await signIn(page, 'bob', 'builder-bob', 'Bob Builder')
    const accepted = await runBreakIt(page, 'Replay the token without its key')
    expect(accepted).toMatch(/^Accepted from elsewhere as Bearer: the copied token reads your notes from any machine for about \d+ s more, until it expires\. Nothing ties it to this browser\./)
    expect(accepted).toMatch(/From Node, as Bearer: 200\./)
    await breakIt(page, 'Replay the token without its key').screenshot({ path: `${screenshotDir}demo-break-replay-token-bearer.png` })

    await page.getByLabel('Session (HttpOnly session cookie)').check()
    const action = breakIt(page, 'Replay the token without its key')
    expect(await action.getByRole('button', { name: 'Replay from elsewhere' }).isDisabled()).toBe(true)
    expect(await action.textContent()).toMatch(/No token here: the session id is an HttpOnly cookie/)
    expect(problems).toEqual([])
    await page.close()
  })
})
