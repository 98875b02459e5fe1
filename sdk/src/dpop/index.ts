import { randomToken, sha256 } from '../encoding.ts'
import { AuthError, isAuthError } from '../errors.ts'
import type { RequestSignerFactory } from '../transport/signer.ts'
import { loadKeyPair } from './key-store.ts'
import { htu, publicJwk, signProof } from './proof.ts'

export type { RequestSide, RequestSigner, RequestSignerFactory } from '../transport/signer.ts'

/** How a resource server asks for a proof with its nonce (RFC 9449 §9): `WWW-Authenticate: DPoP error="use_dpop_nonce"`. */
const NONCE_CHALLENGE = /error="?use_dpop_nonce/i

/** `dpop()`: a request signer for `jwt({ dpop })`, which can also name the key it signs with. */
export interface Dpop extends RequestSignerFactory {
  /**
   * The RFC 7638 SHA-256 thumbprint of the key the client signs with: what `cnf.jkt` of the tokens
   * bound to it holds. Of the last client this value was given to; makes the key if none exists yet.
   */
  thumbprint(): Promise<string>
}

/**
 * DPoP (RFC 9449) for `jwt({ dpop: dpop() })`: access and refresh tokens bound to a key pair whose
 * private half no script can read, so a stolen token is useless anywhere else. Every token request
 * (login, refresh, code redemption, revocation, logout) and every request to the API carries a
 * fresh proof; the API gets the token as `Authorization: DPoP`, never as `Bearer`. A server's
 * `DPoP-Nonce` is learned from whatever answer carries it and put into the next proofs to that
 * server; a nonce challenge is answered by sending the request once more.
 *
 * The key pair is made on first use (nothing runs at import or creation) and kept in IndexedDB
 * under the client's name, shared by its tabs; where IndexedDB is unavailable, in memory, with a
 * `warning` (`key_in_memory`).
 */
export function dpop(): Dpop {
  let current: (() => Promise<{ jwk: JsonWebKey }>) | undefined
  const factory: RequestSignerFactory = (ctx, clock) => {
    let key: Promise<{ privateKey: CryptoKey; jwk: JsonWebKey }> | undefined
    /** The nonce each server (by origin) asked for last (RFC 9449 §8, §9). */
    const nonces = new Map<string, string>()

    const keys = () =>
      (key ??= (async () => {
        const { privateKey, publicKey } = await loadKeyPair(`${ctx.key}:dpop`, (message) => ctx.events.emit('warning', { code: 'key_in_memory', message }))
        return { privateKey, jwk: await publicJwk(publicKey) }
      })().catch((error: unknown) => {
        // No WebCrypto here (an insecure context): asked again next time, and refused with a code.
        key = undefined
        throw new AuthError('proof_failed', `no DPoP key: ${(error as Error)?.message}`)
      }))
    current = keys

    const learn = (origin: string, headers: Headers) => {
      const nonce = headers.get('dpop-nonce')
      if (nonce) nonces.set(origin, nonce)
    }

    const sign = async (method: string, url: URL, headers: Headers) => {
      const token = /^(?:bearer|dpop) (.+)$/i.exec(headers.get('authorization') ?? '')?.[1]
      const { privateKey, jwk } = await keys()
      const claims = { jti: randomToken(), htm: method.toUpperCase(), htu: htu(url), iat: Math.floor(clock.now() / 1000), nonce: nonces.get(url.origin) }
      // A token goes with the hash that binds the proof to it (`ath`), and never as a bearer token (RFC 9449 §7.1).
      if (token) headers.set('Authorization', `DPoP ${token}`)
      headers.set('DPoP', await signProof(privateKey, jwk, token ? { ...claims, ath: await sha256(token) } : claims))
    }

    return {
      wrap: (side) => ({
        ...side,
        async prepare(url, method, headers) {
          const prepared = await side.prepare(url, method, headers)
          if (prepared.token) await sign(method, url, headers)
          return prepared
        },
        async recover(response, prepared, retried) {
          // Any answer may hand out the server's next nonce (RFC 9449 §8.2, §9).
          learn(ctx.scope.resolve('/').origin, response.headers)
          // A proof refused for want of that nonce: the token is fine, so the retry needs no refresh.
          if (!retried && prepared.token && response.status === 401 && NONCE_CHALLENGE.test(response.headers.get('www-authenticate') ?? '')) return true
          return side.recover(response, prepared, retried)
        },
      }),

      async send(kind, url, init, onResponse) {
        // Discovery and other reads carry no grant and need no proof.
        if ((init.method ?? 'GET') === 'GET') return ctx.send(kind, url, init, onResponse)
        const target = new URL(url)
        for (let retried = false; ; retried = true) {
          const headers = new Headers(init.headers)
          await sign(init.method!, target, headers)
          let challenged = false
          try {
            return await ctx.send(kind, url, { ...init, headers }, (response) => {
              learn(target.origin, response.headers)
              challenged = NONCE_CHALLENGE.test(response.headers.get('www-authenticate') ?? '')
              onResponse?.(response)
            })
          } catch (error) {
            // The authorization server says so in the body (400 `use_dpop_nonce`, RFC 9449 §8), a
            // resource server (a logout reading the access token) in `WWW-Authenticate`: once.
            if (retried || !(challenged || isAuthError(error, 'use_dpop_nonce'))) throw error
          }
        }
      },
    }
  }
  return Object.assign(factory, {
    async thumbprint() {
      if (!current) throw new AuthError('proof_failed', 'dpop() has not been given to a client')
      const { crv, kty, x, y } = (await current()).jwk
      // RFC 7638 §3.2: the required members only, in lexicographic order, no whitespace.
      return sha256(JSON.stringify({ crv, kty, x, y }))
    },
  })
}
