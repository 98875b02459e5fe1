import type { Clock } from './clock.ts'
import { base64url, safeEqual } from './random.ts'

export interface DpopNonceOptions {
  clock: Clock
  /** A new nonce every this many seconds; the previous one stays accepted for as long again. */
  rotationSeconds: number
  /**
   * Instances given the same secret (the HS256 secret they share) issue and accept the same nonces;
   * without one, each backend draws its own key.
   */
  secret?: Uint8Array
}

const encoder = new TextEncoder()

/**
 * RFC 9449 §8, §9 server nonces, kept nowhere: a nonce is a MAC of the current time slot, so any
 * instance holding the key can tell a fresh one without a store round trip, and none outlives two
 * slots. Nobody without the key can predict the next one.
 */
export class DpopNonces {
  private readonly key: Promise<CryptoKey>

  constructor(private readonly options: DpopNonceOptions) {
    this.key = nonceKey(options.secret)
  }

  current(): Promise<string> {
    return this.forSlot(this.slot())
  }

  async accepts(nonce: string): Promise<boolean> {
    const slot = this.slot()
    const [now, previous] = await Promise.all([this.forSlot(slot), this.forSlot(slot - 1)])
    return safeEqual(nonce, now) || safeEqual(nonce, previous)
  }

  private slot(): number {
    return Math.floor(this.options.clock.now() / (this.options.rotationSeconds * 1000))
  }

  private async forSlot(slot: number): Promise<string> {
    const mac = await crypto.subtle.sign('HMAC', await this.key, encoder.encode(`dpop nonce ${slot}`))
    return base64url(new Uint8Array(mac).slice(0, 16))
  }
}

/** HKDF gives the nonces their own key: the shared secret itself only ever signs tokens. */
async function nonceKey(secret: Uint8Array | undefined): Promise<CryptoKey> {
  const hmac = { name: 'HMAC', hash: 'SHA-256', length: 256 }
  if (secret === undefined) return crypto.subtle.generateKey(hmac, false, ['sign'])
  const base = await crypto.subtle.importKey('raw', secret as BufferSource, 'HKDF', false, ['deriveKey'])
  return crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: encoder.encode('authlens dpop nonce') },
    base,
    hmac,
    false,
    ['sign'],
  )
}
