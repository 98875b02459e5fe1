import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { startCluster } from '../src/cluster/cluster.ts'
import { startLocalRedis } from '../src/cluster/redis-server.ts'

const cli = fileURLToPath(new URL('../src/cluster/cli.ts', import.meta.url))

/** A browser's session sign-in through the proxy: the cookie header to send back. */
async function signIn(url: string): Promise<string> {
  const response = await fetch(`${url}/api/session/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url },
    body: JSON.stringify({ username: 'alice', password: 'wonderland' }),
  })
  expect(response.status).toBe(200)
  return response.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ')
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('npm run cluster', () => {
  it('an instance killed mid-run: the proxy routes around it, the others keep serving, and sessions survive', async () => {
    const cluster = await startCluster({ instances: 3, passwordHashIterations: 1_000 })
    try {
      const cookie = await signIn(cluster.url)
      const victim = cluster.instances[0]!.child
      const exited = new Promise((resolve) => victim.once('exit', resolve))
      victim.kill('SIGKILL')
      await exited
      const served = new Set<string>()
      for (let i = 0; i < 12; i++) {
        const response = await fetch(`${cluster.url}/api/me`, { headers: { cookie } })
        expect(response.status).toBe(200)
        served.add(response.headers.get('x-authlens-instance') ?? '')
      }
      expect([...served].sort()).toEqual(['1', '2'])
      // New sign-ins work too, on the instances left.
      expect(await signIn(cluster.url)).toMatch(/__Host-sid=/)
    } finally {
      await cluster.stop()
    }
  }, 60_000)

  it('Ctrl-C stops everything it started: proxy, every instance and Redis, and deletes Redis\'s data', async () => {
    // Its own process group, which is what a terminal's Ctrl-C signals.
    const child = spawn(process.execPath, ['--import', 'tsx', cli, '--instances', '2', '--port', '0'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    const output: string[] = []
    const lines = createInterface({ input: child.stdout })
    await new Promise<void>((resolve, reject) => {
      lines.on('line', (line) => {
        output.push(line)
        if (line.startsWith('Ctrl-C')) resolve()
      })
      child.once('exit', (code) => reject(new Error(`cluster exited (${code}): ${output.join('\n')}`)))
    })
    const pids = output.flatMap((line) => [...line.matchAll(/pid (\d+)/g)].map((match) => Number(match[1])))
    const dir = /append-only file in (\S+)/.exec(output.join('\n'))?.[1] ?? ''
    expect(pids).toHaveLength(3)
    expect(pids.every(alive)).toBe(true)
    expect(existsSync(dir)).toBe(true)

    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
    process.kill(-child.pid!, 'SIGINT')
    expect(await exited).toBe(0)
    await expect.poll(() => pids.filter(alive), { timeout: 5_000 }).toEqual([])
    expect(existsSync(dir)).toBe(false)
  }, 60_000)

  it('without redis-server: a clear error with a code and exit code 3, nothing left running', async () => {
    await expect(startLocalRedis({ binary: '/nonexistent/redis-server' })).rejects.toMatchObject({ code: 'redis_server_missing' })
    const child = spawn(process.execPath, ['--import', 'tsx', cli], { env: { ...process.env, REDIS_SERVER: '/nonexistent/redis-server' }, stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
    expect(code).toBe(3)
    expect(stderr).toMatch(/\[redis_server_missing\].*apt-get install redis-server/)
  }, 30_000)

  it('M25 instances refuse a weak shared secret: the cluster does not start, with the weak_secret code, and stops what it began', async () => {
    await expect(startCluster({ instances: 2, hmacSecret: 'Correct-Horse-Battery-Staple-Correct-Horse' })).rejects.toMatchObject({ code: 'weak_secret' })
  }, 60_000)
})
