import { readLoot, secretsIn, type Secret } from '../../../lib/page-secrets.ts'
import { bytes, labClient, withClient, type LabMode } from '../kit.ts'
import type { Experiment, Measurement } from '../types.ts'

const MODES: LabMode[] = ['session', 'memory', 'localStorage', 'sessionStorage', 'cookie']

/** The secrets among everything an injected script could dump. */
async function dump(): Promise<Secret[]> {
  return secretsIn(await readLoot())
}

/** Secrets readable while signed in in `mode` that were not readable before (the live demo's are not counted). */
async function readableIn(mode: LabMode): Promise<Secret[]> {
  const before = new Set((await dump()).map((secret) => secret.value))
  // Memory mode as the demo runs it: the refresh token in the server's HttpOnly cookie.
  const client = mode === 'memory' ? labClient(mode, { refreshTokenTransport: 'cookie' }) : labClient(mode)
  return withClient(client, async () => (await dump()).filter((secret) => !before.has(secret.value)))
}

export const storageSecurity: Experiment = {
  id: 'storage',
  title: 'Storage security',
  claim: 'Tokens in the browser are exposed to XSS; an HttpOnly session cookie is not.',
  async run() {
    const found: Record<string, Secret[]> = {}
    for (const mode of MODES) found[mode] = await readableIn(mode)
    const measured: Measurement[] = MODES.map((mode) => ({
      label: `${mode}: credential bytes a script can read`,
      value: (found[mode] ?? []).reduce((sum, secret) => sum + bytes(secret.value), 0),
      unit: 'bytes',
      chart: true,
    }))
    const leaky = MODES.filter((mode) => (found[mode] ?? []).length > 0)
    const kinds = (mode: LabMode) => [...new Set((found[mode] ?? []).map((secret) => `${secret.kind} in ${secret.where}`))].join(', ')
    const sessionSafe = !leaky.includes('session')
    const memorySafe = !leaky.includes('memory')
    return {
      id: 'storage',
      claim: storageSecurity.claim,
      modes: MODES,
      measured,
      verdict: sessionSafe && memorySafe && leaky.length > 0 ? 'depends' : sessionSafe && leaky.length > 0 ? 'agrees' : 'disagrees',
      why: `A script read credentials in ${leaky.join(', ') || 'no mode'} (${leaky.map((mode) => `${mode}: ${kinds(mode)}`).join('; ')}). Session: only XSRF-TOKEN is readable, useless without the HttpOnly id. JWT in memory with the refresh token in an HttpOnly cookie: nothing to carry away. So it depends on where the JWT is kept, not on JWT versus session; and any XSS can still make requests as the user while the page is open.`,
    }
  },
}
