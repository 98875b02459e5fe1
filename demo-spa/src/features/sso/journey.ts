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
  /** `document.referrer`: this app's own page when the provider redirected at once; empty after its sign-in page (`Referrer-Policy: no-referrer`). */
  referrer: string
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

const time = (epochMs: number) => new Date(epochMs).toLocaleTimeString([], { hour12: false, fractionalSecondDigits: 3 })

/** The query of an authorization response, with the one-time values shortened: a code is still a secret for a minute. */
function responseParams(url: URL): string {
  return [...url.searchParams]
    .map(([name, value]) => `${name}=${name === 'code' || name === 'state' ? abbreviate(value, 4) : value}`)
    .join('&')
}

function arrivalStep(input: JourneyInput, url: URL): JourneyStep {
  const { app, departure, arrival, issuer } = input
  const after = departure ? `after ${ms(arrival.at - departure.at)}; ` : ''
  const providerHost = new URL(issuer).host
  const direct = arrival.referrer !== '' && new URL(arrival.referrer).origin === url.origin
  const how = direct
    ? `the provider answered at once with a redirect: no sign-in page, so it knew this browser by its session cookie on ${providerHost}`
    : `from the provider's sign-in page on ${providerHost}: a password was typed there`
  const failed = url.searchParams.get('error')
  return {
    title: `Provider → ${app}: ${url.pathname}?${responseParams(url)}`,
    detail: `${after}${failed ? `the provider answered ${failed}` : how}`,
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
  return [leave, arrivalStep(input, url), ...input.requests.map((entry) => requestStep(input, entry)), outcomeStep(input)]
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
