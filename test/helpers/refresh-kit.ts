import { AuthError, type AuthClient, type AuthEventName, type AuthEvents, type AuthErrorCode } from '@authlens/sdk'
import { customStorage, type StorageAdapter } from '@authlens/sdk/storage'
import { http, HttpResponse, type HttpHandler } from 'msw'
import { expect, vi } from 'vitest'
import { ORIGIN } from './sdk-harness.ts'

/** Helpers for the refresh, axios and protocol tests (S1–S6, S16, S25–S29). */

export const REFRESH_URL = `${ORIGIN}/api/auth/refresh`

/** Fakes only `Date` (both the SDK's and the backend's clock); timers stay real. */
export const freezeClock = () => {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(Date.now())
}
export const advanceClock = (ms: number) => vi.setSystemTime(Date.now() + ms)

/** A custom storage whose contents and writes the test can inspect. */
export function recordingStorage() {
  const values = new Map<string, string>()
  const writes: string[] = []
  let removes = 0
  const place: StorageAdapter = {
    get: (key) => values.get(key) ?? null,
    set: (key, value) => {
      writes.push(value)
      values.set(key, value)
    },
    remove: (key) => {
      removes++
      values.delete(key)
    },
  }
  return {
    adapter: customStorage(place),
    writes,
    get removes() {
      return removes
    },
    /** The one stored record (access and refresh token together), or null. */
    record(): { accessToken: string; refreshToken?: string } | null {
      const [raw] = [...values.values()]
      if (values.size > 1) throw new Error(`expected one stored record, found ${values.size}`)
      return raw === undefined ? null : (JSON.parse(raw) as { accessToken: string; refreshToken?: string })
    },
  }
}

/** A promise the test resolves from outside. */
export function gate<T = void>() {
  let open!: (value: T) => void
  const promise = new Promise<T>((resolve) => (open = resolve))
  return { promise, open }
}

/** Every event of the given names, in order. */
export function recordEvents(auth: AuthClient, names: AuthEventName[]) {
  const seen: { name: AuthEventName; payload: AuthEvents[AuthEventName] }[] = []
  for (const name of names) auth.on(name, (payload) => seen.push({ name, payload }))
  return {
    seen,
    named: <K extends AuthEventName>(name: K) => seen.filter((event) => event.name === name).map((event) => event.payload as AuthEvents[K]),
  }
}

/**
 * A pass-through handler that records each refresh request (its JSON or form body and when it
 * arrived) and, while `intercept` returns a response, answers instead of the backend.
 */
export function refreshRecorder(
  intercept: (call: number, request: Request) => Response | undefined | Promise<Response | undefined> = () => undefined,
) {
  const calls: { at: number; body: Record<string, string> }[] = []
  const read = async (request: Request): Promise<Record<string, string>> => {
    const text = await request.clone().text()
    if (!text) return {}
    if ((request.headers.get('content-type') ?? '').includes('json')) return JSON.parse(text) as Record<string, string>
    return Object.fromEntries(new URLSearchParams(text))
  }
  const handler = (url: string): HttpHandler =>
    http.post(url, async ({ request }) => {
      calls.push({ at: Date.now(), body: await read(request) })
      return intercept(calls.length, request)
    })
  return { calls, handler }
}

/** 401 with the RFC 6750 challenge that says the token was refused. */
export const invalidToken = () =>
  HttpResponse.json(
    { error: 'invalid_token', error_description: 'refused by the test' },
    { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="test", error="invalid_token"' } },
  )

/** A refresh endpoint that never answers; it gives up (as a network error) once the client aborts. */
export const hanging = (request: Request) =>
  new Promise<Response>((resolve) => request.signal.addEventListener('abort', () => resolve(HttpResponse.error())))

/** Awaits a rejection and checks it is an AuthError with this code. */
export async function expectAuthError(promise: Promise<unknown>, code: AuthErrorCode): Promise<AuthError> {
  const error = await promise.then(
    () => {
      throw new Error(`expected AuthError ${code}, but it resolved`)
    },
    (reason: unknown) => reason,
  )
  expect(error).toBeInstanceOf(AuthError)
  expect((error as AuthError).code).toBe(code)
  return error as AuthError
}

/** The bearer token of a recorded request, or undefined. */
export const bearerOf = (headers: Record<string, string>) => headers.authorization?.replace(/^Bearer /, '')

/** Claims the mock accepts, for a token signed with its key (custom protocols, S29). */
export function aliceClaims(nowMs: number, ttlSeconds = 300) {
  const iat = Math.floor(nowMs / 1000)
  return {
    iss: 'https://auth.authlens.test',
    aud: 'authlens-api',
    sub: 'u_alice',
    iat,
    nbf: iat,
    exp: iat + ttlSeconds,
    jti: `test-${Math.random().toString(36).slice(2)}`,
    name: 'Alice Liddell',
    role: 'user',
  }
}
