import { useAuth, useAuthState } from '@authlens/sdk/react'
import { useState, type FormEvent } from 'react'
import { DEMO_USERS } from './demo-users.ts'
import { signInError } from './sign-in-error.ts'

/**
 * Shown while signed out and while signing in (so what was typed, and an error, survive the
 * `authenticating` state in between).
 */
export function SignInForm() {
  const auth = useAuth()
  const status = useAuthState((state) => state.status)
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      await auth.login({ username, password })
    } catch (failure) {
      setError(signInError(failure))
    } finally {
      setBusy(false)
    }
  }

  return (
    <section className="panel sign-in" aria-labelledby="sign-in-heading">
      <h2 id="sign-in-heading">Sign in</h2>
      <form onSubmit={submit}>
        <label>
          Username
          <input name="username" autoComplete="username" value={username} onChange={(event) => setUsername(event.target.value)} required />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
            required
          />
        </label>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {status === 'authenticating' && !busy && <p className="muted">Checking whether you are already signed in…</p>}
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
      </form>
      <div className="demo-users">
        <h3>Demo users</h3>
        <table>
          <thead>
            <tr>
              <th scope="col">Username</th>
              <th scope="col">Password</th>
              <th scope="col">Role</th>
              <th scope="col">
                <span className="visually-hidden">Fill in</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {DEMO_USERS.map((user) => (
              <tr key={user.username}>
                <td>
                  <code>{user.username}</code>
                </td>
                <td>
                  <code>{user.password}</code>
                </td>
                <td>{user.role}</td>
                <td>
                  <button
                    type="button"
                    className="link"
                    onClick={() => {
                      setUsername(user.username)
                      setPassword(user.password)
                    }}
                  >
                    Use {user.username}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  )
}
