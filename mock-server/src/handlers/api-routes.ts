import { BackendError } from '../domain/errors.ts'
import { authenticate, type Principal } from './authenticate.ts'
import type { BackendParts } from './context.ts'
import { revokeAccessToken, revokeUser } from './grants.ts'
import { readFields, readJsonObject, requireString } from './http-kit.ts'
import type { Route } from './route.ts'

/** The protected resources; each accepts either credential (bearer first, see authenticate). */
export function apiRoutes(parts: BackendParts): Route[] {
  const { maxBodyBytes } = parts.options
  return [
    {
      method: 'GET',
      path: '/api/me',
      async handle(ctx) {
        const principal = await authenticate(parts, ctx)
        // A bound token is only ever accepted with its key's proof.
        const via = principal.kind === 'bearer' && principal.claims.cnf ? 'dpop' : principal.kind
        return ctx.response.json(200, { user: principal.user, via })
      },
    },
    {
      method: 'POST',
      path: '/api/me/password',
      async handle(ctx) {
        const principal = await authenticate(parts, ctx)
        const body = await readJsonObject(ctx.request, maxBodyBytes)
        const currentPassword = requireString(body, 'currentPassword', 1024)
        const newPassword = requireString(body, 'newPassword', 1024)
        if (newPassword.length < 8) throw new BackendError('invalid_request', '"newPassword" must have at least 8 characters')
        await parts.users.changePassword(principal.user.id, currentPassword, newPassword)
        const revoked = await revokeUser(parts, principal.user.id)
        if (principal.kind === 'bearer') await revokeAccessToken(parts, principal.claims)
        return ctx.response.json(200, { changed: true, revoked })
      },
    },
    {
      method: 'GET',
      path: '/api/notes',
      async handle(ctx) {
        const principal = await authenticate(parts, ctx)
        return ctx.response.json(200, { notes: parts.notes.list(principal.user.id) })
      },
    },
    {
      method: 'POST',
      path: '/api/notes',
      async handle(ctx) {
        const principal = await authenticate(parts, ctx)
        const body = await readFields(ctx.request, maxBodyBytes, { forms: parts.faults.csrf.formBodies })
        return ctx.response.json(201, { note: parts.notes.create(principal.user.id, body.text) })
      },
    },
    {
      method: 'DELETE',
      path: '/api/notes/:id',
      async handle(ctx) {
        const principal = await authenticate(parts, ctx)
        parts.notes.delete(principal.user.id, ctx.params.id ?? '')
        return ctx.response.empty(204)
      },
    },
    {
      method: 'GET',
      path: '/api/admin/users',
      async handle(ctx) {
        const principal = await authenticate(parts, ctx)
        requireRole(principal, 'admin')
        return ctx.response.json(200, {
          sessions: await parts.sessions.count(),
          refreshFamilies: (await parts.families.liveFamilies()).length,
        })
      },
    },
  ]
}

/** RFC 6750 §3.1: an authenticated caller without the right role gets 403, not 401 (M20). */
function requireRole(principal: Principal, role: string): void {
  if (principal.user.role === role) return
  throw new BackendError('insufficient_scope', `this needs the "${role}" role`, {
    headers: { 'WWW-Authenticate': 'Bearer realm="authlens", error="insufficient_scope"' },
  })
}
