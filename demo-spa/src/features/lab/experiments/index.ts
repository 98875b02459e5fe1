import type { Experiment } from '../types.ts'
import { architectures } from './architectures.ts'
import { crossDomain } from './cross-domain.ts'
import { csrf } from './csrf.ts'
import { expiry } from './expiry.ts'
import { jwks } from './jwks.ts'
import { memory } from './memory.ts'
import { performanceExperiment } from './performance.ts'
import { revocation } from './revocation.ts'
import { sso } from './sso.ts'
import { storageSecurity } from './storage.ts'
import { theft } from './theft.ts'
import { tokenSize } from './token-size.ts'

/** In the order the table shows them; each is independent and cleans up after itself. */
export const EXPERIMENTS: Experiment[] = [tokenSize, revocation, performanceExperiment, memory, storageSecurity, theft, csrf, crossDomain, jwks, expiry, sso, architectures]
