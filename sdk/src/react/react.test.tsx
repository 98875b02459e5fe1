// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen } from '@testing-library/react'
import { useRef } from 'react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createAuthClient, customLogin, jwt, type AuthClient, type AuthState, type LoginProtocol, type TokenResponse } from '../index.ts'
import { AuthProvider, RequireAuth, useAuth, useAuthState } from './index.ts'

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
/** An unsigned JWT: clients only read claims. */
const unsignedJwt = (claims: Record<string, unknown>) => `${b64({ alg: 'ES256', typ: 'at+jwt' })}.${b64(claims)}.c2lnbmF0dXJl`
const now = () => Math.floor(Date.now() / 1000)
const tokensFor = (sub: string, jti = Math.random().toString(36)): TokenResponse => ({
  accessToken: unsignedJwt({ sub, iat: now(), exp: now() + 300, jti }),
  refreshToken: `refresh-${jti}`,
})

/** A backend-free protocol whose answers the test releases by hand. */
function controlledProtocol() {
  const pending: { kind: 'login' | 'refresh'; resolve: (value: TokenResponse) => void; reject: (error: Error) => void }[] = []
  const wait = (kind: 'login' | 'refresh') => new Promise<TokenResponse>((resolve, reject) => pending.push({ kind, resolve, reject }))
  const protocol: LoginProtocol = {
    login: () => wait('login'),
    refresh: () => wait('refresh'),
    logout: async () => undefined,
  }
  return {
    protocol,
    async answer(kind: 'login' | 'refresh', tokens: TokenResponse) {
      const index = pending.findIndex((entry) => entry.kind === kind)
      expect(index).toBeGreaterThanOrEqual(0)
      const [entry] = pending.splice(index, 1)
      await act(async () => {
        entry!.resolve(tokens)
        await Promise.resolve()
      })
    },
  }
}

let clients: AuthClient[] = []
function client(protocol: LoginProtocol, restore = false) {
  const auth = createAuthClient({ strategy: jwt({ login: customLogin(protocol) }), crossTab: false, restore, fetch: () => Promise.reject(new Error('no network in this test')) })
  clients.push(auth)
  return auth
}

afterEach(() => {
  cleanup()
  for (const auth of clients) auth.destroy()
  clients = []
  vi.restoreAllMocks()
})

