import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// The package as an app installs it: `sdk/dist`, built by `npm run build -w sdk`, linked into a
// fresh app folder as node_modules/@authlens/sdk. Nothing here reads the SDK's source.

const run = promisify(execFile)
const root = fileURLToPath(new URL('../../', import.meta.url))
const dist = join(root, 'sdk/dist')
const bin = (name: string) => join(root, 'node_modules', name)
let app = ''

const write = (name: string, text: string) => writeFileSync(join(app, name), text)
const node = (file: string) => run(process.execPath, [bin('tsx/dist/cli.mjs'), file], { cwd: app, timeout: 60_000 })

beforeAll(async () => {
  await run(process.execPath, [bin('tsx/dist/cli.mjs'), join(root, 'sdk/build.ts')], { cwd: root, timeout: 120_000 })
  app = mkdtempSync(join(tmpdir(), 'authlens-package-'))
  mkdirSync(join(app, 'node_modules/@authlens'), { recursive: true })
  symlinkSync(dist, join(app, 'node_modules/@authlens/sdk'), 'dir')
  for (const name of ['axios', 'react', '@types']) symlinkSync(bin(name), join(app, 'node_modules', name), 'dir')
}, 150_000)

afterAll(() => {
  if (app) rmSync(app, { recursive: true, force: true })
})

