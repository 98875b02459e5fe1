import type { Dpop } from '@authlens/sdk/dpop'
import { ecThumbprint } from '../../lib/jwk-thumbprint.ts'
import { storedKeyPairs } from '../../lib/page-secrets.ts'

/** The DPoP key as the SDK names it, and as a script of this page finds it in IndexedDB. */
export interface KeyFacts {
  /** The SDK's `thumbprint()`: the key it signs proofs with. */
  thumbprint: string
  /** The stored pair with that thumbprint, or `null` when none is stored (a key kept in memory). */
  stored: { extractable: boolean; exportRefused: string | null } | null
}

/** Why WebCrypto refused to export the key (its error's name), or `null` if it handed the material out. */
async function exportRefusal(privateKey: CryptoKey): Promise<string | null> {
  try {
    await crypto.subtle.exportKey('pkcs8', privateKey)
    return null
  } catch (error) {
    return error instanceof Error ? error.name : String(error)
  }
}

/**
 * Asks WebCrypto itself rather than trusting the SDK's word: the pair is found the way an injected
 * script would find it, matched by thumbprint (a public key is always exportable), then its
 * private half is asked for its material.
 */
export async function inspectKey(dpop: Dpop): Promise<KeyFacts> {
  const thumbprint = await dpop.thumbprint()
  for (const pair of await storedKeyPairs()) {
    if ((await ecThumbprint(pair.publicKey)) !== thumbprint) continue
    return { thumbprint, stored: { extractable: pair.privateKey.extractable, exportRefused: await exportRefusal(pair.privateKey) } }
  }
  return { thumbprint, stored: null }
}
