import { createStore, type StoreApi } from 'zustand/vanilla'
import { buildRedactedExport, createInspector, exportToJson, SEVERITY_ORDER, RULES, type CarriedRoundTrips, type Finding, type InspectorSnapshot, type Observation } from '../core/index.ts'
import type { WorkerMessage } from '../protocol/messages.ts'
import { messageComposer } from '../transport/compose.ts'
import type { ConnectionState, PanelTransport } from './transport.ts'
import { epochFor, fromCurrentPage, pageUrlOf, workerObservations, type PageEpoch } from './worker-observations.ts'

/**
 * The panel's state: a zustand store wrapping the core's inspector. Observations go into the
 * inspector; the store publishes its snapshot and audit at most once per microtask (a page
 * re-announcing itself sends dozens of messages at once) and on every `tick`, once a second, so
 * countdowns move and `exp` passing reaches the timeline while the page is idle.
 */

export type ViewId = 'tokens' | 'cookies' | 'timeline' | 'audit' | 'xss'

export interface PanelState {
  snapshot: InspectorSnapshot
  findings: Finding[]
  now: number
  preserveLog: boolean
  connection: ConnectionState
  transportKind: PanelTransport['kind']
  view: ViewId
  /** Cookie keys whose values the user chose to see (E13: masked by default). */
  revealed: ReadonlySet<string>
  setView(view: ViewId): void
  setPreserveLog(on: boolean): void
  toggleReveal(cookieKey: string): void
  /** The redacted export (signatures stripped, personal claims and cookie values masked). */
  exportJson(): string
}

export interface PanelStoreOptions {
  now?: () => number
  /** onNavigated fires for redirects and quick successive loads: wait for the last one. */
  navigationDebounceMs?: number
  tickMs?: number
  timelineCapacity?: number
}

export interface PanelController {
  store: StoreApi<PanelState>
  /** Connects the transport and starts the clock; returns the stop function. */
  start(): () => void
  /** For tests: advance the clock by hand instead of the interval. */
  tick(): void
  /** For tests: resolves once pending publishing (and the async J2 audit) has run. */
  settle(): Promise<void>
}

