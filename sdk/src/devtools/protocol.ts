/**
 * The SDK → AuthLens DevTools message format, version 1. The SDK posts these with
 * `window.postMessage(message, location.origin)` when created with the `devtools()` plugin. No message
 * carries a usable credential: access tokens lose their signature, refresh tokens are never sent.
 */
export const DEVTOOLS_SOURCE = 'authlens-sdk'
export const DEVTOOLS_VERSION = 1
/** The extension may post `{ source: 'authlens-devtools', type: 'hello' }` to get the state again. */
export const DEVTOOLS_PANEL_SOURCE = 'authlens-devtools'

export interface DevtoolsState {
  strategy: 'jwt' | 'session'
  status: 'anonymous' | 'authenticating' | 'authenticated' | 'refreshing'
  storage: string
  user: Record<string, unknown> | null
  /** Server-time milliseconds. */
  expiresAt: number | null
  /** Learned server time minus local time, in milliseconds. */
  clockOffsetMs: number
  /** `header.payload.` with the signature removed: readable, not replayable. */
  accessToken: string | null
  hasRefreshToken: boolean
  baseURL: string
}

export type DevtoolsMessage =
  | { source: typeof DEVTOOLS_SOURCE; version: 1; id: string; type: 'state'; at: number; state: DevtoolsState }
  | {
      source: typeof DEVTOOLS_SOURCE
      version: 1
      id: string
      type: 'event'
      at: number
      event: string
      /** The event payload; errors as `{ code, message }`. */
      data: Record<string, unknown>
    }
