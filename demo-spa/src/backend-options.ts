import type { MockBackendOptions } from '@authlens/mock-server'

/**
 * One backend configuration for both runtimes (the dev server's HTTP backend and the service
 * worker), so the demo behaves the same in each. Access tokens are short on purpose: with a
 * 30 s lifetime a person watching the page sees the SDK refresh every 20 s or so.
 */
export const demoBackendOptions = {
  accessTokenTtlSeconds: 30,
} satisfies MockBackendOptions

/**
 * The dev server's second backend, for the lab: HS256 instead of ES256, under its own path and with
 * its own cookie names, so signing in or out there never touches the main backend's cookies.
 */
export const hs256Service = {
  algorithm: 'HS256',
  basePath: '/hs256',
  cookieNames: { session: 'hs256-sid', csrf: 'HS256-XSRF-TOKEN', refresh: 'hs256-rt' },
} satisfies MockBackendOptions
