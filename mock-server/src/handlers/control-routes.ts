import { BackendError } from '../domain/errors.ts'
import type { RefreshFailure } from '../domain/faults.ts'
import { assertRequestOrigin, type BackendParts } from './context.ts'
import { revokeUser } from './grants.ts'
import { readJsonObject, requireString } from './http-kit.ts'
import { probeMemory } from './memory-probe.ts'
import type { Route } from './route.ts'

export interface ControlActions {
  reset: () => Promise<void>
  snapshot: () => Promise<unknown>
}

/**
 * `/__mock/*`: the demo's break-it controls and the lab's counters. Registered only when the
 * backend is created with `controls: true`.
 */
export function controlRoutes(parts: BackendParts, actions: ControlActions): Route[] {
  const control = (path: string, apply: (body: Record<string, unknown>) => void | Promise<void>): Route => ({
    method: 'POST',
    path,
    control: true,
    async handle(ctx) {
      assertRequestOrigin(parts, ctx, false)
      await apply(await readJsonObject(ctx.request, parts.options.maxBodyBytes, { allowEmpty: true }))
      return ctx.response.json(200, await actions.snapshot())
    },
  })

  return [
    {
      method: 'GET',
      path: '/__mock/stats',
      control: true,
      async handle(ctx) {
        return ctx.response.json(200, await actions.snapshot())
      },
    },
    control('/__mock/latency', (body) => {
      parts.faults.latencyMs = integerIn(body, 'ms', 0, 10_000)
    }),
    control('/__mock/fail-refresh', (body) => {
      const mode = body.mode ?? '500'
      if (mode !== '401' && mode !== '500' && mode !== 'timeout') {
        throw new BackendError('invalid_request', '"mode" must be "401", "500" or "timeout"')
      }
      parts.faults.failRefresh = { remaining: integerIn(body, 'count', 0, 100), mode: mode as RefreshFailure }
    }),
    control('/__mock/clock', (body) => {
      parts.clock.offsetMs = integerIn(body, 'offsetSeconds', -86_400, 86_400) * 1000
    }),
    control('/__mock/revoke', async (body) => {
      const username = requireString(body, 'username', 256)
      const user = parts.users.findById(`u_${username}`)
      if (!user) throw new BackendError('not_found', 'no such user')
      await revokeUser(parts, user.id)
    }),
    control('/__mock/settings', (body) => {
      parts.options.revokeAccessTokenOnLogout = booleanOr(body, 'revokeAccessTokenOnLogout', parts.options.revokeAccessTokenOnLogout)
    }),
    control('/__mock/dpop-nonce', (body) => {
      if (typeof body.required !== 'boolean') throw new BackendError('invalid_request', '"required" must be a boolean')
      parts.options.dpop.nonce = body.required
    }),
    control('/__mock/csrf-defences', (body) => {
      const { csrf } = parts.faults
      if (body.sessionCookieSameSite !== undefined) {
        if (body.sessionCookieSameSite !== 'Lax' && body.sessionCookieSameSite !== 'None') {
          throw new BackendError('invalid_request', '"sessionCookieSameSite" must be "Lax" or "None"')
        }
        csrf.sessionCookieSameSite = body.sessionCookieSameSite
      }
      csrf.tokenCheck = booleanOr(body, 'tokenCheck', csrf.tokenCheck)
      csrf.formBodies = booleanOr(body, 'formBodies', csrf.formBodies)
    }),
    control('/__mock/reset', actions.reset),
    {
      // Answers its own measurement, not the snapshot; a separate store, so the live one is untouched.
      method: 'POST',
      path: '/__mock/memory-probe',
      control: true,
      async handle(ctx) {
        assertRequestOrigin(parts, ctx, false)
        if (parts.options.cookieJar === 'document') {
          throw new BackendError('not_supported', 'the memory probe needs the Node HTTP runtime; the browser worker cannot read its heap')
        }
        const body = await readJsonObject(ctx.request, parts.options.maxBodyBytes, { allowEmpty: false })
        const bffSessions = body.bffSessions === undefined ? 0 : integerIn(body, 'bffSessions', 1, 20_000)
        return ctx.response.json(200, await probeMemory(parts, integerIn(body, 'sessions', 1, 20_000), bffSessions))
      },
    },
  ]
}

function booleanOr(body: Record<string, unknown>, name: string, current: boolean): boolean {
  const value = body[name]
  if (value === undefined) return current
  if (typeof value !== 'boolean') throw new BackendError('invalid_request', `"${name}" must be a boolean`)
  return value
}

function integerIn(body: Record<string, unknown>, name: string, min: number, max: number): number {
  const value = body[name]
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new BackendError('invalid_request', `"${name}" must be an integer from ${min} to ${max}`)
  }
  return value
}
