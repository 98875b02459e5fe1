import { AccessTokens } from '../domain/access-tokens.ts'
import { BffSessions } from '../domain/bff/sessions.ts'
import { BackendError } from '../domain/errors.ts'
import { randomToken } from '../domain/random.ts'
import { SessionStore } from '../domain/sessions.ts'
import { MemoryBffSessionRecords, MemorySessionRecords } from '../store/memory.ts'
import type { BackendParts } from './context.ts'

export interface MemoryProbeResult {
  sessions: number
  bytesPerSession: number
  totalBytes: number
  /** JWTs issued and verified by the probe; the server keeps no entry for any of them. */
  jwts: number
  jwtServerEntries: 0
  /** Heap growth across issuing and verifying the JWTs: noise around zero, nothing is held. */
  jwtHeapDeltaBytes: number
  method: string
  /** With `bffSessions` and the BFF on: what a BFF session costs, its tokens included. */
  bff?: BffMemoryProbe
}

export interface BffMemoryProbe {
  sessions: number
  bytesPerSession: number
  totalBytes: number
  /** The sizes of the tokens each record holds, as the provider issues them to the BFF. */
  accessTokenBytes: number
  refreshTokenBytes: number
}

interface NodeProcessLike {
  memoryUsage: () => { heapUsed: number }
  getBuiltinModule?: (id: string) => unknown
}

const READINGS = 5
const WARM_UP = 500
/** Only the user id matters to the store; one id lets cleanup delete every probe session at once. */
const PROBE_USER_ID = 'u_memory_probe'
const PROBE_USER = { id: PROBE_USER_ID, username: 'memory-probe', name: 'Memory probe', role: 'user' as const }

/** The live key, but a verifier that counts nothing, so the demo's stats stay clean. */
const probeTokens = (parts: BackendParts) =>
  new AccessTokens({
    issuer: parts.options.issuer,
    audience: parts.options.audience,
    ttlSeconds: parts.options.accessTokenTtlSeconds,
    clockToleranceSeconds: parts.options.clockToleranceSeconds,
    clock: parts.clock,
    key: parts.signingKey,
    onVerify: () => undefined,
  })

/** `process` exists only in the Node runtime; the service worker has no heap to read. */
export function nodeProcess(): NodeProcessLike | undefined {
  const candidate = (globalThis as { process?: Partial<NodeProcessLike> }).process
  return typeof candidate?.memoryUsage === 'function' ? (candidate as NodeProcessLike) : undefined
}

/**
 * A full GC before each reading takes the garbage of creating sessions (buffers, base64 strings)
 * out of the number, leaving what is held. `globalThis.gc` exists under `--expose-gc`; otherwise
 * V8 can be told to expose it at runtime (process.getBuiltinModule: Node ≥ 20.16), and if that is
 * unavailable too, the median of a few readings is the best there is, and the method says so.
 */
function heapReader(proc: NodeProcessLike): { read: () => number; method: string } {
  let gc = (globalThis as { gc?: () => void }).gc
  let method = 'full GC (--expose-gc) before each heapUsed reading'
  if (typeof gc !== 'function' && proc.getBuiltinModule) {
    try {
      const v8 = proc.getBuiltinModule('node:v8') as { setFlagsFromString: (flags: string) => void }
      const vm = proc.getBuiltinModule('node:vm') as { runInNewContext: (code: string) => unknown }
      v8.setFlagsFromString('--expose-gc')
      const exposed = vm.runInNewContext('gc')
      if (typeof exposed === 'function') {
        gc = exposed as () => void
        method = 'full GC (exposed at runtime via v8 flags) before each heapUsed reading'
      }
    } catch {
      gc = undefined
    }
  }
  if (typeof gc === 'function') {
    const collect = gc
    return { read: () => (collect(), proc.memoryUsage().heapUsed), method }
  }
  const median = () => {
    const values = Array.from({ length: READINGS }, () => proc.memoryUsage().heapUsed).sort((a, b) => a - b)
    return values[Math.floor(READINGS / 2)] ?? 0
  }
  return { read: median, method: `median of ${READINGS} heapUsed readings (no GC available; includes garbage)` }
}

