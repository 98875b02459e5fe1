import type { AuthClient } from '@authlens/sdk'
import { dpop } from '@authlens/sdk/dpop'
import { readLoot, secretsIn } from '../../../lib/page-secrets.ts'
import { replayElsewhere, type ReplayAnswer, type ReplayAttempt } from '../../../replay-elsewhere.ts'
import { jwtClaims, labClient, stats, withClient } from '../kit.ts'
import type { Experiment } from '../types.ts'

/** Replays of the stolen token, and requests of the script left in the page: enough to count, quick enough for three lab runs. */
const TIMES = 20
const PATH = '/api/me'

interface Theft {
  replays: ReplayAnswer[]
  /** Seconds the stolen token had left at the last replay, on the server's clock. */
  secondsLeft: number
  /** Requests the script made in the page, and the server accepted. */
  inPage: number
}

/**
 * Signs in, lets the same XSS read as the storage row take the access token (the live demo's
 * tokens, readable before, do not count), and has the dev server replay it TIMES from Node;
 * `inPage` runs while still signed in.
 */
async function steal(client: AuthClient, inPage: (client: AuthClient) => Promise<number> = async () => 0): Promise<Theft> {
  const before = new Set(secretsIn(await readLoot()).map((secret) => secret.value))
  return withClient(client, async () => {
    const stolen = secretsIn(await readLoot()).find((secret) => secret.kind === 'access token' && !before.has(secret.value))
    if (!stolen) throw new Error('the script found no access token to steal')
    const replays: ReplayAnswer[] = []
    for (let index = 0; index < TIMES; index++) replays.push(await replayElsewhere(stolen.value, PATH))
    const secondsLeft = Math.max(0, Math.round(Number(jwtClaims(stolen.value).exp) - (Date.now() / 1000 + (await stats()).clockOffsetSeconds)))
    return { replays, secondsLeft, inPage: await inPage(client) }
  })
}

const attempts = (theft: Theft, scheme: ReplayAttempt['scheme']) => theft.replays.flatMap((answer) => answer.attempts.filter((attempt) => attempt.scheme === scheme))
const accepted = (list: ReplayAttempt[]) => list.filter((attempt) => attempt.status < 300).length
const refusedFor = (list: ReplayAttempt[], reason: string) => list.filter((attempt) => attempt.status === 401 && attempt.reason === reason).length

/** `401 bearer_downgrade ×20`: every answer the replays got, counted. */
function answers(list: ReplayAttempt[]): string {
  const counted = new Map<string, number>()
  for (const { status, reason } of list) {
    const answer = reason ? `${status} ${reason}` : String(status)
    counted.set(answer, (counted.get(answer) ?? 0) + 1)
  }
  return [...counted].map(([answer, count]) => `${answer} ×${count}`).join(', ')
}

/** Requests the injected script makes through the app's own client: each one signed with the page's key. */
async function useInPlace(client: AuthClient): Promise<number> {
  let ok = 0
  for (let index = 0; index < TIMES; index++) if ((await client.fetch('/me')).ok) ok++
  return ok
}

export const theft: Experiment = {
  id: 'theft',
  title: 'A stolen access token used from another machine',
  claim: 'A token stolen from the browser by XSS works from another machine; an HttpOnly cookie cannot be stolen.',
  needsHttpServer: 'the stolen token is replayed by the dev server (Node), from outside the page; the worker build has no server process.',
  async run() {
    // Both keep the tokens where the XSS read finds them: in memory mode it finds none (the storage row).
    const bearer = await steal(labClient('localStorage'))
    let verified = 0
    const bound = await steal(labClient('localStorage', { dpop: dpop() }), async (client) => {
      const before = (await stats()).dpopVerified
      const made = await useInPlace(client)
      verified = (await stats()).dpopVerified - before
      return made
    })

    const bearerReplays = attempts(bearer, 'Bearer')
    const downgrades = attempts(bound, 'Bearer')
    const otherKey = attempts(bound, 'DPoP')
    const bearerWorks = accepted(bearerReplays) === TIMES
    const boundRefused = accepted([...downgrades, ...otherKey]) === 0
    const of = (count: number) => `of ${count}`
    return {
      id: 'theft',
      claim: theft.claim,
      modes: ['JWT, Bearer (localStorage)', 'JWT + DPoP (localStorage)'],
      measured: [
        { label: 'Bearer: replays from Node accepted', value: accepted(bearerReplays), unit: of(TIMES), chart: true },
        { label: 'DPoP: replays from Node accepted', value: accepted([...downgrades, ...otherKey]), unit: of(2 * TIMES), chart: true },
        { label: 'DPoP: the script’s requests in the page accepted', value: bound.inPage, unit: of(TIMES), chart: true },
        { label: 'Bearer: time the stolen token had left at the last replay', value: bearer.secondsLeft, unit: 's' },
        { label: 'DPoP: refused as Bearer (bearer_downgrade)', value: refusedFor(downgrades, 'bearer_downgrade'), unit: of(TIMES) },
        { label: 'DPoP: refused with the thief’s own key (key_mismatch)', value: refusedFor(otherKey, 'key_mismatch'), unit: of(TIMES) },
        { label: 'DPoP: proofs the server verified for the script', value: verified, unit: 'proofs' },
      ],
      verdict: bearerWorks && boundRefused ? 'depends' : bearerWorks ? 'agrees' : 'disagrees',
      why: `The same XSS read as the storage row took the access token in both modes (both keep it in localStorage here), and the dev server replayed it ${TIMES} times from Node, outside the page. The bearer token answered ${answers(bearerReplays)} and had ${bearer.secondsLeft} s left: anyone holding it is served until exp, unless its owner signs out first (the logout puts the token it presents on the revocation list). The DPoP-bound one answered ${answers(downgrades)} as Bearer and ${answers(otherKey)} with a proof from the thief’s own key: its private key is a non-extractable CryptoKey, so it did not leave with the token. Yet the script, still in the page, made ${bound.inPage} of ${TIMES} requests through auth.fetch, each with a proof the server verified (${verified}). So it depends on whether the token is bound to a key: DPoP stops use elsewhere, not use in place, which is also all an HttpOnly cookie stops.`,
    }
  },
}
