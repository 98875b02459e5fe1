import { nameWords } from './auth-names.ts'

/**
 * Which claims carry personal data or secrets. A JWS is only base64url-encoded: anyone holding it
 * reads its claims (OWASP JWT cheat sheet, "Token information disclosure"). Used by rule J10 and by
 * the redacted export, which masks exactly these.
 */

export type ClaimClass = 'personal' | 'secret'

/** OpenID Connect Core §5.1 standard claims that identify a person, plus common custom names. */
const PERSONAL_WORDS = new Set([
  'email', 'mail', 'phone', 'mobile', 'address', 'street', 'postal', 'zip', 'birthdate', 'birthday', 'dob', 'gender',
  'name', 'nickname', 'username', 'upn', 'picture', 'photo', 'ssn', 'passport', 'ip', 'ipaddr', 'location', 'geo',
])
const PERSONAL_EXACT = new Set(['given_name', 'family_name', 'middle_name', 'preferred_username', 'unique_name', 'firstname', 'lastname', 'fullname'])
const SECRET_WORDS = new Set(['password', 'passwd', 'pwd', 'secret', 'apikey', 'privatekey', 'cvv', 'pin', 'creditcard', 'cardnumber', 'iban'])
/** Flags and metadata about personal data, not the data: `email_verified`, `phone_number_verified`. */
const METADATA_WORDS = new Set(['verified', 'type', 'updated', 'at'])

export function classifyClaim(name: string): ClaimClass | null {
  const words = nameWords(name)
  const joined = words.join('')
  if (SECRET_WORDS.has(joined) || words.some((w) => SECRET_WORDS.has(w)) || /api_?key|private_?key|client_?secret|credit_?card|card_?number/i.test(name)) {
    return 'secret'
  }
  if (words.some((w) => METADATA_WORDS.has(w))) return null
  if (PERSONAL_EXACT.has(name.toLowerCase()) || PERSONAL_EXACT.has(joined) || words.some((w) => PERSONAL_WORDS.has(w))) return 'personal'
  return null
}

/** Top-level claim names classified as personal or secret, in claim order. */
export function sensitiveClaims(claims: Record<string, unknown>): Array<{ name: string; class: ClaimClass }> {
  const found: Array<{ name: string; class: ClaimClass }> = []
  for (const name of Object.keys(claims)) {
    const kind = classifyClaim(name)
    if (kind) found.push({ name, class: kind })
  }
  return found
}
