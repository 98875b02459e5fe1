import type { Dpop } from '@authlens/sdk/dpop'
import { useEffect, useState } from 'react'
import { inspectKey, type KeyFacts } from './key-facts.ts'

/** The stored private key as WebCrypto describes it. */
function describeStored(stored: KeyFacts['stored']): string {
  if (!stored) return 'not in IndexedDB: kept in this page’s memory only'
  const refusal = stored.exportRefused ? `exportKey('pkcs8') refused (${stored.exportRefused})` : `exportKey('pkcs8') handed out the key material`
  return `CryptoKey, extractable: ${String(stored.extractable)}; ${refusal}`
}

/**
 * What ties the access token to this browser (RFC 9449 §6): the thumbprint the token carries, the
 * key the SDK signs with, and that key's private half, which a script can use but never read.
 */
export function KeyBinding({ jkt, dpop }: { jkt: unknown; dpop: Dpop }) {
  const [facts, setFacts] = useState<KeyFacts | null>(null)

  useEffect(() => {
    let current = true
    inspectKey(dpop).then(
      (found) => current && setFacts(found),
      () => current && setFacts(null),
    )
    return () => {
      current = false
    }
  }, [dpop, jkt])

  const bound = typeof jkt === 'string' && facts?.thumbprint === jkt
  return (
    <div className="key-binding">
      <h4>
        Bound to this browser’s key (DPoP){' '}
        {facts && <span className={bound ? 'badge ok' : 'badge bad'}>{bound ? 'same key' : 'not this key'}</span>}
      </h4>
      <dl className="claims" aria-label="DPoP key binding">
        <div>
          <dt>token cnf.jkt</dt>
          <dd>{typeof jkt === 'string' ? jkt : 'none: the token is not bound'}</dd>
        </div>
        <div>
          <dt>key thumbprint</dt>
          <dd>{facts?.thumbprint ?? '…'}</dd>
        </div>
        <div>
          <dt>private key</dt>
          <dd>{facts ? describeStored(facts.stored) : '…'}</dd>
        </div>
      </dl>
    </div>
  )
}
