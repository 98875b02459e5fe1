import { detectArchitecture, type Architecture } from './architecture.ts'
import { runAudit, auditSync, type Finding } from './audit/index.ts'
import { createCappedBuffer, DEFAULT_BUFFER_CAPACITY } from './buffer.ts'
import { cookieKey, isAuthCookie, type CookieRecord } from './cookies.ts'
import { detectTokens } from './detect.ts'
import { readDpopRequest } from './dpop.ts'
import { createDpopTracker, type TokenDpop } from './dpop-flow.ts'
import { estimateServerClock, serverClockSample, type ClockEstimate, type ServerClockSample } from './expiry.ts'
import { createTokenRegistry, type TokenRecord } from './identity.ts'
import { createKeyStore } from './jwks.ts'
import { parseUrl } from './origins.ts'
import { readOAuthExchange, readOAuthUrl, type OAuthMessage } from './oauth.ts'
import { createOAuthFlowTracker, type CarriedRoundTrip, type OAuthEvent } from './oauth-flow.ts'
import { headerValues, type ExchangeObservation, type Observation, type StorageArea } from './observations.ts'
import { createPageRequestTracker } from './page-requests.ts'
import { checkSignature, type SignatureCheck } from './verify.ts'
import { SESSION_CHANGE_WINDOW_MS, classifyAuthEndpoint, createRetryTracker, dueExpirations, isSameSessionChange, mergeSessionChange, timelineKey, type SessionChangeEvent, type TimelineEvent, type TimelineSource } from './timeline.ts'

/**
 * The whole core behind one object: observations in (network, storage, cookies, page URL, SDK
 * bridge), state out (tokens with their places, cookies, storage keys, the server clock estimate,
 * the timeline) and audit findings on demand. Every collection is capped. Holds no timers: the
 * panel calls `tick(now)` once a second so `exp` passing shows on the timeline.
 */

export type TimelineEntry = TimelineEvent & {
  seq: number
  /** Seen only before the panel started over for a new page, and kept: an OAuth round trip that was still in flight. */
  carriedOver?: true
}

/** What of the OAuth round trips in flight crosses to the next page: the tracker's hashes and their timeline entries. */
export interface CarriedRoundTrips {
  roundTrips: CarriedRoundTrip[]
  entries: TimelineEntry[]
}

export interface StorageKeyInfo {
  area: StorageArea
  key: string
  size: number
  holdsToken: boolean
}

export interface InspectorSnapshot {
  pageUrl: string | null
  tokens: TokenRecord[]
  cookies: CookieRecord[]
  storage: StorageKeyInfo[]
  clock: ClockEstimate | null
  /**
   * Signature checks by token id, against the JWK Sets the page fetched; a token without one was
   * not checked yet. The same object until a check changes.
   */
  signatures: Readonly<Record<string, SignatureCheck>>
  /** DPoP bindings by token id: tokens bound to a key, or sent with the DPoP scheme. The same object until one changes. */
  dpop: Readonly<Record<string, TokenDpop>>
  timeline: TimelineEntry[]
  /** Where the page's credentials live: browser-held tokens, a server session, a backend-for-frontend… (architecture.ts). */
  architecture: Architecture
  /** Timeline entries dropped to stay under the cap. */
  dropped: number
}

export interface InspectorOptions {
  timelineCapacity?: number
  maxTokens?: number
  maxCookies?: number
  maxStorageKeys?: number
  clockSamples?: number
}

export interface Inspector {
  /** Returns the timeline entries this observation added (none when it repeats known facts). */
  ingest(observation: Observation): TimelineEntry[]
  tick(nowMs: number): TimelineEntry[]
  snapshot(): InspectorSnapshot
  auditSync(nowMs: number): Finding[]
  /** Adds what needs WebCrypto: weak HMAC secrets (J2) and signature checks (J13, `signatures`). */
  audit(nowMs: number): Promise<Finding[]>
  /** The OAuth round trips a navigation should not cut: requested and not yet exchanged, recent, few (oauth-carry.ts). */
  roundTripsInFlight(nowMs: number): CarriedRoundTrips
  /** Navigation without "preserve log": forgets the page, keeping only `carry`. */
  reset(carry?: CarriedRoundTrips): void
}