describe('@authlens/sdk/react', () => {
  it('useAuthState re-renders a component only when its selected slice changes', async () => {
    const backend = controlledProtocol()
    const auth = client(backend.protocol)
    const renders = { status: 0, sub: 0, whole: 0 }
    function Status() {
      renders.status++
      return <p data-testid="status">{useAuthState((state) => state.status)}</p>
    }
    function Subject() {
      renders.sub++
      return <p data-testid="sub">{useAuthState((state) => state.user?.sub ?? 'nobody')}</p>
    }
    function Whole() {
      renders.whole++
      useAuthState((state: AuthState) => state)
      return null
    }
    render(
      <AuthProvider client={auth}>
        <Status />
        <Subject />
        <Whole />
      </AuthProvider>,
    )
    expect(screen.getByTestId('status').textContent).toBe('anonymous')
    expect(renders).toEqual({ status: 1, sub: 1, whole: 1 })

    // A change outside both slices: neither re-renders (the whole-state reader does).
    act(() => auth.store.setState({ expiresAt: 123 }))
    expect(renders).toEqual({ status: 1, sub: 1, whole: 2 })

    // Signing in: status goes authenticating → authenticated (two renders), subject once.
    let signedIn!: Promise<unknown>
    act(() => {
      signedIn = auth.login({ username: 'alice', password: 'x' })
    })
    await act(async () => {
      await auth.ready
    })
    expect(screen.getByTestId('status').textContent).toBe('authenticating')
    await backend.answer('login', tokensFor('u_alice'))
    await act(async () => {
      await signedIn
    })
    expect(screen.getByTestId('status').textContent).toBe('authenticated')
    expect(screen.getByTestId('sub').textContent).toBe('u_alice')
    expect(renders.status).toBe(3)
    expect(renders.sub).toBe(2)

    // A refresh: new token, new claims object, same subject → the subject view does not re-render.
    let refreshed!: Promise<unknown>
    act(() => {
      refreshed = auth.refresh()
    })
    expect(screen.getByTestId('status').textContent).toBe('refreshing')
    await backend.answer('refresh', tokensFor('u_alice'))
    await act(async () => {
      await refreshed
    })
    expect(screen.getByTestId('status').textContent).toBe('authenticated')
    expect(renders.status).toBe(5)
    expect(renders.sub).toBe(2)
  })

  it('RequireAuth: fallback while authenticating, children when signed in (also while refreshing), anonymous content and onAnonymous when signed out', async () => {
    const backend = controlledProtocol()
    const auth = client(backend.protocol)
    const onAnonymous = vi.fn()
    render(
      <AuthProvider client={auth}>
        <RequireAuth fallback={<p>checking…</p>} anonymous={<p>please sign in</p>} onAnonymous={onAnonymous}>
          <p>secret dashboard</p>
        </RequireAuth>
      </AuthProvider>,
    )
    expect(screen.getByText('please sign in')).toBeTruthy()
    expect(screen.queryByText('secret dashboard')).toBeNull()
    expect(onAnonymous).toHaveBeenCalledTimes(1)

    let signedIn!: Promise<unknown>
    await act(async () => {
      signedIn = auth.login({ username: 'alice', password: 'x' })
      await Promise.resolve()
    })
    expect(screen.getByText('checking…')).toBeTruthy()
    expect(screen.queryByText('please sign in')).toBeNull()
    expect(screen.queryByText('secret dashboard')).toBeNull()

    await backend.answer('login', tokensFor('u_alice'))
    await act(async () => {
      await signedIn
    })
    expect(screen.getByText('secret dashboard')).toBeTruthy()
    expect(screen.queryByText('checking…')).toBeNull()

    let refreshed!: Promise<unknown>
    act(() => {
      refreshed = auth.refresh()
    })
    expect(auth.getState().status).toBe('refreshing')
    expect(screen.getByText('secret dashboard')).toBeTruthy()
    await backend.answer('refresh', tokensFor('u_alice'))
    await act(async () => {
      await refreshed
    })

    expect(onAnonymous).toHaveBeenCalledTimes(1)
    await act(async () => {
      await auth.logout()
    })
    expect(screen.getByText('please sign in')).toBeTruthy()
    expect(screen.queryByText('secret dashboard')).toBeNull()
    expect(onAnonymous).toHaveBeenCalledTimes(2)
  })

  it('RequireAuth shows the fallback during the page-load restore, then the anonymous content', async () => {
    const backend = controlledProtocol()
    const auth = client(backend.protocol, true)
    expect(auth.getState().status).toBe('authenticating')
    const onAnonymous = vi.fn()
    render(
      <AuthProvider client={auth}>
        <RequireAuth fallback={<p>checking…</p>} anonymous={<p>please sign in</p>} onAnonymous={onAnonymous}>
          <p>secret dashboard</p>
        </RequireAuth>
      </AuthProvider>,
    )
    expect(screen.getByText('checking…')).toBeTruthy()
    expect(onAnonymous).not.toHaveBeenCalled()
    await act(async () => {
      await auth.ready
    })
    expect(screen.getByText('please sign in')).toBeTruthy()
    expect(onAnonymous).toHaveBeenCalledTimes(1)
  })

  it('RequireAuth renders nothing by default for the fallback and anonymous cases', () => {
    const auth = client(controlledProtocol().protocol)
    const { container } = render(
      <AuthProvider client={auth}>
        <RequireAuth>
          <p>secret dashboard</p>
        </RequireAuth>
      </AuthProvider>,
    )
    expect(container.innerHTML).toBe('')
  })

  it('useAuth returns the provided client: a button can sign in through it', async () => {
    const backend = controlledProtocol()
    const auth = client(backend.protocol)
    function SignIn() {
      const client = useAuth()
      const seen = useRef(client)
      expect(seen.current).toBe(auth)
      const sub = useAuthState((state) => state.user?.sub)
      return <button onClick={() => void client.login({ username: 'bob', password: 'x' })}>{sub ?? 'sign in'}</button>
    }
    render(
      <AuthProvider client={auth}>
        <SignIn />
      </AuthProvider>,
    )
    fireEvent.click(screen.getByText('sign in'))
    await act(async () => {
      await auth.ready
      await Promise.resolve()
    })
    await backend.answer('login', tokensFor('u_bob'))
    await act(async () => {
      await Promise.resolve()
    })
    expect(screen.getByRole('button').textContent).toBe('u_bob')
  })

  it('useAuth outside an AuthProvider throws a clear error', () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined)
    function Orphan() {
      useAuth()
      return null
    }
    expect(() => render(<Orphan />)).toThrow('useAuth() needs an <AuthProvider client={...}> above it')
    function OrphanState() {
      useAuthState((state) => state.status)
      return null
    }
    expect(() => render(<OrphanState />)).toThrow(/AuthProvider/)
  })
})
