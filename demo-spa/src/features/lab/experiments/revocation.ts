import { accessToken, control, failure, jwtClaims, labClient, LAB_USER, me, stats, withClient } from '../kit.ts'
import type { Experiment } from '../types.ts'

/** Signs in with JWT, keeps the access token, signs out, then presents the old token. */
async function jwtAfterLogout(denylist: boolean): Promise<{ status: string; accepted: boolean; secondsLeft: number }> {
  await control('settings', { revokeAccessTokenOnLogout: denylist })
  const client = labClient('memory')
  let token = ''
  await withClient(client, async () => {
    token = await accessToken(client)
  })
  // withClient signed out: the server was told, and the token is now a leftover copy.
  const response = await me({ bearer: token })
  const exp = Number(jwtClaims(token).exp)
  const serverNow = Date.now() / 1000 + (await stats()).clockOffsetSeconds
  return { status: await failure(response), accepted: response.ok, secondsLeft: response.ok ? Math.max(0, Math.round(exp - serverNow)) : 0 }
}

/** Signs in with a session, revokes it on the server while the browser still has the cookie. */
async function sessionAfterRevoke(): Promise<{ before: string; after: string; accepted: boolean }> {
  return withClient(labClient('session'), async () => {
    const before = await failure(await me('cookies'))
    await control('revoke', { username: LAB_USER.username })
    const response = await me('cookies')
    return { before, after: await failure(response), accepted: response.ok }
  })
}

export const revocation: Experiment = {
  id: 'revocation',
  title: 'Revocation and logout',
  claim: 'A JWT cannot be revoked: it keeps working until it expires, while a session ends at once.',
  async run() {
    const original = (await stats()).revokeAccessTokenOnLogout
    try {
      const stateless = await jwtAfterLogout(false)
      // The denylist's growth from this one logout: the state a "stateless" token now costs.
      const listedBefore = (await stats()).revokedAccessTokens
      const denied = await jwtAfterLogout(true)
      const denylistSize = (await stats()).revokedAccessTokens - listedBefore
      const session = await sessionAfterRevoke()
      const claimHolds = stateless.accepted && !session.accepted
      return {
        id: 'revocation',
        claim: revocation.claim,
        modes: ['JWT without denylist', 'JWT with denylist', 'session'],
        measured: [
          { label: 'JWT after logout, no denylist: still works for', value: stateless.secondsLeft, unit: 's', chart: true },
          { label: 'JWT after logout, denylist: still works for', value: denied.secondsLeft, unit: 's', chart: true },
          { label: 'Session: requests accepted after revoke', value: session.accepted ? 1 : 0, unit: 'requests' },
          { label: 'Denylist entries added by that one logout', value: denylistSize, unit: 'entries' },
        ],
        verdict: claimHolds && !denied.accepted ? 'depends' : claimHolds ? 'agrees' : 'disagrees',
        why: `Without a denylist the old token answered ${stateless.status} after logout and stays valid for ${stateless.secondsLeft} s more (until exp). With the denylist it answered ${denied.status}: revoked at once, but only because that logout added ${denylistSize} revoked jti to a list the server keeps and checks on every request, which is state again. The session answered ${session.before} before and ${session.after} right after the server revoked it.`,
      }
    } finally {
      await control('settings', { revokeAccessTokenOnLogout: original })
    }
  },
}
