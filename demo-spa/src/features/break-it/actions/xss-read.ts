import { readLoot, secretsIn, type Secret } from '../../../lib/page-secrets.ts'
import { isBff, isSession, type BreakAction } from '../types.ts'
import type { DemoMode } from '../../../modes.ts'

/** What the result says when no credential turned up, per mode. */
function nothingFound(mode: DemoMode): string {
  if (isBff(mode)) {
    return 'No token to take: the BFF keeps the access and refresh token on the server, and the session id is HttpOnly. BFF-XSRF-TOKEN is readable on purpose (double submit). The script can still call the API through the BFF’s proxy while this page is open, but it carries nothing away.'
  }
  if (isSession(mode)) {
    return 'No credential to take: the session id is HttpOnly, so it is not in document.cookie. XSRF-TOKEN is readable on purpose (double submit) and useless without the session cookie.'
  }
  const key = mode.dpop ? ' The DPoP private key is in IndexedDB as a CryptoKey the script can use to sign while the page is open, but not read: it shows up below as its description, with no key material.' : ''
  return `No token in any storage a script can list: the access token is a variable inside the SDK and the refresh token an HttpOnly cookie.${key} The script can still act as you while this page is open (through the app’s own requests), but it cannot carry a credential away for later.`
}

/** A CryptoKey as JSON shows it: what WebCrypto tells a script, never the key material (which JSON would show as `{}`). */
const describeKeys = (_name: string, value: unknown): unknown =>
  value instanceof CryptoKey ? { CryptoKey: { type: value.type, extractable: value.extractable, algorithm: value.algorithm, usages: value.usages } } : value

const describe = (secrets: Secret[]): string =>
  [...new Set(secrets.map((secret) => `${secret.kind} (from ${secret.where})`))].join(', ')

export const xssRead: BreakAction = {
  id: 'xss-read',
  title: 'Simulate an XSS read of storage',
  explain:
    'Does what an injected script would: reads document.cookie, localStorage, sessionStorage and every IndexedDB database of this origin, and shows exactly what it could send away. HttpOnly cookies never show up: no script can read them.',
  button: 'Run the XSS read',
  unavailable: () => null,
  async run({ mode }) {
    const loot = await readLoot()
    const secrets = secretsIn(loot)
    const evidence = JSON.stringify(loot, describeKeys, 2)
    const steps = [`A script could send these ${evidence.length} bytes to any server it likes (below).`]
    if (secrets.length === 0) return { tone: 'ok', summary: nothingFound(mode), steps, evidence }
    const refresh = secrets.some((secret) => secret.kind === 'refresh token')
    return {
      tone: 'bad',
      summary: `Exfiltrated: ${describe(secrets)}.${refresh ? ' With the refresh token the attacker can mint new access tokens long after this page is closed, until the family is revoked or reuse is detected.' : ''}`,
      steps,
      evidence,
    }
  },
}
