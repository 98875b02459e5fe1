import type { Plugin } from '../client.ts'
import { createDevtoolsBridge } from './bridge.ts'

/** A token as the bridge may show it: readable claims, no signature, so unusable (S20). */
export const withoutSignature = (token: string): string => token.split('.').slice(0, 2).join('.') + '.'

/**
 * `createAuthClient({ ..., plugins: [devtools()] })`: posts the client's state and events for
 * AuthLens DevTools (`@authlens/sdk/devtools-protocol` describes the messages). Off unless
 * imported; an app without it ships none of it.
 */
export const devtools = (): Plugin => (client) => {
  const bridge = createDevtoolsBridge(() => {
    const { status, user, expiresAt } = client.store.getState()
    const { accessToken, ...held } = client.inspect()
    return { ...held, status, user, expiresAt, accessToken: accessToken === null ? null : withoutSignature(accessToken), baseURL: client.baseURL }
  })
  const unsubscribe = client.store.subscribe(bridge.state)
  const untap = client.tap(bridge.event)
  bridge.state()
  return () => {
    unsubscribe()
    untap()
    bridge.destroy()
  }
}
