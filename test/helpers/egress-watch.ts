import { listTargets, type CdpRelay, type RemoteTarget, type TargetInfo } from './cdp-relay.ts'

/**
 * Which requests would leave the machine, and who made them (E15).
 *
 * The egress proxy (egress-spy.ts) is where such requests end, but it cannot say who sent them:
 * Chromium's own services (component updates, account checks, search preconnects; they differ from
 * one build to the next) reach it as well. So every target is observed through CDP `Network`, and
 * each request is attributed to who made it: the extension's service worker, its devtools page and
 * panel (iframes inside the DevTools front end), the content scripts, and the inspected pages with
 * their frames and workers. The document or worker that sent it (`documentURL`) and the targets it
 * lives in decide (see originOf). Content scripts send as the page does in MV3: their requests are
 * seen in the page and told apart by their file on the initiator's stack. WebSockets and
 * WebTransport sessions count as requests; anything but a local scheme or a loopback host leaves.
 *
 * Nothing is missed at start-up: the watch auto-attaches to every target with
 * `waitForDebuggerOnStart` (recursively: the panel and the devtools page are out-of-process frames
 * of the DevTools front end page), enables `Network` before letting a new target run, and is in
 * place before the extension is loaded (extension-browser.ts), so the extension's service worker
 * and pages never run unobserved. `gaps()` says if any target that runs code escaped it anyway.
 *
 * Not counted, reported for information only: requests of the DevTools front end (and frames it
 * holds), of browser pages (`chrome://`) and of other (built-in) extensions, and what reached the
 * proxy that no observed target sent. No host is exempt: a request from the extension to any
 * Google host counts.
 */

export interface Egress {
  /** Who made it: `extension service worker`, `extension page /src/panel/panel.html`,
   * `extension content script in http://…/`, `page http://…/`. */
  origin: string
  /** The HTTP method, or `WebSocket` / `WebTransport`. */
  method: string
  url: string
}

interface Observed {
  method: string
  url: string
  targetType: string
  /**
   * The document or worker that made the request (`documentURL`), then the target it was seen in
   * and that target's parents (frames, the page or DevTools front end holding them): URLs without
   * query and fragment, innermost first, as they were when it was sent.
   */
  chain: string[]
  /** Script URLs on the initiator's stack. */
  scripts: string[]
}

export interface EgressWatch {
  /** `chrome-extension://ID` of the extension under test, once it is loaded. */
  extension: string | undefined
  /** Requests off the machine made by the extension or an inspected page, in the order they were sent. */
  leaving(): Egress[]
  /** For information: off-machine requests no counted origin made, and proxy attempts nobody observed made. */
  others(proxyAttempts: string[]): string[]
  /** Targets that run code and were not observed from their start; empty when the watch saw everything. */
  gaps(): Promise<string[]>
}

/** Target types whose code could send a request. */
const RUNS_CODE = new Set(['page', 'iframe', 'worker', 'shared_worker', 'service_worker'])

const LOCAL_SCHEMES = new Set(['about:', 'blob:', 'chrome:', 'chrome-error:', 'chrome-extension:', 'chrome-untrusted:', 'data:', 'devtools:', 'file:', 'filesystem:', 'javascript:'])

const isLoopback = (hostname: string) => hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)

/** Anything but a local scheme or a loopback host would leave the machine (an unknown scheme too). */
function leavesMachine(url: string): boolean {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return true
  }
  if (LOCAL_SCHEMES.has(parsed.protocol)) return false
  return !isLoopback(parsed.hostname)
}

/** `host:port` as the proxy sees it: `CONNECT host:port`, or the host of an absolute-form URL. */
const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'ws:': '80', 'https:': '443', 'wss:': '443' }
function authority(url: string): string {
  try {
    const parsed = new URL(url)
    return `${parsed.hostname}:${parsed.port || DEFAULT_PORTS[parsed.protocol] || ''}`
  } catch {
    return url
  }
}
const attemptAuthority = (attempt: string) => {
  const [method = '', target = ''] = attempt.split(' ')
  return method === 'CONNECT' ? target : authority(target)
}

