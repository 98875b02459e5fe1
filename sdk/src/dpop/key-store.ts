import { openRecords } from '../storage/indexed-db.ts'

/** ES256 (RFC 7518 §3.4): ECDSA on P-256 with SHA-256. */
export const ES256 = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }

const isKeyPair = (value: unknown): value is CryptoKeyPair =>
  value !== null && typeof value === 'object' && (value as CryptoKeyPair).privateKey instanceof CryptoKey && (value as CryptoKeyPair).publicKey instanceof CryptoKey

/**
 * This client's DPoP key pair, the same in every tab of the origin and across reloads. The private
 * key is made non-extractable (D1): IndexedDB keeps the `CryptoKey` itself (a structured clone),
 * never key material a script could read. Two tabs starting together end with one key: the read
 * and the write of a new pair are one readwrite transaction, and IndexedDB runs those one at a
 * time, so the second tab finds the first tab's pair and drops its own (D9).
 * Where IndexedDB cannot be used (Node, some private modes), the pair lives in this page only:
 * `inMemory` is told why, and a reload makes a new key, which the server has bound no token to.
 */
export async function loadKeyPair(id: string, inMemory: (reason: string) => void): Promise<CryptoKeyPair> {
  const fresh = (await crypto.subtle.generateKey(ES256, false, ['sign', 'verify'])) as CryptoKeyPair
  let database: IDBDatabase | undefined
  try {
    database = await openRecords()
    const transaction = database.transaction('records', 'readwrite')
    const records = transaction.objectStore('records')
    let pair = fresh
    const lookup = records.get(id)
    lookup.onsuccess = () => {
      if (isKeyPair(lookup.result)) pair = lookup.result
      else records.put(fresh, id)
    }
    await new Promise((resolve, reject) => {
      transaction.oncomplete = resolve
      transaction.onerror = transaction.onabort = () => reject(transaction.error)
    })
    return pair
  } catch (error) {
    inMemory(`IndexedDB unavailable (${(error as Error)?.name ?? 'error'}): the DPoP key lives in this page only`)
    return fresh
  } finally {
    database?.close()
  }
}
