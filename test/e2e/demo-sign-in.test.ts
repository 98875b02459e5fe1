import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium, screenshotDir, type LaunchedBrowser } from '../helpers/chromium.ts'
import { startDemoServer } from '../helpers/demo-server.ts'

describe('demo sign-in (npm start)', () => {
  let demo: Awaited<ReturnType<typeof startDemoServer>>
  let browser: LaunchedBrowser

  beforeAll(async () => {
    demo = await startDemoServer()
    browser = await launchChromium()
  })

  afterAll(async () => {
    await browser?.close()
    await demo?.close()
  })

  it('signs in with a session cookie that scripts cannot read, then signs out', async () => {
    const page = await browser.context.newPage()
    await page.goto(demo.url)
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/Signed out/)

    await page.getByLabel('Session cookie').check()
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Signed in as Alice Liddell (session cookie)')
    const readable = await page.getByLabel('document.cookie').textContent()
    expect(readable).toContain('XSRF-TOKEN')
    expect(readable).not.toContain('sid=')
    await page.screenshot({ path: `${screenshotDir}demo-session-signed-in.png`, fullPage: true })

    await page.getByRole('button', { name: 'Sign out' }).click()
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/Signed out/)
  })

  it('signs in with a JWT kept in memory', async () => {
    const page = await browser.context.newPage()
    await page.goto(demo.url)
    await page.getByLabel('JWT in memory').check()
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Signed in as Alice Liddell (bearer JWT)')
    await page.screenshot({ path: `${screenshotDir}demo-jwt-signed-in.png`, fullPage: true })
  })

  it('shows the same error for a wrong password', async () => {
    const page = await browser.context.newPage()
    await page.goto(demo.url)
    await page.getByLabel('Password').fill('not-the-password')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Sign-in failed: invalid username or password')
  })
})
