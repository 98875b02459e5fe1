import type { LoginMethod, LoginProtocol } from './types.ts'

/**
 * Bring your own backend: functions that talk to it and return tokens. The SDK keeps doing the
 * rest (storage, single-flight and cross-tab refresh, retries, typed errors).
 */
export const customLogin =
  (protocol: LoginProtocol): LoginMethod =>
  () =>
    protocol
