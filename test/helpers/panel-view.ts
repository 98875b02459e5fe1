import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { screenshotDir } from './chromium.ts'
import type { RemoteTarget } from './cdp-relay.ts'

/** Polls `probe` until it yields a value, or fails saying what it waited for. */
export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

/**
 * What a person sees in the AuthLens panel, read from its DOM through CDP. The targets are given
 * as getters: the tests open them in `beforeAll`, after this is created.
 */
export function panelView(targets: { panel: () => RemoteTarget; frontEnd: () => RemoteTarget }) {
  /** Evaluates a function body in the panel page and returns its (JSON) result. */
  const inPanel = <T>(body: string) => targets.panel().evaluate<T>(`(async () => { ${body} })()`)
  return {
    inPanel,
    showView: (label: string) =>
      inPanel(`[...document.querySelectorAll('[role=tab]')].find((b) => b.textContent.startsWith(${JSON.stringify(label)})).click()`),
    async screenshot(name: string) {
      mkdirSync(screenshotDir, { recursive: true })
      // The panel's own layout settles on the next frame after a view switch.
      await new Promise((resolve) => setTimeout(resolve, 250))
      const { data } = await targets.frontEnd().send<{ data: string }>('Page.captureScreenshot', { format: 'png' })
      const path = join(screenshotDir, `extension-${name}.png`)
      writeFileSync(path, Buffer.from(data, 'base64'))
      return path
    },
    tokenCards: () =>
      inPanel<Array<{ id: string; text: string }>>(
        `return [...document.querySelectorAll('[data-testid=token-card]')].map((card) => ({ id: card.dataset.tokenId, text: card.innerText }))`,
      ),
    connection: () => inPanel<string>(`return document.querySelector('[data-testid=connection]')?.textContent ?? ''`),
  }
}
