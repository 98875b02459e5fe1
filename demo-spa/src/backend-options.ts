import type { MockBackendOptions } from '@authlens/mock-server'

/**
 * One backend configuration for both runtimes (the dev server's HTTP backend and the service
 * worker), so the demo behaves the same in each. Access tokens are short on purpose: with a
 * 30 s lifetime a person watching the page sees the SDK refresh every 20 s or so.
 */
export const demoBackendOptions = {
  accessTokenTtlSeconds: 30,
} satisfies MockBackendOptions
