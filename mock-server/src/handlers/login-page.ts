import { randomToken } from '../domain/random.ts'

/** Everything the provider puts into a page goes through this: names, messages, hidden values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}

export interface RenderedPage {
  body: string
  headers: Record<string, string>
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:22rem;margin:4rem auto;padding:0 1rem;color:#1a1a1a}
h1{font-size:1.4rem}label{display:block;margin-top:1rem;font-weight:600}
input{display:block;width:100%;box-sizing:border-box;padding:.5rem;margin-top:.25rem;font:inherit}
button{margin-top:1.5rem;padding:.6rem 1.2rem;font:inherit}p[role=alert]{color:#a00000;font-weight:600}`

/**
 * A whole page with a strict policy: no scripts at all, the one inline style allowed by nonce, no
 * framing (clickjacking a login form), and forms that may post only here. `formTargets` are the
 * origins a form's answer may redirect to, as Chromium applies `form-action` to redirects too.
 */
function page(title: string, content: string, formTargets: string[] = []): RenderedPage {
  const nonce = randomToken(16)
  return {
    body: `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style nonce="${nonce}">${STYLE}</style></head>
<body><main>${content}</main></body></html>`,
    headers: {
      'Content-Security-Policy': [
        "default-src 'none'",
        `style-src 'nonce-${nonce}'`,
        `form-action 'self'${formTargets.map((origin) => ` ${origin}`).join('')}`,
        "frame-ancestors 'none'",
        "base-uri 'none'",
      ].join('; '),
      'X-Frame-Options': 'DENY',
      // Not `no-referrer`: with it, browsers send `Origin: null` with the form's own POST (Fetch,
      // "serialize a request origin"), and the login CSRF check refuses every real sign-in.
      // `same-origin` still keeps the page's URL, the authorization request, from other origins.
      'Referrer-Policy': 'same-origin',
    },
  }
}

export interface LoginPageInput {
  clientName: string
  /** Where the form posts. */
  action: string
  /** The authorization request, carried through the form and checked again on the way back. */
  request: string
  csrfToken: string
  /** Origin of the client's redirect URI, where a successful sign-in sends the browser. */
  returnOrigin: string
  username?: string
  error?: string
}

/** The provider's sign-in form: labelled fields, the client named, errors announced to screen readers. */
export function loginPage(input: LoginPageInput): RenderedPage {
  const error = input.error ? `<p role="alert">${escapeHtml(input.error)}</p>` : ''
  return page(
    'Sign in',
    `<h1>Sign in</h1>
<p>to continue to <strong>${escapeHtml(input.clientName)}</strong></p>
${error}<form method="post" action="${escapeHtml(input.action)}">
<input type="hidden" name="request" value="${escapeHtml(input.request)}">
<input type="hidden" name="csrf" value="${escapeHtml(input.csrfToken)}">
<label for="username">Username</label>
<input id="username" name="username" autocomplete="username" required value="${escapeHtml(input.username ?? '')}"${input.username ? '' : ' autofocus'}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${input.username ? ' autofocus' : ''}>
<button type="submit">Sign in</button>
</form>`,
    [input.returnOrigin],
  )
}

/** A page that ends a flow at the provider: an error with nowhere safe to go back to, or a goodbye. */
export function messagePage(title: string, message: string): RenderedPage {
  return page(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>`)
}
