import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { removeAtExit, stopChild, track } from './children.ts'
import { freePort } from './free-port.ts'

/** `redis-server` is not installed (or not where `REDIS_SERVER` points). */
export class RedisServerMissingError extends Error {
  readonly code = 'redis_server_missing'
  constructor(binary: string) {
    super(`${binary} not found: install Debian's redis-server (apt-get install redis-server) or set REDIS_SERVER to its path`)
    this.name = 'RedisServerMissingError'
  }
}

export interface LocalRedis {
  url: string
  port: number
  /** The data directory (AOF files). */
  dir: string
  /** The running redis-server's process id; undefined while stopped. */
  pid(): number | undefined
  /** SIGTERM: Redis writes its append-only file out and exits. Resolves once it has. */
  stop(): Promise<void>
  /** Starts it again on the same port with the same data. */
  start(): Promise<void>
  /** Stops it for good and deletes its data directory. */
  close(): Promise<void>
}

/**
 * Persistence: append-only file, fsync every second, no RDB snapshots. A restart keeps sessions,
 * refresh families and, above all, the revocation list: without persistence a restart would
 * silently make every revoked access token valid again until its `exp`. A crash (SIGKILL) may
 * lose the last second of writes.
 */
const PERSISTENCE = ['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '']

/** Debian's redis-server on a free loopback port, in its own temporary directory. */
export async function startLocalRedis({ binary = process.env.REDIS_SERVER ?? 'redis-server' } = {}): Promise<LocalRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'authlens-redis-'))
  const forget = removeAtExit(dir)
  let port = 0
  let child: ChildProcess | undefined
  const launch = async () => {
    child = await spawnRedis(binary, dir, port)
  }
  try {
    for (let attempt = 0; ; attempt++) {
      port = await freePort()
      try {
        await launch()
        break
      } catch (error) {
        // Another process may have taken the port between the probe and the start.
        if (error instanceof RedisServerMissingError || attempt >= 2) throw error
      }
    }
  } catch (error) {
    forget()
    await rm(dir, { recursive: true, force: true })
    throw error
  }
  const stop = async () => {
    if (child) await stopChild(child)
    child = undefined
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    pid: () => child?.pid,
    stop,
    start: launch,
    async close() {
      await stop()
      forget()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

function spawnRedis(binary: string, dir: string, port: number): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, ...PERSISTENCE, '--daemonize', 'no', '--logfile', '']
  return new Promise((resolve, reject) => {
    const child = track(spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] }))
    let output = ''
    const fail = (error: Error) => {
      child.kill('SIGKILL')
      reject(error)
    }
    const timer = setTimeout(() => fail(new Error(`redis-server did not start within 10 s:\n${output}`)), 10_000)
    child.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer)
      reject(error.code === 'ENOENT' ? new RedisServerMissingError(binary) : error)
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`redis-server exited (${code}) before it was ready:\n${output}`))
    })
    const onData = (chunk: Buffer) => {
      output += chunk.toString()
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer)
        child.stdout?.off('data', onData)
        // Keep draining its log, or a full pipe would block Redis.
        child.stdout?.resume()
        resolve(child)
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()))
  })
}
