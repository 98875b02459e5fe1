import { chromiumPath, launchChromium } from '../helpers/chromium.ts'
import { startFixtureServer } from '../helpers/fixture-server.ts'
// Types only: the page is test/e2e/fixtures/sdk-overhead, which measures inside Chromium.
import type { Overhead } from '../e2e/fixtures/sdk-overhead/main.ts'

/**
 * What `auth.fetch` and axios with `attachAuth` add to each request in Chromium, measured in the
 * page (paired, interleaved rounds) against the same request with the bearer set by hand. Needs
 * Debian's Chromium; without it there is no browser row (the Node rows still stand).
 */
export async function browserOverhead(rounds: number): Promise<Overhead[] | string> {
  try {
    chromiumPath()
  } catch {
    return 'no Chromium (apt-get install chromium): no browser row'
  }
  const server = await startFixtureServer('sdk-overhead')
  const browser = await launchChromium()
  try {
    const page = browser.context.pages()[0] ?? (await browser.context.newPage())
    await page.goto(server.url)
    await page.waitForFunction(() => 'measureOverhead' in window)
    return await page.evaluate((count) => window.measureOverhead(count), rounds)
  } finally {
    await browser.close()
    await server.close()
  }
}
