import { AccessTokens } from '../domain/access-tokens.ts'
import { BackendError } from '../domain/errors.ts'
import { SessionStore } from '../domain/sessions.ts'
import { MemorySessionRecords } from '../store/memory.ts'
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
}

interface NodeProcessLike {
  memoryUsage: () => { heapUsed: number }
  getBuiltinModule?: (id: string) => unknown
}

const READINGS = 5
const WARM_UP = 500
/** Only the user id matters to the store; one id lets cleanup delete every probe session at once. */
const PROBE_USER_ID = 'u_memory_probe'

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
export async function probeMemory(parts: BackendParts, count: number): Promise<MemoryProbeResult> {
  const proc = nodeProcess()
  if (!proc) throw new BackendError('not_supported', 'the memory probe needs the Node HTTP runtime; the browser worker cannot read its heap')
  const heap = heapReader(proc)

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

  const tokens = new AccessTokens({
    issuer: parts.options.issuer,
    audience: parts.options.audience,
    ttlSeconds: parts.options.accessTokenTtlSeconds,
    clockToleranceSeconds: parts.options.clockToleranceSeconds,
    clock: parts.clock,
    key: parts.signingKey,
    onVerify: () => undefined,
  })
  const user = { id: PROBE_USER_ID, username: 'memory-probe', name: 'Memory probe', role: 'user' as const }
  const issueAndVerify = async (times: number) => {
    for (let index = 0; index < times; index++) await tokens.verify((await tokens.issue(user)).token)
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
  }
}
