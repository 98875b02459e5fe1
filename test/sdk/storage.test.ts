// @vitest-environment happy-dom
import { jwt, type AuthClient, type AuthEvents } from '@authlens/sdk'
import { cookieStorage, customStorage, webStorage, type StorageAdapter } from '@authlens/sdk/storage'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { alice, ORIGIN, sdkHarness } from '../helpers/sdk-harness.ts'

/** The key the client stores under: `authlens:` + name, else baseURL (the harness's). */
const KEY = `authlens:${ORIGIN}/api`
const COOKIE_KEY = encodeURIComponent(KEY)
const PAGE = 'http://localhost:3000/'

type Harness = ReturnType<typeof sdkHarness>
let harness: Harness | undefined

/** A harness whose every response body is kept, so issued tokens can be read back. */
function start(backendOptions: Parameters<typeof sdkHarness>[0] = {}) {
  harness = sdkHarness(backendOptions)
  return harness
}

/** Records every event of the listed kinds, in order. */
function record(auth: AuthClient) {
  const events: { name: string; payload: unknown }[] = []
  for (const name of ['warning', 'storage-fallback', 'error', 'login', 'logout', 'refresh', 'refresh-failed', 'expired'] as const) {
    auth.on(name, (payload) => events.push({ name, payload }))
  }
  return {
    events,
    of: <K extends keyof AuthEvents>(name: K) => events.filter((event) => event.name === name).map((event) => event.payload as AuthEvents[K]),
  }
}

const decode = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

function clearCookies() {
  for (const pair of document.cookie.split('; ')) {
    const name = pair.slice(0, pair.indexOf('='))
    if (name) document.cookie = `${name}=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT`
  }
}

/** Signs alice in through a throwaway client and returns what it stored in localStorage. */
async function storedRecord(h: Harness, options: Parameters<Harness['client']>[0] = {}) {
  const auth = h.client({ strategy: jwt({ storage: webStorage('localStorage') }), ...options })
  await auth.ready
  await auth.login(alice)
  const raw = localStorage.getItem(options.name ? `authlens:${options.name}` : KEY)
  auth.destroy()
  expect(raw).not.toBeNull()
  return { raw: raw!, record: JSON.parse(raw!) as { v: number; accessToken: string; refreshToken: string } }
}

/** The last request to a path. */
const lastTo = (h: Harness, path: string) => h.requests.filter((request) => request.path === path).at(-1)!
/** A recorded header, whatever its case (happy-dom's Headers keep the case they were given). */
const header = (request: { headers: Record<string, string> }, name: string) =>
  Object.entries(request.headers).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1]

/** A Storage whose setItem always throws, like Safari's private mode or a full quota. */
function refusingStorage(error: DOMException) {
  const data = new Map<string, string>()
  return {
    get length() {
      return data.size
    },
    key: (index: number) => [...data.keys()][index] ?? null,
    getItem: (key: string) => data.get(key) ?? null,
    setItem: vi.fn((_key: string, _value: string) => {
      throw error
    }),
    removeItem: (key: string) => void data.delete(key),
    clear: () => data.clear(),
  }
}

/** No recorded request carries any of these values anywhere (URL or headers). */
function neverSent(h: Harness, ...values: string[]) {
  for (const request of h.requests) {
    const text = request.url + JSON.stringify(request.headers)
    for (const value of values) expect(text.includes(value), `${request.method} ${request.url} carried a stored token`).toBe(false)
  }
}

beforeEach(() => {
  localStorage.clear()
  sessionStorage.clear()
  clearCookies()
})