const withoutQuery = (url: string) => url.replace(/[?#].*$/, '')

/** Every script URL on an initiator's stack, async parents included. */
function stackScripts(initiator: Initiator | undefined): string[] {
  const scripts: string[] = initiator?.url ? [initiator.url] : []
  for (let stack = initiator?.stack; stack; stack = stack.parent) scripts.push(...stack.callFrames.map((frame) => frame.url).filter(Boolean))
  return scripts
}

interface Initiator {
  url?: string
  stack?: StackTrace
}
interface StackTrace {
  callFrames: Array<{ url: string }>
  parent?: StackTrace
}

export async function watchEgress(relay: CdpRelay): Promise<EgressWatch> {
  const observed: Observed[] = []
  /** What each target is now (URLs change as frames navigate). */
  const targets = new Map<string, TargetInfo>()
  const attached = new Set<string>()
  /** Targets that were running before the watch: none may be the extension's. */
  const preexisting = new Set<string>()
  const gaps: string[] = []
  let starting = true
  const setups: Array<Promise<void>> = []

  relay.browser.on('Target.targetCreated', (params) => {
    const { targetInfo } = params as { targetInfo: TargetInfo }
    targets.set(targetInfo.targetId, targetInfo)
  })
  relay.browser.on('Target.targetInfoChanged', (params) => {
    const { targetInfo } = params as { targetInfo: TargetInfo }
    targets.set(targetInfo.targetId, targetInfo)
  })

  /** The target each target was attached through: its frame parent or page. */
  const parents = new Map<string, string>()
  const chainOf = (targetId: string | undefined): string[] =>
    targetId ? [targets.get(targetId)?.url ?? '', ...chainOf(parents.get(targetId))] : []

  const record = (target: RemoteTarget, request: Omit<Observed, 'targetType' | 'chain'>, documentURL: string | undefined) => {
    if (!leavesMachine(request.url)) return
    observed.push({ ...request, targetType: target.info.type, chain: [documentURL ?? '', ...chainOf(target.info.targetId)].map(withoutQuery) })
  }

  const observe = async (target: RemoteTarget, waitingForDebugger: boolean, parent?: string) => {
    const { targetId, type } = target.info
    // A target can be attached more than once (through two parents, or by a test of its own):
    // observed once, released by every session that holds it paused.
    if (attached.has(targetId)) {
      if (waitingForDebugger) await target.send('Runtime.runIfWaitingForDebugger').catch(() => undefined)
      return
    }
    attached.add(targetId)
    if (parent) parents.set(targetId, parent)
    if (!targets.has(targetId)) targets.set(targetId, target.info)
    if (starting) preexisting.add(targetId)
    else if (!waitingForDebugger && RUNS_CODE.has(type)) gaps.push(`${type} ${target.info.url}: attached after it had started`)
    target.on('Network.requestWillBeSent', (params) => {
      const { request, documentURL, initiator } = params as { request: { method: string; url: string }; documentURL?: string; initiator?: Initiator }
      record(target, { method: request.method, url: request.url, scripts: stackScripts(initiator) }, documentURL)
    })
    target.on('Network.webSocketCreated', (params) => {
      const { url, initiator } = params as { url: string; initiator?: Initiator }
      record(target, { method: 'WebSocket', url, scripts: stackScripts(initiator) }, undefined)
    })
    target.on('Network.webTransportCreated', (params) => {
      const { url } = params as { url: string }
      record(target, { method: 'WebTransport', url, scripts: [] }, undefined)
    })
    target.on('Target.attachedToTarget', (params) => {
      const { sessionId, targetInfo, waitingForDebugger: waiting } = params as { sessionId: string; targetInfo: TargetInfo; waitingForDebugger: boolean }
      setups.push(observe(relay.session(sessionId, targetInfo), waiting, targetId))
    })
    try {
      await target.send('Network.enable')
    } catch (error) {
      if (!target.closed && RUNS_CODE.has(type)) gaps.push(`${type} ${target.info.url}: ${(error as Error).message}`)
    }
    // Frames and workers of this target, paused until they are observed in turn. Workers have no
    // children to report in some Chromium versions: that refusal is no gap.
    await target.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: true }).catch(() => undefined)
    if (waitingForDebugger) await target.send('Runtime.runIfWaitingForDebugger').catch(() => undefined)
  }

  relay.browser.on('Target.attachedToTarget', (params) => {
    const { sessionId, targetInfo, waitingForDebugger } = params as { sessionId: string; targetInfo: TargetInfo; waitingForDebugger: boolean }
    setups.push(observe(relay.session(sessionId, targetInfo), waitingForDebugger))
  })
  await relay.browser.send('Target.setDiscoverTargets', { discover: true })
  await relay.browser.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: true })
  // The targets that existed already, and their frames, are observed before anything else starts.
  for (let done = 0; done < setups.length; ) {
    const batch = setups.slice(done)
    done = setups.length
    await Promise.all(batch)
  }
  starting = false

  const watch: EgressWatch = {
    extension: undefined,
    leaving: () => observed.flatMap((request) => {
      const origin = originOf(request, watch.extension)
      return origin.counted ? [{ origin: origin.name, method: request.method, url: request.url }] : []
    }),
    others(proxyAttempts) {
      const notCounted = observed.flatMap((request) => {
        const origin = originOf(request, watch.extension)
        return origin.counted ? [] : [`${request.method} ${request.url} (${origin.name})`]
      })
      const seen = new Set(observed.map((request) => authority(request.url)))
      const unobserved = proxyAttempts.filter((attempt) => !seen.has(attemptAuthority(attempt))).map((attempt) => `${attempt} (no observed target)`)
      return [...notCounted, ...unobserved]
    },
    async gaps() {
      const early = [...preexisting].flatMap((id) => {
        const target = targets.get(id)
        return target && ownerOf(target.url, watch.extension) === 'extension' ? [`${target.type} ${target.url}: running before the watch`] : []
      })
      const unattached = (await listTargets(relay.browser)).filter((t) => RUNS_CODE.has(t.type) && !attached.has(t.targetId)).map((t) => `${t.type} ${t.url}: never observed`)
      return [...gaps, ...early, ...unattached]
    },
  }
  return watch
}

