import { AuthError } from '../errors.ts'
import { DEVTOOLS_PANEL_SOURCE, DEVTOOLS_SOURCE, type DevtoolsMessage, type DevtoolsState } from './protocol.ts'

/**
 * Posts state and events for AuthLens DevTools, to this page's own origin only (S34). Never posts
 * a usable token (S20): `snapshot` strips signatures.
 */
export function createDevtoolsBridge(snapshot: () => DevtoolsState) {
  const target = typeof window === 'undefined' ? undefined : window
  let sequence = 0
  const post = (message: Record<string, unknown>) =>
    target?.postMessage(
      { source: DEVTOOLS_SOURCE, version: 1, id: `${Date.now().toString(36)}-${sequence++}`, at: Date.now(), ...message } as DevtoolsMessage,
      target.location.origin,
    )
  const postState = () => post({ type: 'state', state: snapshot() })
  const onMessage = (event: MessageEvent) => {
    if (event.source === target && event.data?.source === DEVTOOLS_PANEL_SOURCE && event.data.type === 'hello') postState()
  }
  target?.addEventListener('message', onMessage)
  return {
    state: postState,
    event(name: string, payload: object) {
      const data: Record<string, unknown> = {}
      for (const [key, value] of Object.entries(payload)) {
        data[key] = value instanceof AuthError ? { code: value.code, message: value.message } : value
      }
      post({ type: 'event', event: name, data })
    },
    destroy: () => target?.removeEventListener('message', onMessage),
  }
}

export type DevtoolsBridge = ReturnType<typeof createDevtoolsBridge>