afterEach(() => {
  harness?.destroy()
  harness = undefined
  vi.restoreAllMocks()
  vi.unstubAllGlobals()
  localStorage.clear()
  sessionStorage.clear()
  clearCookies()
  ;(window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(PAGE)
})

describe('storage fallback (S12, S23)', () => {
  it('S12 localStorage.setItem throwing (quota/private mode) falls back to memory with one storage-fallback event and no exception', async () => {
    const h = start()
    const refusing = refusingStorage(new DOMException('The quota has been exceeded.', 'QuotaExceededError'))
    vi.stubGlobal('localStorage', refusing)
    const setItem = refusing.setItem
    const auth = h.client({ strategy: jwt({ storage: webStorage('localStorage') }) })
    const log = record(auth)
    await auth.ready

    const state = await auth.login(alice)
    expect(state.status).toBe('authenticated')
    expect(state.user?.sub).toBe('u_alice')
    expect(log.of('storage-fallback')).toEqual([{ from: 'localStorage', reason: 'QuotaExceededError' }])
    expect(log.of('error')).toEqual([])
    expect(refusing.length).toBe(0)

    // The tokens live on in memory: requests carry them and refresh keeps working.
    const token = await auth.getAccessToken()
    const me = await auth.fetch('/me')
    expect(me.status).toBe(200)
    expect(header(lastTo(h, '/api/me'), 'authorization')).toBe(`Bearer ${token}`)
    await auth.refresh()
    expect(h.count('/api/auth/refresh')).toBe(1)
    expect((await auth.fetch('/me')).status).toBe(200)
    expect(await auth.getAccessToken()).not.toBe(token)

    // After the fallback the broken storage is not tried again, and no second event fires.
    expect(setItem).toHaveBeenCalledTimes(1)
    expect(log.of('storage-fallback')).toHaveLength(1)
    await auth.logout()
    expect(auth.getState().status).toBe('anonymous')
    expect(log.of('storage-fallback')).toHaveLength(1)
  })

  it('S12 sessionStorage.setItem throwing falls back the same way', async () => {
    const h = start()
    const refusing = refusingStorage(new DOMException('The quota has been exceeded.', 'QuotaExceededError'))
    vi.stubGlobal('sessionStorage', refusing)
    const auth = h.client({ strategy: jwt({ storage: webStorage('sessionStorage') }) })
    const log = record(auth)
    await auth.ready
    await expect(auth.login(alice)).resolves.toMatchObject({ status: 'authenticated' })
    expect(log.of('storage-fallback')).toEqual([{ from: 'sessionStorage', reason: 'QuotaExceededError' }])
    expect(refusing.setItem).toHaveBeenCalledTimes(1)
    expect(refusing.length).toBe(0)
    expect((await auth.fetch('/me')).status).toBe(200)
  })

  it('S12 a document.cookie that refuses writes (cookies disabled) falls back from cookie storage to memory', async () => {
    const h = start()
    vi.spyOn(document, 'cookie', 'set').mockImplementation(() => {
      throw new DOMException('cookies are disabled', 'SecurityError')
    })
    const auth = h.client({ strategy: jwt({ storage: cookieStorage() }) })
    const log = record(auth)
    await auth.ready
    await expect(auth.login(alice)).resolves.toMatchObject({ status: 'authenticated' })
    expect(log.of('storage-fallback')).toEqual([{ from: 'cookie', reason: 'SecurityError' }])
    expect((await auth.fetch('/me')).status).toBe(200)
  })

  for (const area of ['localStorage', 'sessionStorage'] as const) {
    it(`S23 merely reading window.${area} throws SecurityError: memory fallback, one storage-fallback event, no exception`, async () => {
      const h = start()
      let reads = 0
      vi.stubGlobal(area, undefined)
      Object.defineProperty(globalThis, area, {
        configurable: true,
        get() {
          reads++
          throw new DOMException(`Failed to read the '${area}' property from 'Window': Access is denied for this document.`, 'SecurityError')
        },
      })
      const auth = h.client({ strategy: jwt({ storage: webStorage(area) }) })
      const log = record(auth)
      await auth.ready
      // The restore probed the storage, fell back, and found nobody signed in.
      expect(auth.getState().status).toBe('anonymous')
      expect(log.of('storage-fallback')).toEqual([{ from: area, reason: 'SecurityError' }])
      expect(reads).toBe(1)

      await expect(auth.login(alice)).resolves.toMatchObject({ status: 'authenticated' })
      expect((await auth.fetch('/me')).status).toBe(200)
      await auth.refresh()
      expect((await auth.fetch('/me')).status).toBe(200)
      await auth.logout()
      expect(auth.getState().status).toBe('anonymous')
      // Probed once; afterwards memory only.
      expect(reads).toBe(1)
      expect(log.of('storage-fallback')).toHaveLength(1)
      expect(log.of('error')).toEqual([])
    })
  }

  it('S23 a storage that throws on first use without restore (restore: false) falls back at login', async () => {
    const h = start()
    vi.stubGlobal('localStorage', undefined)
    Object.defineProperty(globalThis, 'localStorage', {
      configurable: true,
      get() {
        throw new DOMException('Access is denied for this document.', 'SecurityError')
      },
    })
    const auth = h.client({ strategy: jwt({ storage: webStorage('localStorage') }), restore: false })
    const log = record(auth)
    await expect(auth.login(alice)).resolves.toMatchObject({ status: 'authenticated' })
    expect(log.of('storage-fallback')).toEqual([{ from: 'localStorage', reason: 'SecurityError' }])
    expect((await auth.fetch('/me')).status).toBe(200)
  })
})

describe('stored tokens that must not be trusted (S13, S24)', () => {
  it('S13 control: an intact stored record is restored and used', async () => {
    const h = start()
    const { record: stored } = await storedRecord(h)
    const auth = h.client({ strategy: jwt({ storage: webStorage('localStorage') }) })
    const log = record(auth)
    await auth.ready
    expect(auth.getState().status).toBe('authenticated')
    expect(auth.getState().user?.sub).toBe('u_alice')
    expect(log.of('warning')).toEqual([])
    expect((await auth.fetch('/me')).status).toBe(200)
    expect(header(lastTo(h, '/api/me'), 'authorization')).toBe(`Bearer ${stored.accessToken}`)
  })

  const corruptions: Record<string, (stored: { raw: string; record: { accessToken: string; refreshToken: string } }) => string> = {
    'not JSON': () => '{"v":1,"accessToken":"eyJ',
    'truncated JSON': ({ raw }) => raw.slice(0, Math.floor(raw.length / 2)),
    'JSON null': () => 'null',
    'unknown format version': ({ record }) => JSON.stringify({ ...record, v: 2 }),
    'access token that is not a JWT': ({ record }) => JSON.stringify({ ...record, accessToken: 'definitely-not-a-jwt' }),
    'access token that is a number': ({ record }) => JSON.stringify({ ...record, accessToken: 42 }),
    'refresh token that is an object': ({ record }) => JSON.stringify({ ...record, refreshToken: { token: record.refreshToken } }),
    'tampered payload (not base64url)': ({ record }) => {
      const [header, , signature] = record.accessToken.split('.')
      return JSON.stringify({ ...record, accessToken: `${header}.%%%not*base64%%%.${signature}` })
    },
    'tampered payload (claims not an object)': ({ record }) => {
      const [header, , signature] = record.accessToken.split('.')
      return JSON.stringify({ ...record, accessToken: `${header}.${b64(12345)}.${signature}` })
    },
    'tampered payload (claims null)': ({ record }) => {
      const [header, , signature] = record.accessToken.split('.')
      return JSON.stringify({ ...record, accessToken: `${header}.${b64(null)}.${signature}` })
    },
  }

  for (const [name, corrupt] of Object.entries(corruptions)) {
    it(`S13 stored record with ${name} is discarded with a token_discarded warning, state anonymous, never sent`, async () => {
      const h = start()
      const stored = await storedRecord(h)
      localStorage.setItem(KEY, corrupt(stored))
      const before = h.requests.length

      const auth = h.client({ strategy: jwt({ storage: webStorage('localStorage') }) })
      const log = record(auth)
      await auth.ready
      expect(log.of('warning')).toEqual([{ code: 'token_discarded', message: expect.stringContaining('discarded') }])
      expect(auth.getState()).toMatchObject({ status: 'anonymous', user: null, expiresAt: null })
      expect(localStorage.getItem(KEY)).toBeNull()
      expect(await auth.getAccessToken().catch((error: { code: string }) => error.code)).toBe('not_authenticated')

      // Nothing from the record goes out: no refresh attempt, no bearer header.
      const me = await auth.fetch('/me')
      expect(me.status).toBe(401)
      expect(header(lastTo(h, '/api/me'), 'authorization')).toBeUndefined()
      expect(h.requests.slice(before).map((request) => request.path)).toEqual(['/api/me'])
      neverSent(h, stored.record.accessToken, stored.record.refreshToken)
      expect(log.of('login')).toEqual([])
    })
  }

  it('S24 a stored token from another issuer is ignored and cleared when the client sets `issuer`, never sent', async () => {
    const h = start()
    const stored = await storedRecord(h)
    expect(decode(stored.record.accessToken).iss).toBe('https://auth.authlens.test')
    const before = h.requests.length

    const auth = h.client({ strategy: jwt({ storage: webStorage('localStorage'), issuer: 'https://login.other.example' }) })
    const log = record(auth)
    await auth.ready
    expect(log.of('warning')).toEqual([{ code: 'token_discarded', message: expect.any(String) }])
    expect(auth.getState().status).toBe('anonymous')
    expect(localStorage.getItem(KEY)).toBeNull()
    await auth.fetch('/me')
    expect(header(lastTo(h, '/api/me'), 'authorization')).toBeUndefined()
    expect(h.requests.slice(before).map((request) => request.path)).toEqual(['/api/me'])
    neverSent(h, stored.record.accessToken, stored.record.refreshToken)
  })

  it('S24 a stored token for another audience is ignored and cleared when the client sets `audience`, never sent', async () => {
    const h = start()
    const stored = await storedRecord(h)
    expect(decode(stored.record.accessToken).aud).toBe('authlens-api')
    const before = h.requests.length

    const auth = h.client({ strategy: jwt({ storage: webStorage('localStorage'), issuer: 'https://auth.authlens.test', audience: 'billing-api' }) })
    const log = record(auth)
    await auth.ready
    expect(log.of('warning')).toEqual([{ code: 'token_discarded', message: expect.any(String) }])
    expect(auth.getState().status).toBe('anonymous')
    expect(localStorage.getItem(KEY)).toBeNull()
    await auth.fetch('/me')
    expect(header(lastTo(h, '/api/me'), 'authorization')).toBeUndefined()
    expect(h.requests.slice(before).map((request) => request.path)).toEqual(['/api/me'])
    neverSent(h, stored.record.accessToken, stored.record.refreshToken)
  })

  it('S24 a validly signed stored token naming another issuer is refused too (the signature is no excuse)', async () => {
    const h = start()
    const now = Math.floor(Date.now() / 1000)
    const foreign = await h.backend.signToken({ iss: 'https://evil.example', aud: 'authlens-api', sub: 'u_alice', iat: now, exp: now + 300 })
    localStorage.setItem(KEY, JSON.stringify({ v: 1, accessToken: foreign, refreshToken: 'foreign-refresh-token-value' }))
    const auth = h.client({ strategy: jwt({ storage: webStorage('localStorage'), issuer: 'https://auth.authlens.test' }) })
    const log = record(auth)
    await auth.ready
    expect(log.of('warning').map((warning) => warning.code)).toEqual(['token_discarded'])
    expect(auth.getState().status).toBe('anonymous')
    expect(localStorage.getItem(KEY)).toBeNull()
    await auth.fetch('/me')
    expect(h.count('/api/auth/refresh')).toBe(0)
    neverSent(h, foreign, 'foreign-refresh-token-value')
  })

  it('S24 control: matching issuer and audience restore the stored token', async () => {
    const h = start()
    const stored = await storedRecord(h)
    const auth = h.client({ strategy: jwt({ storage: webStorage('localStorage'), issuer: 'https://auth.authlens.test', audience: 'authlens-api' }) })
    const log = record(auth)
    await auth.ready
    expect(log.of('warning')).toEqual([])
    expect(auth.getState().status).toBe('authenticated')
    expect(localStorage.getItem(KEY)).toBe(stored.raw)
    await auth.fetch('/me')
    expect(header(lastTo(h, '/api/me'), 'authorization')).toBe(`Bearer ${stored.record.accessToken}`)
  })

  it('S24 a client with another name keys its storage apart and never reads the other record', async () => {
    const h = start()
    const stored = await storedRecord(h, { name: 'app-a' })
    expect(localStorage.getItem(KEY)).toBeNull()
    const auth = h.client({ strategy: jwt({ storage: webStorage('localStorage') }), name: 'app-b' })
    await auth.ready
    expect(auth.getState().status).toBe('anonymous')
    await auth.fetch('/me')
    expect(header(lastTo(h, '/api/me'), 'authorization')).toBeUndefined()
    neverSent(h, stored.record.refreshToken)
  })
})

describe('cookie storage attributes (S21)', () => {
  /** Calls to the document.cookie setter that write our key. */
  const writesOfKey = (setter: { mock: { calls: unknown[][] } }) =>
    setter.mock.calls.map((call) => String(call[0])).filter((line) => line.startsWith(`${COOKIE_KEY}=`))
  const attributes = (line: string) => line.split('; ').slice(1)

  it('S21 on https: SameSite=Strict, Path=/, Secure, Expires = the access token expiry; cleared with the same scope', async () => {
    ;(window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL('https://localhost/')
    expect(location.protocol).toBe('https:')
    const h = start()
    const setter = vi.spyOn(document, 'cookie', 'set')
    const auth = h.client({ strategy: jwt({ storage: cookieStorage() }) })
    await auth.ready
    await auth.login(alice)
    const token = (await auth.getAccessToken())!
    const exp = decode(token).exp as number

    const [write, ...more] = writesOfKey(setter)
    expect(more).toEqual([])
    expect(attributes(write!)).toEqual(['Path=/', 'SameSite=Strict', 'Secure', `Expires=${new Date(exp * 1000).toUTCString()}`])
    const value = JSON.parse(decodeURIComponent(write!.slice(COOKIE_KEY.length + 1, write!.indexOf(';')))) as Record<string, unknown>
    expect(value).toMatchObject({ v: 1, accessToken: token })

    // A refresh re-writes it, expiring with the new token.
    await auth.refresh()
    const refreshed = (await auth.getAccessToken())!
    const after = writesOfKey(setter).at(-1)!
    expect(attributes(after)).toEqual(['Path=/', 'SameSite=Strict', 'Secure', `Expires=${new Date((decode(refreshed).exp as number) * 1000).toUTCString()}`])

    await auth.logout()
    const removal = writesOfKey(setter).at(-1)!
    expect(removal).toBe(`${COOKIE_KEY}=; Path=/; SameSite=Strict; Secure; Expires=${new Date(0).toUTCString()}`)
    expect(document.cookie).not.toContain(COOKIE_KEY)
  })

  it('S21 on http: no Secure attribute (browsers would drop it), still SameSite=Strict and Path=/', async () => {
    expect(location.protocol).toBe('http:')
    const h = start()
    const setter = vi.spyOn(document, 'cookie', 'set')
    const auth = h.client({ strategy: jwt({ storage: cookieStorage() }) })
    await auth.ready
    await auth.login(alice)
    const exp = decode((await auth.getAccessToken())!).exp as number
    const [write] = writesOfKey(setter)
    expect(attributes(write!)).toEqual(['Path=/', 'SameSite=Strict', `Expires=${new Date(exp * 1000).toUTCString()}`])
  })

  it('S21 the cookie expiry is the token expiry in local time when the server clock is 10 minutes ahead', async () => {
    const skew = 10 * 60_000
    const h = start({ now: () => Date.now() + skew })
    const setter = vi.spyOn(document, 'cookie', 'set')
    const auth = h.client({ strategy: jwt({ storage: cookieStorage() }) })
    await auth.ready
    await auth.login(alice)
    const exp = decode((await auth.getAccessToken())!).exp as number
    const expires = attributes(writesOfKey(setter)[0]!).find((attribute) => attribute.startsWith('Expires='))!.slice(8)
    // The token lives 300 s: the cookie must go in ~300 s local time, not 900 s (nor be already expired).
    expect(Math.abs(Date.parse(expires) - (exp * 1000 - skew))).toBeLessThanOrEqual(2000)
    expect(Date.parse(expires) - Date.now()).toBeGreaterThan(295_000)
    expect(Date.parse(expires) - Date.now()).toBeLessThanOrEqual(301_000)
  })

  it('S21 control: a new client restores from the cookie', async () => {
    const h = start()
    const first = h.client({ strategy: jwt({ storage: cookieStorage() }) })
    await first.ready
    await first.login(alice)
    const token = await first.getAccessToken()
    first.destroy()
    expect(document.cookie).toContain(`${COOKIE_KEY}=`)
    const second = h.client({ strategy: jwt({ storage: cookieStorage() }) })
    await second.ready
    expect(second.getState().status).toBe('authenticated')
    expect(await second.getAccessToken()).toBe(token)
  })
})

describe('default and opt-in storage (S22)', () => {
  it('S22 the default storage is memory: nothing in localStorage, sessionStorage or document.cookie, no warning', async () => {
    const h = start()
    const auth = h.client()
    const log = record(auth)
    await auth.ready
    await auth.login(alice)
    await auth.refresh()
    const token = (await auth.getAccessToken())!
    expect(localStorage.length).toBe(0)
    expect(sessionStorage.length).toBe(0)
    expect(document.cookie).not.toContain('authlens')
    expect(document.cookie).not.toContain(token.split('.')[2]!)
    expect(log.of('warning')).toEqual([])
    // Memory does not outlive the client: a new one starts signed out.
    auth.destroy()
    const next = h.client()
    await next.ready
    expect(next.getState().status).toBe('anonymous')
  })

  const optIn = {
    localStorage: { storage: () => webStorage('localStorage'), read: () => localStorage.getItem(KEY), risk: /localStorage.*XSS/ },
    sessionStorage: { storage: () => webStorage('sessionStorage'), read: () => sessionStorage.getItem(KEY), risk: /sessionStorage.*XSS/ },
    cookie: { storage: cookieStorage, read: () => (document.cookie.includes(`${COOKIE_KEY}=`) ? 'present' : null), risk: /cookie.*XSS/ },
  } as const

  for (const [kind, { storage, read, risk }] of Object.entries(optIn)) {
    it(`S22 ${kind} storage is opt-in and emits one insecure_storage warning naming the risk, once only`, async () => {
      const h = start()
      const auth = h.client({ strategy: jwt({ storage: storage() }) })
      const log = record(auth)
      await auth.ready
      await auth.login(alice)
      expect(read()).not.toBeNull()
      await auth.refresh()
      await auth.refresh()
      await auth.logout()
      await auth.login(alice)
      const warnings = log.of('warning')
      expect(warnings).toHaveLength(1)
      expect(warnings[0]!.code).toBe('insecure_storage')
      expect(warnings[0]!.message).toMatch(risk)
    })
  }
})

describe('customStorage(adapter)', () => {
  /** An async adapter backed by a Map, recording every call. */
  function mapStorage() {
    const values = new Map<string, string>()
    const calls: [string, ...unknown[]][] = []
    const adapter: StorageAdapter = {
      async get(key) {
        calls.push(['get', key])
        return values.get(key) ?? null
      },
      async set(key, value, expiresAt) {
        calls.push(['set', key, value, expiresAt])
        values.set(key, value)
      },
      async remove(key) {
        calls.push(['remove', key])
        values.delete(key)
      },
    }
    return { adapter, values, calls }
  }

  it('stores the token pair as one record with its expiry, restores from it, removes it at logout, without a warning', async () => {
    const h = start()
    const { adapter, values, calls } = mapStorage()
    const auth = h.client({ strategy: jwt({ storage: customStorage(adapter) }) })
    const log = record(auth)
    await auth.ready
    expect(calls).toEqual([['get', KEY]])
    await auth.login(alice)
    const token = (await auth.getAccessToken())!
    const [, key, value, expiresAt] = calls.at(-1)!
    expect(key).toBe(KEY)
    expect(expiresAt).toBe((decode(token).exp as number) * 1000)
    const stored = JSON.parse(value as string) as Record<string, unknown>
    expect(stored).toEqual({ v: 1, accessToken: token, refreshToken: expect.any(String), expiresAt })
    expect(log.of('warning')).toEqual([])
    auth.destroy()

    const again = h.client({ strategy: jwt({ storage: customStorage(adapter) }) })
    await again.ready
    expect(again.getState().status).toBe('authenticated')
    expect(await again.getAccessToken()).toBe(token)
    await again.logout()
    expect(calls.at(-1)).toEqual(['remove', KEY])
    expect(values.size).toBe(0)
  })

  it('an adapter that rejects falls back to memory with a storage-fallback event (from "custom")', async () => {
    const h = start()
    const adapter: StorageAdapter = {
      get: () => null,
      set: () => Promise.reject(new TypeError('backend unavailable')),
      remove: () => undefined,
    }
    const auth = h.client({ strategy: jwt({ storage: customStorage(adapter) }) })
    const log = record(auth)
    await auth.ready
    await expect(auth.login(alice)).resolves.toMatchObject({ status: 'authenticated' })
    expect(log.of('storage-fallback')).toEqual([{ from: 'custom', reason: 'TypeError' }])
    expect((await auth.fetch('/me')).status).toBe(200)
  })

  it('an adapter whose get throws during restore falls back and starts signed out', async () => {
    const h = start()
    const adapter: StorageAdapter = {
      get: () => {
        throw new Error('locked')
      },
      set: () => undefined,
      remove: () => undefined,
    }
    const auth = h.client({ strategy: jwt({ storage: customStorage(adapter) }) })
    const log = record(auth)
    await auth.ready
    expect(auth.getState().status).toBe('anonymous')
    expect(log.of('storage-fallback')).toEqual([{ from: 'custom', reason: 'Error' }])
    await expect(auth.login(alice)).resolves.toMatchObject({ status: 'authenticated' })
  })
})
