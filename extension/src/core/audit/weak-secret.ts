import { decodeBase64Url } from '../base64url.ts'
import { finding, type Finding, type RuleContext } from './types.ts'
import { describeToken, jwsTokens } from './token-facts.ts'

/**
 * J2: an HS* token whose signature verifies with a well-known secret: anyone can mint tokens the
 * server accepts (RFC 8725 §3.5). Checked offline with WebCrypto HMAC verify; the token never
 * leaves the machine. The list holds defaults from tutorials, frameworks and generators.
 */

export const WEAK_SECRETS: readonly string[] = [
  'secret', 'Secret', 'SECRET', 'secretkey', 'secret_key', 'secret-key', 'secretKey', 'mysecret', 'my_secret', 'mysecretkey', 'supersecret', 'supersecretkey',
  'your-256-bit-secret', 'your-384-bit-secret', 'your-512-bit-secret', 'your_jwt_secret', 'your-secret', 'yoursecret', 'jwt_secret', 'jwtsecret', 'jwt-secret', 'JWT_SECRET',
  'changeme', 'changeit', 'change_me', 'password', 'Password', 'password123', '123456', '12345678', 'qwerty', 'admin', 'test', 'testing', 'dev', 'development',
  'default', 'key', 'private', 'shhhhh', 'shhhhhhared-secret', 'keyboard cat', 's3cr3t', 'secret123', 'token', 'jwt', 'hello', 'letmein', 'example', 'sample',
]

/** Keys published in specifications (JWK `k`, base64url): copied into real code more often than one hopes. */
export const PUBLISHED_HMAC_KEYS: ReadonlyArray<{ label: string; k: string }> = [
  { label: 'the RFC 7515 Appendix A.1 example key', k: 'AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow' },
]

const HASHES: Readonly<Record<string, string>> = { HS256: 'SHA-256', HS384: 'SHA-384', HS512: 'SHA-512' }
const encoder = new TextEncoder()

interface Candidate {
  label: string
  key: Uint8Array
}

function candidates(secrets: readonly string[]): Candidate[] {
  return [
    ...secrets.filter((s) => s.length > 0).map((s) => ({ label: JSON.stringify(s), key: encoder.encode(s) })),
    ...PUBLISHED_HMAC_KEYS.map(({ label, k }) => ({ label, key: decodeBase64Url(k) })),
  ]
}

/** Describes the weak secret the token verifies with (`"secret"`, or a published key), or null. Never throws. */
export async function findWeakSecret(token: string, secrets: readonly string[] = WEAK_SECRETS): Promise<string | null> {
  const [headerPart = '', payloadPart = '', signaturePart = ''] = token.split('.')
  let hash: string | undefined
  let signature: Uint8Array
  try {
    const header: unknown = JSON.parse(new TextDecoder().decode(decodeBase64Url(headerPart)))
    const alg = typeof header === 'object' && header !== null ? (header as Record<string, unknown>)['alg'] : undefined
    hash = typeof alg === 'string' ? HASHES[alg] : undefined
    signature = decodeBase64Url(signaturePart)
  } catch {
    return null
  }
  if (!hash || signature.length === 0) return null
  const data = encoder.encode(`${headerPart}.${payloadPart}`)
  for (const candidate of candidates(secrets)) {
    try {
      const key = await crypto.subtle.importKey('raw', candidate.key as BufferSource, { name: 'HMAC', hash }, false, ['verify'])
      if (await crypto.subtle.verify('HMAC', key, signature as BufferSource, data)) return candidate.label
    } catch {
      return null
    }
  }
  return null
}

/** `cache` (token id → secret or null) spares re-checking tokens on every audit run. */
export async function weakSecretRule(ctx: RuleContext, cache?: Map<string, string | null>): Promise<Finding[]> {
  const findings: Finding[] = []
  const secrets = [...WEAK_SECRETS, ...ctx.options.extraWeakSecrets]
  for (const { token, header, signature } of jwsTokens(ctx.tokens)) {
    if (typeof header['alg'] !== 'string' || !HASHES[header['alg']] || signature === '') continue
    let secret = cache?.get(token.id)
    if (secret === undefined) {
      secret = await findWeakSecret(token.value, secrets)
      cache?.set(token.id, secret)
    }
    if (secret !== null) {
      findings.push(finding('J2', token.id, {
        detail: `The ${header['alg']} signature verifies with the well-known secret ${secret}: anyone can forge tokens this server accepts. Use 256+ random bits (RFC 8725 §3.5), or an asymmetric algorithm.`,
        evidence: { text: describeToken(token), tokenId: token.id },
      }))
    }
  }
  return findings
}
