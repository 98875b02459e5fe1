import './style.css'

if (import.meta.env.MODE === 'worker') {
  const { startBrowserMock } = await import('@authlens/mock-server/browser')
  await startBrowserMock()
}

/**
 * A first, framework-free page over the mock backend: sign in with a session cookie or a JWT and
 * see what the browser (and so any script on the page) can read. The full demo replaces it.
 */
const app = document.querySelector<HTMLElement>('#app')!
app.innerHTML = `
  <h1>AuthLens demo</h1>
  <p class="lede">The mock auth backend runs on this origin. Sign in as <code>alice</code> / <code>wonderland</code>.</p>
  ${
    import.meta.env.MODE === 'worker'
      ? `<p class="warning" role="note">The backend runs in a service worker here, so its cookies are written by
         script: nothing can be <code>HttpOnly</code>, and a session id is as readable as any token.
         Run <code>npm start</code> for real cookies.</p>`
      : ''
  }
  <form id="sign-in" aria-label="Sign in">
    <label>Username <input name="username" autocomplete="username" value="alice" /></label>
    <label>Password <input name="password" type="password" autocomplete="current-password" value="wonderland" /></label>
    <fieldset>
      <legend>Mode</legend>
      <label><input type="radio" name="mode" value="session" checked /> Session cookie</label>
      <label><input type="radio" name="mode" value="jwt" /> JWT in memory</label>
    </fieldset>
    <button type="submit">Sign in</button>
    <button type="button" id="sign-out">Sign out</button>
  </form>
  <section aria-label="Status">
    <h2>Status</h2>
    <p id="status" role="status">Signed out</p>
    <h2>What a script on this page can read</h2>
    <pre id="readable" aria-label="document.cookie"></pre>
  </section>
`

const status = app.querySelector<HTMLElement>('#status')!
const readable = app.querySelector<HTMLElement>('#readable')!
let accessToken: string | undefined
let mode: 'session' | 'jwt' = 'session'

function cookieHeader(): Record<string, string> {
  const match = /(?:^|;\s*)XSRF-TOKEN=([^;]*)/.exec(document.cookie)
  return match?.[1] ? { 'X-XSRF-TOKEN': decodeURIComponent(match[1]) } : {}
}

async function api(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers)
  if (mode === 'jwt' && accessToken) headers.set('Authorization', `Bearer ${accessToken}`)
  if (mode === 'session') for (const [name, value] of Object.entries(cookieHeader())) headers.set(name, value)
  return fetch(path, { ...init, headers, credentials: 'same-origin' })
}

async function render(): Promise<void> {
  readable.textContent = `document.cookie = ${JSON.stringify(document.cookie)}\naccess token in memory: ${accessToken ? 'yes' : 'no'}`
  const me = await api('/api/me')
  if (me.ok) {
    const { user, via } = (await me.json()) as { user: { name: string }; via: string }
    status.textContent = `Signed in as ${user.name} (${via === 'session' ? 'session cookie' : 'bearer JWT'})`
  } else {
    const { error } = (await me.json()) as { error: string }
    status.textContent = `Signed out (${error})`
  }
}

app.querySelector<HTMLFormElement>('#sign-in')!.addEventListener('submit', async (event) => {
  event.preventDefault()
  const form = new FormData(event.currentTarget as HTMLFormElement)
  mode = form.get('mode') === 'jwt' ? 'jwt' : 'session'
  const credentials = { username: form.get('username'), password: form.get('password'), refreshTokenTransport: 'cookie' }
  const response = await fetch(mode === 'jwt' ? '/api/auth/login' : '/api/session/login', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(credentials),
  })
  const body = (await response.json()) as { accessToken?: string; error_description?: string }
  if (!response.ok) {
    status.textContent = `Sign-in failed: ${body.error_description ?? response.status}`
    return
  }
  accessToken = body.accessToken
  await render()
})

app.querySelector<HTMLButtonElement>('#sign-out')!.addEventListener('click', async () => {
  await api(mode === 'jwt' ? '/api/auth/logout' : '/api/session/logout', { method: 'POST' })
  accessToken = undefined
  await render()
})

void render()