export function createInspector(options: InspectorOptions = {}): Inspector {
  const { timelineCapacity = DEFAULT_BUFFER_CAPACITY, maxTokens = 500, maxCookies = 300, maxStorageKeys = 500, clockSamples = 15 } = options
  const registry = createTokenRegistry({ maxTokens })
  const timeline = createCappedBuffer<TimelineEntry>(timelineCapacity, timelineKey)
  const retry = createRetryTracker()
  const oauth = createOAuthFlowTracker()
  const dpop = createDpopTracker()
  const requests = createPageRequestTracker()
  const cookies = new Map<string, CookieRecord>()
  const storage = new Map<string, StorageKeyInfo>()
  const weakSecretCache = new Map<string, string | null>()
  const keys = createKeyStore()
  /** Each check with what it was made against: the key store's version and J2's verdict. */
  const checks = new Map<string, { keysVersion: number; weakSecret: string | null | undefined; check: SignatureCheck }>()
  let signatures: Record<string, SignatureCheck> = {}
  let samples: ServerClockSample[] = []
  let pageUrl: string | null = null
  let lastTick: number | null = null
  let seq = 0

  const clock = () => estimateServerClock(samples)
  const emit = (added: TimelineEntry[], event: TimelineEvent, carriedOver = false): boolean => {
    const entry = { ...event, seq: seq + 1, ...(carriedOver ? { carriedOver: true } : {}) } as TimelineEntry
    if (!timeline.push(entry)) return false
    seq++
    added.push(entry)
    return true
  }
  /** A login or logout another source already reported joins that entry instead of adding one. */
  const sessionChange = (added: TimelineEntry[], kind: SessionChangeEvent['kind'], at: number, source: TimelineSource, detail: string) => {
    const report: SessionChangeEvent = { kind, at, source, sources: [source], detail }
    const key = timelineKey(report)
    if (timeline.has(key)) return
    const same = timeline.findLast((entry): entry is TimelineEntry & SessionChangeEvent => isSameSessionChange(entry, report))
    if (same) timeline.merge(timelineKey(same), key, mergeSessionChange(same, report))
    else emit(added, report)
  }
  /**
   * OAuth messages on the timeline; a code exchange is a login, a revocation or an end-session a
   * logout, unless that logout is already there (sign-out revokes and then ends the session).
   */
  const oauthMessages = (added: TimelineEntry[], messages: readonly OAuthMessage[], at: number) => {
    for (const message of messages) {
      const event = oauth.observe(message, at, (value) => registry.idOf(value))
      if (!event) continue
      if (!emit(added, event)) {
        ownCarried(event)
        continue
      }
      if (message.type === 'token-request' && message.response?.accessToken && message.response.expiresIn !== null) {
        registry.noteExpiresIn(message.response.accessToken, message.response.expiresIn, at)
      }
      const change = sessionChangeOf(event)
      const loggedOut = () => timeline.findLast((e): e is TimelineEntry & SessionChangeEvent => e.kind === 'logout' && Math.abs(e.at - at) <= SESSION_CHANGE_WINDOW_MS)
      if (change && (change.kind === 'login' || !loggedOut())) sessionChange(added, change.kind, at, 'network', change.detail)
    }
  }
  /** A carried entry seen again on this page (the callback's own URL, say) is this page's too: no longer marked. */
  const ownCarried = (event: TimelineEvent) => {
    const key = timelineKey(event)
    const held = timeline.findLast((e): e is TimelineEntry => e.carriedOver === true && timelineKey(e) === key)
    if (!held) return
    const { carriedOver: _carried, ...own } = held
    timeline.replace(key, own)
  }
  /** A request's DPoP proof and credential; then the access token a DPoP token response bound to that proof's key. */
  const dpopRequest = (added: TimelineEntry[], observation: ExchangeObservation, messages: readonly OAuthMessage[]) => {
    const tokenOf = (value: string) => {
      const id = registry.idOf(value)
      return id === undefined ? undefined : registry.get(id)
    }
    const request = readDpopRequest(observation)
    const event = dpop.observe(request, observation.at, tokenOf)
    if (event) emit(added, event)
    for (const message of messages) {
      if (message.type !== 'token-request' || !message.response?.accessToken) continue
      const issued = tokenOf(message.response.accessToken)
      if (issued) dpop.issued(issued, message.response.tokenType, request.proof)
    }
  }
  const addSample = (sample: ServerClockSample | null) => {
    if (sample) samples = [...samples, sample].slice(-clockSamples)
  }
  const capped = <V>(map: Map<string, V>, key: string, value: V, max: number) => {
    map.delete(key)
    map.set(key, value)
    if (map.size > max) map.delete(map.keys().next().value as string)
  }

  const recordSightings = (observation: Observation, added: TimelineEntry[]) => {
    const sightings = detectTokens(observation)
    for (const sighting of sightings) {
      const outcome = registry.record(sighting)
      const source = observation.kind === 'exchange' ? 'network' : observation.kind === 'sdk' ? 'sdk' : observation.kind === 'cookie' ? 'cookies' : 'storage'
      if (outcome.isNew) emit(added, { kind: 'token-issued', at: sighting.at, source, tokenId: outcome.token.id, role: outcome.token.role, place: sighting.place })
      if (outcome.refresh) {
        emit(added, { kind: 'refresh-detected', at: sighting.at, source, tokenId: outcome.refresh.tokenId, previousTokenId: outcome.refresh.previousId })
        retry.refreshed(outcome.refresh.tokenId, sighting.at)
      }
    }
    return sightings
  }

  const ingestExchange = (observation: ExchangeObservation, added: TimelineEntry[]) => {
    const { request, response, at } = observation
    const date = headerValues(response.headers, 'date')[0]
    if (date) addSample(serverClockSample(date, at, observation.sentAt ?? at))
    if (response.status >= 200 && response.status < 300 && response.body) keys.observe(request.url, response.body, at)
    const sightings = recordSightings(observation, added)
    const bearer = sightings.find((s) => s.place.source === 'authorization-header')
    const bearerId = bearer ? (registry.idOf(bearer.value) ?? null) : null
    if (response.status === 401) {
      emit(added, { kind: 'unauthorized', at, source: 'network', method: request.method.toUpperCase(), url: request.url, status: 401, tokenId: bearerId })
      retry.unauthorized(request.method, request.url, bearerId, at)
    } else if (bearerId) {
      const sequence = retry.request(request.method, request.url, bearerId, at)
      if (sequence) emit(added, sequence)
    }
    requests.observe(observation)
    const messages = readOAuthExchange(observation)
    dpopRequest(added, observation, messages)
    oauthMessages(added, messages, at)
    if (response.status >= 200 && response.status < 300 && messages.length === 0) {
      const endpoint = classifyAuthEndpoint(request.method, request.url, request.body)
      if (endpoint === 'login' || endpoint === 'logout') sessionChange(added, endpoint, at, 'network', `${request.method.toUpperCase()} ${new URL(request.url).pathname}`)
    }
  }

  const auditInput = (nowMs: number) => ({
    tokens: registry.list(),
    cookies: [...cookies.values()],
    nowMs,
    clock: clock(),
    signatures: new Map(Object.entries(signatures)),
    oauth: oauth.facts(),
    dpop: dpop.facts(),
    requests: requests.facts(),
    ...(pageUrl ? { pageUrl } : {}),
  })

  /** Checks the tokens whose keys or J2 verdict changed since their last check; true when any result changed. */
  const checkSignatures = async (): Promise<boolean> => {
    const current: Record<string, SignatureCheck> = {}
    let changed = false
    for (const token of registry.list()) {
      if (token.inspection.kind !== 'jws') continue
      const weakSecret = weakSecretCache.get(token.id)
      const held = checks.get(token.id)
      let check = held?.check
      if (!held || held.keysVersion !== keys.version || held.weakSecret !== weakSecret || held.check.status === 'unsigned') {
        check = await checkSignature(token.inspection, keys.keys(), weakSecret ?? null)
        checks.set(token.id, { keysVersion: keys.version, weakSecret, check })
      }
      if (check) current[token.id] = check
      if (JSON.stringify(check) !== JSON.stringify(signatures[token.id])) changed = true
    }
    for (const id of checks.keys()) if (!(id in current)) checks.delete(id)
    if (changed || Object.keys(current).length !== Object.keys(signatures).length) {
      signatures = current
      return true
    }
    return false
  }

  return {
    ingest(observation) {
      const added: TimelineEntry[] = []
      lastTick ??= observation.at
      switch (observation.kind) {
        case 'exchange':
          ingestExchange(observation, added)
          break
        case 'page-url': {
          pageUrl = observation.url
          recordSightings(observation, added)
          const message = readOAuthUrl(observation.url)
          if (message) oauthMessages(added, [message], observation.at)
          break
        }
        case 'storage': {
          const id = `${observation.area}\u0000${observation.key}`
          if (observation.value === null) {
            if (storage.get(id)?.holdsToken) sessionChange(added, 'logout', observation.at, 'storage', `token removed from ${observation.area} "${observation.key}"`)
            storage.delete(id)
          } else {
            const holdsToken = recordSightings(observation, added).length > 0
            capped(storage, id, { area: observation.area, key: observation.key, size: observation.value.length, holdsToken }, maxStorageKeys)
          }
          break
        }
        case 'cookie': {
          const key = cookieKey(observation.cookie)
          if (observation.removed) {
            const cleared = observation.cause === 'explicit' || observation.cause === 'expired_overwrite'
            if (cleared && cookies.has(key) && isAuthCookie(observation.cookie)) {
              sessionChange(added, 'logout', observation.at, 'cookies', `auth cookie "${observation.cookie.name}" cleared`)
            }
            cookies.delete(key)
          } else {
            capped(cookies, key, observation.cookie, maxCookies)
            recordSightings(observation, added)
          }
          break
        }
        case 'sdk': {
          const { message } = observation
          if (message.type === 'state') {
            if (message.state.clockOffsetMs !== 0 && samples.length === 0) addSample({ offsetMs: message.state.clockOffsetMs, uncertaintyMs: 1000, at: observation.at })
            recordSightings(observation, added)
          } else if (message.event === 'login' || message.event === 'logout') {
            sessionChange(added, message.event, message.at, 'sdk', `SDK ${message.event} event`)
          } else {
            emit(added, { kind: 'sdk-event', at: message.at, source: 'sdk', messageId: message.id, name: message.event, data: message.data })
          }
          break
        }
      }
      return added
    },
    tick(nowMs) {
      const added: TimelineEntry[] = []
      if (lastTick !== null && nowMs > lastTick) for (const event of dueExpirations(registry.list(), lastTick, nowMs, clock())) emit(added, event)
      lastTick = nowMs
      return added
    },
    snapshot: () => ({
      pageUrl,
      tokens: registry.list(),
      cookies: [...cookies.values()],
      storage: [...storage.values()],
      clock: clock(),
      signatures,
      dpop: dpop.tokens(),
      timeline: timeline.toArray(),
      architecture: detectArchitecture({ tokens: registry.list(), cookies: [...cookies.values()], page: parseUrl(pageUrl ?? undefined), oauth: oauth.facts(), requests: requests.facts() }),
      dropped: timeline.dropped,
    }),
    auditSync: (nowMs) => auditSync(auditInput(nowMs)),
    async audit(nowMs) {
      const findings = await runAudit(auditInput(nowMs), weakSecretCache)
      if (!(await checkSignatures())) return findings
      return runAudit(auditInput(nowMs), weakSecretCache)
    },
    roundTripsInFlight(nowMs) {
      const roundTrips = oauth.inFlight(nowMs)
      const flows = new Set(roundTrips.map((r) => r.flow))
      const entries = timeline.toArray().filter((e) => (e.kind === 'authorization-request' || e.kind === 'authorization-response') && e.flow !== null && flows.has(e.flow))
      return { roundTrips, entries }
    },
    reset(carry) {
      registry.clear()
      timeline.clear()
      retry.clear()
      oauth.clear()
      dpop.clear()
      requests.clear()
      cookies.clear()
      storage.clear()
      weakSecretCache.clear()
      keys.clear()
      checks.clear()
      signatures = {}
      samples = []
      pageUrl = null
      lastTick = null
      if (!carry) return
      oauth.resume(carry.roundTrips)
      for (const entry of carry.entries) emit([], entry, true)
    },
  }
}

function sessionChangeOf(event: OAuthEvent): { kind: 'login' | 'logout'; detail: string } | null {
  const path = (endpoint: string) => parseUrl(endpoint)?.pathname ?? endpoint
  switch (event.kind) {
    case 'token-response':
      return event.grantType === 'authorization_code' && event.status >= 200 && event.status < 300 ? { kind: 'login', detail: `code exchange at ${path(event.endpoint)}` } : null
    case 'revocation':
      return event.status >= 200 && event.status < 300 ? { kind: 'logout', detail: `token revoked at ${path(event.endpoint)}` } : null
    case 'end-session':
      return { kind: 'logout', detail: `end session at ${path(event.endpoint)}` }
    default:
      return null
  }
}
