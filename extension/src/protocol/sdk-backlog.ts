import type { DevtoolsMessage } from '@authlens/sdk/devtools-protocol'

/**
 * What the content script and the service worker keep of the SDK's messages until a panel asks:
 * the latest state and the most recent events. Bounded, and in memory only (E16).
 */
export interface SdkBacklog {
  add(message: DevtoolsMessage): void
  /** Events oldest first, then the state: the state is the newest word on the matter. */
  list(): DevtoolsMessage[]
}

export function createSdkBacklog(maxEvents = 50): SdkBacklog {
  let state: DevtoolsMessage | null = null
  const events: DevtoolsMessage[] = []
  return {
    add(message) {
      if (message.type === 'state') state = message
      else {
        events.push(message)
        if (events.length > maxEvents) events.shift()
      }
    },
    list: () => [...events, ...(state ? [state] : [])],
  }
}
