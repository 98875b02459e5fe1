import type { LogEntry, Tone } from '../../app/log-store.ts'
import { abbreviate } from '../../lib/jwt.ts'

/** This tab leaving for the provider, kept in sessionStorage for the page the provider sends back to. */
export interface Departure {
  /** Local milliseconds. */
  at: number
  prompt?: string
  /** The provider's authorization endpoint, as its discovery document names it. */
  authorizationEndpoint: string
}

/** The page the provider sent the browser back to, read before the SDK cleans the address bar. */
export interface Arrival {
  at: number
  url: string
}

export interface JourneyStep {
  title: string
  detail: string
  tone: Tone
}

export interface JourneyInput {
  app: string
  departure: Departure | null
  arrival: Arrival
  /** The requests the callback sent (the event log's HTTP entries while it ran). */
  requests: LogEntry[]
  issuer: string
  /** The ID token's claims once signed in, or the typed error's code. */
  outcome: { claims: Record<string, unknown> } | { error: string }
  /** Local milliseconds when the outcome was known. */
  finishedAt: number
}

const ms = (value: number) => `${Math.round(value)} ms`

const time = (epochMs: number) =>
  new Date(epochMs).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', fractionalSecondDigits: 3, hour12: false })

/** The query of an authorization response, with the one-time values shortened: a code is still a secret for a minute. */
function responseParams(url: URL): string {
  return [...url.searchParams]
    .map(([name, value]) => `${name}=${name === 'code' || name === 'state' ? abbreviate(value, 4) : value}`)
    .join('&')
}

/**
 * Whether the provider asked for a password on this trip: the ID token's `auth_time` says when the
 * user last authenticated there, so one earlier than the departure is a sign-in reused (SSO).
 */
function howSignedIn(input: JourneyInput): string {
  const providerHost = new URL(input.issuer).host
  const authTime = 'claims' in input.outcome ? input.outcome.claims.auth_time : undefined
  if (!input.departure || typeof authTime !== 'number') return `via the provider on ${providerHost}`
  return authTime < Math.floor(input.departure.at / 1000)
    ? `no sign-in page: the provider knew this browser by its session cookie on ${providerHost} and redirected at once`
    : `via the provider's sign-in page on ${providerHost}: a password was typed there`
}

function arrivalStep(input: JourneyInput, url: URL): JourneyStep {
  const { app, departure, arrival } = input
  const after = departure ? `after ${ms(arrival.at - departure.at)}; ` : ''
  const failed = url.searchParams.get('error')
  return {
    title: `Provider → ${app}: ${url.pathname}?${responseParams(url)}`,
    detail: `${after}${failed ? `the provider answered ${failed}` : howSignedIn(input)}`,
    tone: failed ? 'warn' : 'ok',
  }
}

function requestStep(input: JourneyInput, entry: LogEntry): JourneyStep {
  const crossOrigin = new URL(input.issuer).origin !== new URL(input.arrival.url).origin
  const cookies = entry.detail?.includes('cookies') ? 'cookies sent' : 'no cookies'
  return {
    title: `${input.app} → provider: ${entry.title}`,
    detail: `${entry.detail ?? ''} · ${crossOrigin ? `cross-origin (CORS), ${cookies}` : `same origin, ${cookies}`}`,
    tone: entry.tone,
  }
}

function outcomeStep(input: JourneyInput): JourneyStep {
  const total = input.departure ? ` ${ms(input.finishedAt - input.departure.at)} after leaving` : ''
  if ('error' in input.outcome) return { title: `${input.app}: not signed in (${input.outcome.error})`, detail: `the callback was refused${total}`, tone: 'bad' }
  const { name, sub, auth_time: authTime, sid } = input.outcome.claims
  const authenticated =
    typeof authTime === 'number'
      ? `authenticated at the provider at ${time(authTime * 1000)} (auth_time, ${Math.max(0, Math.round(input.arrival.at / 1000 - authTime))} s before this callback)`
      : 'no auth_time in the ID token'
  return {
    title: `${input.app}: signed in as ${String(name ?? sub)}${total}`,
    detail: `ID token for this app: ${authenticated}${typeof sid === 'string' ? `, provider session ${sid}` : ''}`,
    tone: 'ok',
  }
}

/** What happened at each redirect of one sign-in, from what this tab recorded and saw; no canned text. */
export function describeJourney(input: JourneyInput): JourneyStep[] {
  const url = new URL(input.arrival.url)
  const { departure, app } = input
  const leave: JourneyStep = departure
    ? {
        title: `${app} → provider: GET ${departure.authorizationEndpoint}${departure.prompt ? ` (prompt=${departure.prompt})` : ''}`,
        detail: `left at ${time(departure.at)}`,
        tone: 'info',
      }
    : { title: `${app} → provider`, detail: 'this tab recorded no departure (the sign-in began in another tab, or before a reload)', tone: 'warn' }
  // Only the provider's: what the app itself loads once signed in (its notes, say) is not part of the trip.
  const provider = input.requests.filter((entry) => / \/(oauth|\.well-known)\//.test(entry.title))
  return [leave, arrivalStep(input, url), ...provider.map((entry) => requestStep(input, entry)), outcomeStep(input)]
}

const DEPARTURE_KEY = 'authlens-demo:departure'

/** Remembers this departure for the page the provider sends back to (sessionStorage: this tab only). */
export function recordDeparture(departure: Departure): void {
  sessionStorage.setItem(DEPARTURE_KEY, JSON.stringify(departure))
}

/** The departure this tab recorded, once; anything unreadable counts as none. */
export function takeDeparture(): Departure | null {
  const raw = sessionStorage.getItem(DEPARTURE_KEY)
  sessionStorage.removeItem(DEPARTURE_KEY)
  try {
    const value = JSON.parse(raw ?? 'null') as Partial<Departure> | null
    return typeof value?.at === 'number' && typeof value.authorizationEndpoint === 'string' ? (value as Departure) : null
  } catch {
    return null
  }
}
