import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { stopChild, track } from './children.ts'

export interface InstanceConfig {
  redisUrl: string
  redisPrefix?: string
  hmacSecret: string
  /** `false`: stateless access tokens, no revocation list (see `accessTokenDenylist`). */
  accessTokenDenylist: boolean
  passwordHashIterations?: number
  /** The backend-for-frontend: the issuer every instance shares (the proxy's URL) and the BFF's client secret. */
  bff?: { issuer: string; clientSecret: string }
}

export interface Instance {
  url: string
  child: ChildProcess
  stop(): Promise<void>
}

const entry = fileURLToPath(new URL('./instance.ts', import.meta.url))

/** Starts one backend instance as a child process (tsx runs its TypeScript) and waits until it listens. */
export function startInstance(config: InstanceConfig): Promise<Instance> {
  const env = {
    ...process.env,
    AUTHLENS_REDIS_URL: config.redisUrl,
    AUTHLENS_REDIS_PREFIX: config.redisPrefix ?? 'authlens:',
    AUTHLENS_HMAC_SECRET: config.hmacSecret,
    AUTHLENS_ACCESS_TOKEN_DENYLIST: config.accessTokenDenylist ? 'on' : 'off',
    AUTHLENS_PASSWORD_HASH_ITERATIONS: config.passwordHashIterations ? String(config.passwordHashIterations) : '',
    AUTHLENS_ISSUER: config.bff?.issuer ?? '',
    AUTHLENS_BFF_SECRET: config.bff?.clientSecret ?? '',
  }
  const child = track(spawn(process.execPath, ['--import', 'tsx', entry], { env, stdio: ['pipe', 'pipe', 'inherit'] }))
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error('a backend instance did not start within 30 s'))
    }, 30_000)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`a backend instance exited (${code}) before it listened`))
    })
    lines.once('line', (line) => {
      clearTimeout(timer)
      const message = JSON.parse(line) as { url?: string; error?: string; code?: string }
      if (message.url) resolve({ url: message.url, child, stop: () => stopChild(child) })
      else reject(Object.assign(new Error(`a backend instance failed to start: ${message.error}`), { code: message.code }))
    })
  })
}