/**
 * Measures what server-side state costs: N sessions in a separate store (the live one is never
 * touched), then N JWTs issued and verified with the live key but a separate verifier that counts
 * nothing, so the demo's stats stay clean. Everything is deleted before answering.
 */
export async function probeMemory(parts: BackendParts, count: number, bffCount = 0): Promise<MemoryProbeResult> {
  const proc = nodeProcess()
  if (!proc) throw new BackendError('not_supported', 'the memory probe needs the Node HTTP runtime; the browser worker cannot read its heap')
  const heap = heapReader(proc)
  const bff = bffCount > 0 ? await probeBffSessions(parts, heap, bffCount) : undefined

  const store = new SessionStore({
    clock: parts.clock,
    idleTimeoutSeconds: parts.options.sessionIdleTimeoutSeconds,
    absoluteTimeoutSeconds: parts.options.sessionAbsoluteTimeoutSeconds,
    onLookup: () => undefined,
    records: new MemorySessionRecords(),
  })
  const before = heap.read()
  for (let index = 0; index < count; index++) await store.create(PROBE_USER_ID)
  const after = heap.read()
  if ((await store.count()) !== count) throw new BackendError('server_error', 'the probe store lost sessions')
  await store.deleteUser(PROBE_USER_ID)
  const totalBytes = Math.max(0, after - before)

  const tokens = probeTokens(parts)
  const issueAndVerify = async (times: number) => {
    for (let index = 0; index < times; index++) await tokens.verify((await tokens.issue(PROBE_USER)).token)
  }
  // A warm-up first: the first rounds compile code and fill one-time caches, which are not
  // per-token state and would otherwise show up as growth.
  await issueAndVerify(Math.min(count, WARM_UP))
  const jwtBefore = heap.read()
  await issueAndVerify(count)
  const jwtAfter = heap.read()

  return {
    sessions: count,
    bytesPerSession: Math.round(totalBytes / count),
    totalBytes,
    jwts: count,
    jwtServerEntries: 0,
    jwtHeapDeltaBytes: jwtAfter - jwtBefore,
    method: heap.method,
    ...(bff && { bff }),
  }
}

/**
 * BFF sessions in a separate store, each built as the BFF builds one at sign-in: an access JWT from
 * this issuer for the BFF's client, a refresh token of the provider's format, the ID token's user
 * claims, the id and CSRF token. The garbage of signing is collected before each reading, as for the
 * sessions above; the store is dropped afterwards.
 */
async function probeBffSessions(parts: BackendParts, heap: { read: () => number }, count: number): Promise<BffMemoryProbe> {
  const config = parts.options.bff
  if (!config) throw new BackendError('not_supported', 'bffSessions needs the backend-for-frontend turned on (the bff option)')
  const tokens = probeTokens(parts)
  const client = { clientId: config.clientId, scope: config.scope }
  const sessions = new BffSessions({
    clock: parts.clock,
    idleTimeoutSeconds: parts.options.sessionIdleTimeoutSeconds,
    absoluteTimeoutSeconds: parts.options.sessionAbsoluteTimeoutSeconds,
    records: new MemoryBffSessionRecords(),
  })
  const sizes = { accessTokenBytes: 0, refreshTokenBytes: 0 }
  const before = heap.read()
  for (let index = 0; index < count; index++) {
    const held = { accessToken: (await tokens.issue(PROBE_USER, randomToken(16), undefined, { client })).token, accessExpiresAt: parts.clock.now(), refreshToken: randomToken() }
    sizes.accessTokenBytes = held.accessToken.length
    sizes.refreshTokenBytes = held.refreshToken.length
    await sessions.create({ sub: PROBE_USER_ID, name: PROBE_USER.name, preferred_username: PROBE_USER.username, email: `${randomToken(6)}@example.test` }, held, undefined)
  }
  const after = heap.read()
  if ((await sessions.count()) !== count) throw new BackendError('server_error', 'the probe store lost BFF sessions')
  const totalBytes = Math.max(0, after - before)
  return {
    sessions: count,
    bytesPerSession: Math.round(totalBytes / count),
    totalBytes,
    ...sizes,
  }
}
