import type { Connection } from '../../../app/connect.ts'
import { logMark } from '../../../app/log-store.ts'
import { oidcApp } from '../../../backend-options.ts'
import type { DemoMode } from '../../../modes.ts'
import { discoverProvider } from '../../sso/discovery.ts'
import { abbreviate } from '../../../lib/jwt.ts'
import { stealRefreshToken, type StorageArea } from '../../../lib/page-secrets.ts'
import { httpLines, isSignedIn } from '../probe.ts'
import { isSession, needsSignIn, type BreakAction } from '../types.ts'

/** The error code; the token endpoint answers reuse as RFC 6749 asks, `invalid_grant`, naming it as the reason. */
const errorOf = async (response: Response): Promise<string> => {
  const body = (await response.json().catch(() => null)) as { error?: unknown; reason?: unknown } | null
  const error = typeof body?.error === 'string' ? body.error : ''
  return error === 'invalid_grant' && body?.reason === 'refresh_token_reused' ? body.reason : error
}

/** The thief presents the copy where the app itself refreshes: the JSON endpoint, or the provider's token endpoint. */
async function replayAt(connection: Connection, mode: DemoMode, stolen: string): Promise<Response> {
  if (mode.signIn === 'provider') {
    const app = oidcApp('a', location.port)
    const { token_endpoint: tokenEndpoint } = await discoverProvider(app.issuer)
    return connection.fetch(tokenEndpoint, { method: 'POST', body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: stolen, client_id: app.clientId }) })
  }
  return connection.fetch('/api/auth/refresh', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ refreshToken: stolen }) })
}

export const replay: BreakAction = {
  id: 'replay',
  title: 'Replay an old refresh token',
  explain:
    'Plays a thief: copies the refresh token from storage, lets the app refresh (so the copy is now an old token), then sends the copy where the app refreshes (POST /api/auth/refresh, or the provider’s token endpoint in the OIDC mode). Presenting a rotated token again is reuse: the server revokes the whole family, and the app’s next refresh signs it out.',
  button: 'Steal and replay',
  unavailable(mode, signedIn) {
    if (isSession(mode)) return 'No refresh token here: the session id is the only credential, and it is HttpOnly.'
    if (!mode.refreshTokenReadable) {
      return `The refresh token is ${mode.signIn === 'provider' ? 'in the memory of the SDK' : 'in an HttpOnly cookie'}: no script can copy it, so there is nothing to replay. That is the point of this mode.`
    }
    return needsSignIn(signedIn)
  },
  async run({ connection, mode }) {
    const area = mode.storage as StorageArea
    const stolen = stealRefreshToken(area)
    if (!stolen) return { tone: 'warn', summary: `No refresh token found in ${area}.`, steps: [] }
    const steps = [`1. Copied the refresh token from ${area}: ${abbreviate(stolen, 6)}`]

    let mark = logMark()
    await connection.client.refresh().catch(() => undefined)
    const rotated = stealRefreshToken(area)
    steps.push(`2. The app refreshed; its refresh token is now ${rotated ? abbreviate(rotated, 6) : 'gone'}, the copy is an old one.`, ...httpLines(mark))

    mark = logMark()
    const response = await replayAt(connection, mode, stolen)
    const error = await errorOf(response)
    steps.push(`3. Replayed the copy: ${response.status} ${error}.`, ...httpLines(mark))

    mark = logMark()
    await connection.client.refresh().catch(() => undefined)
    steps.push(`4. The app’s next refresh, with its own newest token:`, ...httpLines(mark))

    const detected = error === 'refresh_token_reused'
    if (detected && !isSignedIn(connection)) {
      return { tone: 'bad', summary: 'Reuse detected (refresh_token_reused): the server revoked the whole family and the SDK signed out. The thief’s copy is dead too.', steps }
    }
    return { tone: 'warn', summary: detected ? 'Reuse detected, but this tab is still signed in.' : `The replay was answered ${response.status} ${error}.`, steps }
  },
}
