import { looksLikeJwt } from './jwt.ts'

export type Pairs = Array<[name: string, value: string]>

/** Everything synchronous a script on this page can read. */
export interface Readable {
  cookies: Pairs
  localStorage: Pairs
  sessionStorage: Pairs
}

export type StorageArea = 'localStorage' | 'sessionStorage' | 'cookie'

function cookiePairs(): Pairs {
  if (!document.cookie) return []
  return document.cookie.split('; ').map((pair) => {
    const index = pair.indexOf('=')
    return [decodeURIComponent(pair.slice(0, index)), decodeURIComponent(pair.slice(index + 1))]
  })
}

function storagePairs(area: 'localStorage' | 'sessionStorage'): Pairs {
  try {
    const storage = window[area]
    return Array.from({ length: storage.length }, (_, index) => {
      const key = storage.key(index) ?? ''
      return [key, storage.getItem(key) ?? ''] as [string, string]
    })
  } catch {
    // Storage disabled: nothing to read, for a script either.
    return []
  }
}

export const readPage = (): Readable => ({ cookies: cookiePairs(), localStorage: storagePairs('localStorage'), sessionStorage: storagePairs('sessionStorage') })

function request<T>(run: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    run.onsuccess = () => resolve(run.result)
    run.onerror = () => reject(run.error)
  })
}

/**
 * Every IndexedDB record of this origin, the way an injected script would dump it. Only databases
 * that `indexedDB.databases()` lists are opened: opening a missing name would create an empty one,
 * and a library that later opens it at that version would find no object stores.
 */
async function readIndexedDb(): Promise<Record<string, Record<string, Record<string, unknown>>>> {
  const dump: Record<string, Record<string, Record<string, unknown>>> = {}
  const databases = typeof indexedDB.databases === 'function' ? await indexedDB.databases() : []
  for (const { name } of databases) {
    if (!name) continue
    const db = await request(indexedDB.open(name))
    try {
      const stores: Record<string, Record<string, unknown>> = {}
      for (const storeName of Array.from(db.objectStoreNames)) {
        const store = db.transaction(storeName, 'readonly').objectStore(storeName)
        const [keys, values] = await Promise.all([request(store.getAllKeys()), request(store.getAll())])
        stores[storeName] = Object.fromEntries(keys.map((key, index) => [String(key), values[index] as unknown]))
      }
      dump[name] = stores
    } finally {
      db.close()
    }
  }
  return dump
}

/**
 * What an injected script could send away: document.cookie (decoded, as an attacker would: the
 * SDK URL-encodes the JSON it writes there), both storages and every IndexedDB record.
 */
export async function readLoot(): Promise<Record<string, unknown>> {
  const page = readPage()
  return {
    'document.cookie': Object.fromEntries(page.cookies),
    localStorage: Object.fromEntries(page.localStorage),
    sessionStorage: Object.fromEntries(page.sessionStorage),
    indexedDB: await readIndexedDb(),
  }
}

export interface Secret {
  kind: 'access token' | 'refresh token'
  where: string
  value: string
}

/**
 * Credentials inside any readable value: JWT-shaped strings, and `refreshToken` fields, also
 * inside JSON kept as a string (which is how token libraries store them).
 */
export function findSecrets(where: string, value: unknown, found: Secret[] = []): Secret[] {
  if (typeof value === 'string') {
    if (looksLikeJwt(value)) found.push({ kind: 'access token', where, value })
    else if (/^[[{]/.test(value.trim())) {
      try {
        findSecrets(where, JSON.parse(value) as unknown, found)
      } catch {
        // Not JSON after all.
      }
    }
  } else if (Array.isArray(value)) {
    value.forEach((item) => findSecrets(where, item, found))
  } else if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (/refresh.?token/i.test(key) && typeof item === 'string') found.push({ kind: 'refresh token', where, value: item })
      else findSecrets(where, item, found)
    }
  }
  return found
}

/** Every credential among what `readLoot` found: what the XSS read of the demo and the lab carries away. */
export const secretsIn = (loot: Record<string, unknown>): Secret[] => Object.entries(loot).flatMap(([where, value]) => findSecrets(where, value))

const isKeyPair = (value: unknown): value is CryptoKeyPair =>
  typeof value === 'object' && value !== null && (value as CryptoKeyPair).privateKey instanceof CryptoKey && (value as CryptoKeyPair).publicKey instanceof CryptoKey

/**
 * The key pairs kept in this origin's IndexedDB (a DPoP key), as a script finds them: `CryptoKey`
 * objects it can use, whose material WebCrypto alone decides whether to hand out.
 */
export async function storedKeyPairs(): Promise<CryptoKeyPair[]> {
  const databases = await readIndexedDb()
  return Object.values(databases).flatMap((stores) => Object.values(stores).flatMap((records) => Object.values(records).filter(isKeyPair)))
}

/** The refresh token a script can copy from `area`, if any: what an attacker would replay. */
export function stealRefreshToken(area: StorageArea): string | null {
  const page = readPage()
  const pairs = area === 'cookie' ? page.cookies : page[area]
  for (const [name, value] of pairs) {
    const secret = findSecrets(name, value).find((item) => item.kind === 'refresh token')
    if (secret) return secret.value
  }
  return null
}