type Owner = 'extension' | 'other extension' | 'DevTools' | 'browser' | 'web' | 'inherited'

/** Whose a document is; `inherited` for those that take their creator's (about:blank, data:, error pages). */
function ownerOf(url: string, extension: string | undefined): Owner {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return 'inherited'
  }
  switch (parsed.protocol) {
    case 'blob:':
    case 'filesystem:':
      return ownerOf(parsed.pathname, extension)
    case 'devtools:':
      return 'DevTools'
    case 'chrome:':
    case 'chrome-untrusted:':
      return 'browser'
    case 'chrome-extension:':
      // URL.origin is "null" for schemes it does not know.
      return `${parsed.protocol}//${parsed.host}` === extension ? 'extension' : 'other extension'
    case 'http:':
    case 'https:':
    case 'file:':
      return 'web'
    default:
      return 'inherited'
  }
}

const extensionPath = (url: string) => new URL(url.replace(/^(blob|filesystem):/, '')).pathname

/**
 * Who made a request, and whether it is the extension's or an inspected page's doing: the innermost
 * document in its chain that belongs to the extension, the DevTools front end, the browser or
 * another extension decides (a web frame inside the panel is the panel's; one inside the DevTools
 * front end is the front end's); a chain of web documents only is an inspected page's.
 */
function originOf(request: Observed, extension: string | undefined): { name: string; counted: boolean } {
  const at = request.chain.findIndex((url) => !['web', 'inherited'].includes(ownerOf(url, extension)))
  const self = request.chain.find(Boolean) ?? ''
  if (at === -1) {
    const contentScript = extension ? request.scripts.some((script) => script.startsWith(`${extension}/`)) : false
    if (contentScript) return { name: `extension content script in ${self}`, counted: true }
    const kind = ['page', 'iframe'].includes(request.targetType) ? 'page' : request.targetType
    return { name: `${kind} ${self || '(no document)'}`, counted: true }
  }
  const owner = request.chain[at] ?? ''
  switch (ownerOf(owner, extension)) {
    case 'DevTools':
      return { name: 'DevTools front end', counted: false }
    case 'browser':
      return { name: `browser page ${owner}`, counted: false }
    case 'other extension':
      return { name: `another extension ${new URL(owner.replace(/^(blob|filesystem):/, '')).host}`, counted: false }
    default: {
      const frame = request.chain.slice(0, at).find((url) => ownerOf(url, extension) === 'web')
      if (frame) return { name: `extension page ${extensionPath(owner)} (frame ${frame})`, counted: true }
      if (request.targetType === 'service_worker') return { name: 'extension service worker', counted: true }
      return { name: `extension ${request.targetType === 'worker' ? 'worker' : 'page'} ${extensionPath(owner)}`, counted: true }
    }
  }
}
