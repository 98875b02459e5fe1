import type { ActionResult } from '../../app/demo-store.ts'
import type { Connection } from '../../app/connect.ts'
import type { DemoMode } from '../../modes.ts'

export interface ActionContext {
  connection: Connection
  mode: DemoMode
  /** The variant chosen in the action's select, if it has one. */
  choice: string
}

export interface BreakAction {
  id: string
  title: string
  /** What the action does and why the result is what it is, before anyone presses the button. */
  explain: string
  button: string
  choices?: { label: string; options: Array<{ value: string; label: string }> }
  /** Why the action makes no sense in this mode or state, or `null` when it can run. */
  unavailable(mode: DemoMode, signedIn: boolean): string | null
  run(context: ActionContext): Promise<ActionResult>
}

export const isSession = (mode: DemoMode): boolean => mode.strategy === 'session'

/** The BFF mode: a session for the page, tokens on the server behind it. */
export const isBff = (mode: DemoMode): boolean => mode.signIn === 'bff'

export const needsSignIn = (signedIn: boolean): string | null => (signedIn ? null : 'Sign in first.')
