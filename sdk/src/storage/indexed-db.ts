/** An IndexedDB request as a promise. */
export const settled = <T>(request: IDBRequest<T>) =>
  new Promise<T>((resolve, reject) => {
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })

/**
 * The SDK's database: one object store, `records`, keyed by client (the cross-tab record under the
 * client's key, its DPoP key pair beside it). Consistent across the tabs of an origin, unlike
 * localStorage (TOOLCHAIN.md, "Cross-tab refresh in Chromium").
 */
export const openRecords = (): Promise<IDBDatabase> => {
  const request = indexedDB.open('authlens', 1)
  request.onupgradeneeded = () => request.result.createObjectStore('records')
  return settled(request)
}