export function createPanelController(transport: PanelTransport, options: PanelStoreOptions = {}): PanelController {
  const { now = Date.now, navigationDebounceMs = 300, tickMs = 1000, timelineCapacity = 1000 } = options
  const inspector = createInspector({ timelineCapacity })
  const compose = messageComposer('panel', 'p')
  const send = (body: Parameters<typeof compose>[0]) => transport.send(compose(body))
  const { tabId } = transport

  let published = false
  let weakFindings: Finding[] = []
  let auditRun = 0
  let pendingAudit: Promise<void> = Promise.resolve()
  let inspectedUrl: string | null = null
  let cookiesAskedFor: string | null = null
  /**
   * Network exchanges seen since the last onNavigated belong to the new page; the OAuth round trips
   * in flight when it began cross to it (a sign-in goes to the provider and back, each a new
   * document). Taken when the navigation begins: the callback page may redeem its code before the
   * debounce settles, and that exchange is replayed against them.
   */
  let navigation: { timer: ReturnType<typeof setTimeout>; url: string; at: number; replay: Observation[]; carry: CarriedRoundTrips } | null = null
  /** Set when the panel started over for a page: what the previous page said is not let back in. */
  let epoch: PageEpoch | null = null

  const store = createStore<PanelState>()((set, get) => ({
    snapshot: inspector.snapshot(),
    findings: [],
    now: now(),
    preserveLog: false,
    connection: 'connecting',
    transportKind: transport.kind,
    view: 'tokens',
    revealed: new Set(),
    setView: (view) => set({ view }),
    setPreserveLog: (preserveLog) => set({ preserveLog }),
    toggleReveal: (key) => {
      const revealed = new Set(get().revealed)
      if (!revealed.delete(key)) revealed.add(key)
      set({ revealed })
    },
    exportJson: () => {
      const { snapshot, findings } = get()
      return exportToJson(
        buildRedactedExport({
          tokens: snapshot.tokens,
          cookies: snapshot.cookies,
          findings,
          timeline: snapshot.timeline,
          ...(snapshot.pageUrl ? { pageUrl: snapshot.pageUrl } : {}),
          nowMs: now(),
          clock: snapshot.clock,
        }),
      )
    },
  }))

  const publish = () => {
    published = false
    const at = now()
    const findings = mergeFindings(inspector.auditSync(at), weakFindings)
    store.setState({ snapshot: inspector.snapshot(), findings, now: at })
    const run = ++auditRun
    // WebCrypto is async: J2 tries known weak HMAC secrets, and signatures are checked against the
    // keys the page fetched (J13 and the Tokens view). The core caches both per token.
    pendingAudit = inspector.audit(at).then(
      (all) => {
        if (run !== auditRun) return
        const weak = all.filter((f) => f.ruleId === 'J2')
        const snapshot = inspector.snapshot()
        const signaturesChanged = snapshot.signatures !== store.getState().snapshot.signatures
        if (!signaturesChanged && weak.length === 0 && weakFindings.length === 0) return
        weakFindings = weak
        if (signaturesChanged) store.setState({ snapshot, findings: mergeFindings(inspector.auditSync(at), weak) })
        else store.setState({ findings: mergeFindings(store.getState().findings.filter((f) => f.ruleId !== 'J2'), weak) })
      },
      () => undefined,
    )
  }
  const schedulePublish = () => {
    if (published) return
    published = true
    queueMicrotask(publish)
  }

  const ingest = (observations: readonly Observation[]) => {
    for (const observation of observations) inspector.ingest(observation)
    if (observations.length > 0) schedulePublish()
  }

  const askCookies = (url: string | null, force = false) => {
    if (!url || !/^https?:/i.test(url) || (!force && cookiesAskedFor === url)) return
    cookiesAskedFor = url
    send({ type: 'request-cookies', tabId, url })
  }

  const onWorker = (received: WorkerMessage) => {
    if ('tabId' in received && received.tabId !== tabId) return
    const message = fromCurrentPage(received, epoch)
    if (!message) return
    ingest(workerObservations(message, now(), inspector.snapshot()))
    const url = pageUrlOf(message)
    if (url) {
      inspectedUrl = url
      askCookies(url)
    }
  }

  const settleNavigation = () => {
    if (!navigation) return
    const { url, at, replay, carry } = navigation
    navigation = null
    if (!store.getState().preserveLog) {
      inspector.reset(carry)
      epoch = epochFor(url, at)
      weakFindings = []
      // The worker forgets the tab too and has the new page announce itself again; page messages
      // that crossed the navigation may still be the old page's, so only the network is replayed.
      send({ type: 'reset', tabId })
      for (const observation of replay) inspector.ingest(observation)
    } else {
      // Preserve log keeps every page's findings, so no page is filtered out either.
      epoch = null
    }
    inspectedUrl = url
    ingest([{ kind: 'page-url', at: now(), url }])
    send({ type: 'request-snapshot', tabId })
    askCookies(url, true)
    schedulePublish()
  }

  const onNavigated = (url: string, sameDocument: boolean) => {
    // An SPA's route change keeps the page and everything it said; only a new document starts over.
    // Right after a new document, though, its router often rewrites the URL: that navigation stands.
    if (sameDocument && !navigation) {
      inspectedUrl = url
      ingest([{ kind: 'page-url', at: now(), url }])
      askCookies(url)
      return
    }
    if (navigation) clearTimeout(navigation.timer)
    const at = navigation?.at ?? now()
    navigation = {
      url,
      at,
      replay: navigation?.replay ?? [],
      carry: navigation?.carry ?? inspector.roundTripsInFlight(at),
      timer: setTimeout(settleNavigation, navigationDebounceMs),
    }
  }

  const tick = () => {
    inspector.tick(now())
    publish()
  }

  return {
    store,
    tick,
    settle: async () => {
      await Promise.resolve()
      if (published) publish()
      await pendingAudit
    },
    start() {
      const stop = transport.start({
        worker: onWorker,
        exchange(observation) {
          navigation?.replay.push(observation)
          ingest([observation])
        },
        navigated: onNavigated,
        connection(state) {
          store.setState({ connection: state })
          // After a worker restart, cookie changes while it was down were never forwarded.
          if (state === 'connected') askCookies(inspectedUrl, true)
        },
      })
      const clock = setInterval(tick, tickMs)
      return () => {
        clearInterval(clock)
        if (navigation) clearTimeout(navigation.timer)
        stop()
      }
    },
  }
}

const RULE_ORDER = Object.keys(RULES)

function mergeFindings(base: readonly Finding[], extra: readonly Finding[]): Finding[] {
  const byId = new Map(base.map((f) => [f.id, f]))
  for (const f of extra) byId.set(f.id, f)
  return [...byId.values()].sort(
    (a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) || RULE_ORDER.indexOf(a.ruleId) - RULE_ORDER.indexOf(b.ruleId) || a.id.localeCompare(b.id),
  )
}
