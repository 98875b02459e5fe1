import type { ServerClock } from '../clock.ts'
import type { ClientContext, Strategy } from '../strategies/types.ts'

/** The request side of a strategy: what a request signer wraps. */
export type RequestSide = Pick<Strategy, 'getAccessToken' | 'prepare' | 'recover'>

/**
 * Proof of possession for what a JWT client sends: an opt-in value for `jwt({ dpop })`, such as
 * `dpop()` from `@authlens/sdk/dpop`. It wraps what the strategy sends, the way middleware wraps
 * a store: the strategy knows these two members and nothing of proofs or keys.
 */
export interface RequestSigner {
  /**
   * `ClientContext.send`, signed: every auth request but a GET (login, refresh, code redemption,
   * revocation, logout) goes out with a proof, and once more, with a fresh one, after a nonce challenge.
   */
  send: ClientContext['send']
  /**
   * The strategy's request side, signed: `prepare` signs each request that carries the access
   * token (presenting it under the signer's scheme, never `Bearer`); `recover` reads every answer
   * (a new nonce) and answers a nonce challenge with the one retry.
   */
  wrap(side: RequestSide): RequestSide
}

/** A value for `jwt({ dpop })`: built once per client, with the client's context and its server clock. */
export type RequestSignerFactory = (context: ClientContext, clock: ServerClock) => RequestSigner
