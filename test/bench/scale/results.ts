import type { ScaleMode } from './client.ts'

export type { ScaleResults, ScaleRow } from '../../../demo-spa/src/features/lab/scale-results.ts'

export const MODE_LABELS: Record<ScaleMode, string> = {
  session: 'session + Redis',
  'jwt-stateless': 'JWT, stateless',
  'jwt-denylist': 'JWT + Redis revocation list',
  bff: 'BFF + Redis (proxy to the JWT API)',
}