// Each test runs Node or tsc in a child process: seconds, more on a loaded machine.
describe('@authlens/sdk as published (sdk/dist)', () => {
  it('has ESM, declarations and sideEffects: false for every export, and no source', () => {
    const manifest = JSON.parse(readFileSync(join(dist, 'package.json'), 'utf8')) as {
      type: string
      sideEffects: boolean
      exports: Record<string, { types: string; default: string }>
      dependencies?: Record<string, string>
    }
    expect(manifest.type).toBe('module')
    expect(manifest.sideEffects).toBe(false)
    // Every subpath the workspace exports is built and declared: a new entry (oidc, dpop, ...)
    // needs nothing more than its line in sdk/package.json.
    const source = JSON.parse(readFileSync(join(root, 'sdk/package.json'), 'utf8')) as { exports: Record<string, string> }
    expect(Object.keys(manifest.exports)).toEqual(Object.keys(source.exports))
    expect(Object.keys(manifest.exports)).toEqual(expect.arrayContaining(['.', './storage', './devtools', './devtools-protocol', './react', './axios']))
    for (const target of Object.values(manifest.exports)) {
      expect(existsSync(join(dist, target.types)), target.types).toBe(true)
      expect(existsSync(join(dist, target.default)), target.default).toBe(true)
    }
    // No dependencies: the state store is the core's own (zustand's API, without its bytes).
    expect(manifest.dependencies).toBeUndefined()
    // The adapters work on the client they are given and import none of the core's modules, so
    // an app never holds two copies of it.
    for (const adapter of ['react/index.js', 'axios/index.js']) {
      expect(readFileSync(join(dist, adapter), 'utf8')).not.toMatch(/from '\.\.?\//)
    }
    expect(existsSync(join(dist, 'client.ts'))).toBe(false)
    expect(existsSync(join(dist, 'token.test.js'))).toBe(false)
  })

  it('imports under Node (SSR) without touching browser APIs (S19)', async () => {
    const { exports } = JSON.parse(readFileSync(join(dist, 'package.json'), 'utf8')) as { exports: Record<string, unknown> }
    write(
      'ssr.mjs',
      `import { createAuthClient, jwt, session, AuthError, isAuthError } from '@authlens/sdk'
import { AuthProvider, useAuthState, RequireAuth } from '@authlens/sdk/react'
import { attachAuth, detachAuth } from '@authlens/sdk/axios'
import { DEVTOOLS_SOURCE } from '@authlens/sdk/devtools-protocol'
import { webStorage } from '@authlens/sdk/storage'
import { devtools } from '@authlens/sdk/devtools'
for (const subpath of ${JSON.stringify(Object.keys(exports))}) await import(subpath.replace(/^\./, '@authlens/sdk'))
const auth = createAuthClient({ strategy: jwt({ storage: webStorage('localStorage') }), baseURL: 'https://api.example/api', plugins: [devtools()] })
createAuthClient({ strategy: session() }).destroy()
await auth.ready
let refused
try { await auth.getAccessToken() } catch (error) { refused = error }
console.log(JSON.stringify({
  status: auth.getState().status,
  refused: isAuthError(refused, 'not_authenticated') && refused instanceof AuthError,
  adapters: [AuthProvider, useAuthState, RequireAuth, attachAuth, detachAuth].map((f) => typeof f),
  source: DEVTOOLS_SOURCE,
}))
auth.destroy()
`,
    )
    const { stdout } = await node('ssr.mjs')
    expect(JSON.parse(stdout)).toEqual({ status: 'anonymous', refused: true, adapters: Array(5).fill('function'), source: 'authlens-sdk' })
  }, 60_000)

  it('signs in, calls the API, refreshes and signs out against the mock backend, compiled code only', async () => {
    write(
      'flow.mts',
      `import { setupServer } from ${JSON.stringify(join(root, 'node_modules/msw/lib/node/index.mjs'))}
import { createMockBackend } from ${JSON.stringify(join(root, 'mock-server/src/index.ts'))}
import axios from 'axios'
import { createAuthClient, jwt } from '@authlens/sdk'
import { attachAuth } from '@authlens/sdk/axios'
const backend = createMockBackend({ passwordHashIterations: 1000 })
const server = setupServer(...backend.handlers)
server.listen({ onUnhandledRequest: 'error' })
const auth = createAuthClient({ strategy: jwt(), baseURL: 'http://localhost/api' })
const api = attachAuth(axios.create({ baseURL: 'http://localhost/api', adapter: 'fetch' }), auth)
const signedIn = await auth.login({ username: 'alice', password: 'wonderland' })
const me = await auth.fetch('/me')
await auth.refresh()
const notes = await api.get('/notes')
await auth.logout()
console.log(JSON.stringify({ signedIn: signedIn.status, me: me.status, notes: notes.status, after: auth.getState().status, refreshes: backend.snapshot().refreshes }))
auth.destroy()
server.close()
`,
    )
    const { stdout } = await node('flow.mts')
    expect(JSON.parse(stdout)).toEqual({ signedIn: 'authenticated', me: 200, notes: 200, after: 'anonymous', refreshes: 1 })
  }, 60_000)

  it('types: a strict TypeScript app type-checks against the declarations, and misuse is an error', async () => {
    write(
      'app.ts',
      `import { createAuthClient, jwt, session, type AuthError, type AuthState } from '@authlens/sdk'
import { cookieStorage } from '@authlens/sdk/storage'
import { useAuthState } from '@authlens/sdk/react'
import { attachAuth } from '@authlens/sdk/axios'
import axios from 'axios'

const auth = createAuthClient({ strategy: session({ csrf: { header: 'X-CSRF' } }), baseURL: '/api' })
createAuthClient({ strategy: jwt({ storage: cookieStorage(), refreshTokenTransport: 'cookie', leewaySeconds: 10 }) })
const status: AuthState['status'] = auth.getState().status
auth.on('refresh-failed', ({ error }: { error: AuthError }) => error.code satisfies string)
export const api = attachAuth(axios.create(), auth)
export const useStatus = () => useAuthState((state) => state.status)
export { status }
// @ts-expect-error: a strategy is a value the app imports, not a name
createAuthClient({ strategy: 'jwt' })
// @ts-expect-error: storage belongs to the JWT strategy
createAuthClient({ strategy: session(), storage: cookieStorage() })
// @ts-expect-error: not an event
auth.on('signed-in', () => undefined)
`,
    )
    write(
      'tsconfig.json',
      JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, module: 'ESNext', moduleResolution: 'Bundler', target: 'ES2022', lib: ['ES2022', 'DOM'], types: [], skipLibCheck: false },
        files: ['app.ts'],
      }),
    )
    const result = await run(process.execPath, [bin('typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: app, timeout: 60_000 }).catch(
      (error: { stdout: string }) => ({ stdout: error.stdout }),
    )
    expect(result.stdout).toBe('')
  }, 60_000)
})
