/**
 * Message ids for the extension protocol (`[A-Za-z0-9_.:-]{1,100}`, see protocol/fields.ts). Unique
 * per context and sortable enough to read in a log; not secret and not a nonce.
 */
export function createIdSource(prefix: string): () => string {
  const start = Date.now().toString(36)
  let counter = 0
  return () => `${prefix}-${start}-${(counter++).toString(36)}`
}
