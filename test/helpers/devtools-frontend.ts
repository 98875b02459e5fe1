import type { RemoteTarget } from './cdp-relay.ts'

/**
 * The DevTools front end's own UI, driven from a CDP session with its page (`devtools://…`): which
 * panels it lists, which one it shows, where it docks.
 */

/** The DevTools front end's own UI module, as TOOLCHAIN.md describes. */
const INSPECTOR_VIEW = `(await import('./ui/legacy/legacy.js')).InspectorView.InspectorView.instance()`

/** Waits until DevTools lists a panel whose id starts with `prefix`; returns that id. */
export async function waitForPanelId(frontEnd: RemoteTarget, prefix: string, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs
  let failure = ''
  for (;;) {
    const id = await frontEnd
      .evaluate<string | null>(`(async () => (${INSPECTOR_VIEW}).tabbedPane.tabIds().find((id) => id.startsWith(${JSON.stringify(prefix)})) ?? null)()`)
      // The front end throws while it is still loading (its locale data is not registered yet); a
      // front end of another Chromium version may also have moved its modules: say which.
      .then(
        (found) => {
          failure = ''
          return found
        },
        (error: Error) => {
          failure = error.message
          return null
        },
      )
    if (id) return id
    if (Date.now() > deadline) throw new Error(`DevTools listed no panel starting with ${prefix} within ${timeoutMs} ms${failure ? ` (last error: ${failure})` : ''}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

export async function showPanel(frontEnd: RemoteTarget, id: string): Promise<void> {
  await frontEnd.evaluate(`(async () => { await (${INSPECTOR_VIEW}).showPanel(${JSON.stringify(id)}) })()`)
}

/** Docks DevTools to 'undocked' (its own window), 'bottom', 'right' or 'left'. */
export async function setDockSide(frontEnd: RemoteTarget, side: 'undocked' | 'bottom' | 'right' | 'left'): Promise<void> {
  await frontEnd.evaluate(`(async () => (await import('./ui/legacy/legacy.js')).DockController.DockController.instance().setDockSide(${JSON.stringify(side)}))()`)
}
