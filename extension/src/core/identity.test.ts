import { describe, expect, it } from 'vitest'
import type { TokenSighting } from './detect.ts'
import { createTokenRegistry, identityKey, tokenId } from './identity.ts'
import { makeJwt } from './testing/tokens.ts'

const ISS = 'https://issuer.example'
const sighting = (value: string, source: TokenSighting['place']['source'], key: string, direction: TokenSighting['direction'], at: number): TokenSighting => ({
  value,
  place: { source, key },
  direction,
  at,
})
const stripped = (token: string) => token.split('.').slice(0, 2).join('.') + '.'

describe('token identity', () => {
  it('one identity per token across every place it appears (issued, stored, sent)', () => {
    const registry = createTokenRegistry()
    const token = makeJwt({ iss: ISS, sub: 'u1', iat: 100, exp: 1000 })
    const issued = registry.record(sighting(token, 'response-body', 'access_token', 'received', 1))
    registry.record(sighting(token, 'local-storage', 'auth.access_token', 'stored', 2))
    registry.record(sighting(token, 'authorization-header', 'Authorization', 'sent', 3))
    const last = registry.record(sighting(token, 'authorization-header', 'Authorization', 'sent', 4))
    expect(issued.isNew).toBe(true)
    expect(last.isNew).toBe(false)
    expect(registry.size).toBe(1)
    expect(last.token.id).toBe(issued.token.id)
    expect(last.token.places.map((p) => [p.place.source, p.direction, p.count])).toEqual([
      ['response-body', 'received', 1],
      ['local-storage', 'stored', 1],
      ['authorization-header', 'sent', 2],
    ])
    expect(last.token).toMatchObject({ firstSeen: 1, lastSeen: 4, sightings: 4, role: 'access' })
  })

  it('the SDK bridge copy (signature stripped) joins the network copy, which becomes the stored value', () => {
    const registry = createTokenRegistry()
    const token = makeJwt({ iss: ISS, sub: 'u1', iat: 100 })
    const fromSdk = registry.record(sighting(stripped(token), 'sdk-bridge', 'memory', 'stored', 1))
    const fromNetwork = registry.record(sighting(token, 'authorization-header', 'Authorization', 'sent', 2))
    expect(fromNetwork.token.id).toBe(fromSdk.token.id)
    expect(fromNetwork.token.value).toBe(token)
    expect(fromNetwork.token.unsignedElsewhere).toBe(false)
    const stripped2 = registry.record(sighting(stripped(token), 'local-storage', 'token', 'stored', 3))
    expect(stripped2.token.unsignedElsewhere).toBe(true)
    expect(stripped2.token.value).toBe(token)
  })

  it('ids are stable, never contain the token, and differ between tokens', () => {
    const token = makeJwt({ sub: 'u1' })
    expect(tokenId(token)).toBe(tokenId(stripped(token)))
    expect(tokenId(token)).toMatch(/^t[0-9a-f]{16}$/)
    expect(identityKey(token)).toBe(stripped(token).slice(0, -1))
    expect(identityKey('opaque-value-1234567890')).toBe('opaque-value-1234567890')
    const ids = new Set<string>()
    for (let i = 0; i < 10_000; i++) ids.add(tokenId(makeJwt({ sub: 'u1', jti: `j${i}` })))
    expect(ids.size).toBe(10_000)
    // E12: a registry rebuilt after the service worker restarts gives the same ids.
    expect(createTokenRegistry().record(sighting(token, 'cookie-jar', 'jwt', 'stored', 1)).token.id).toBe(tokenId(token))
  })

  it('refresh detected: a newer token for the same iss/sub replaces the older one', () => {
    const registry = createTokenRegistry()
    const first = registry.record(sighting(makeJwt({ iss: ISS, sub: 'u1', iat: 100 }), 'response-body', 'access_token', 'received', 1))
    expect(first.refresh).toBeNull()
    const second = registry.record(sighting(makeJwt({ iss: ISS, sub: 'u1', iat: 200 }), 'response-body', 'access_token', 'received', 2))
    expect(second.refresh).toEqual({ previousId: first.token.id, tokenId: second.token.id, lineage: second.token.lineage, at: 2 })
    expect(second.token.replaces).toBe(first.token.id)
    expect(registry.get(first.token.id)?.replacedBy).toBe(second.token.id)
  })

  it('no refresh for another user, another issuer, an ID token beside the access token, or an older token seen late', () => {
    const registry = createTokenRegistry()
    registry.record(sighting(makeJwt({ iss: ISS, sub: 'u1', iat: 200 }), 'response-body', 'access_token', 'received', 1))
    const cases = [
      [makeJwt({ iss: ISS, sub: 'u2', iat: 300 }), 'access_token'],
      [makeJwt({ iss: 'https://other.example', sub: 'u1', iat: 300 }), 'access_token'],
      [makeJwt({ iss: ISS, sub: 'u1', iat: 300, nonce: 'n' }, { alg: 'RS256', typ: 'JWT' }), 'id_token'],
      [makeJwt({ iss: ISS, sub: 'u1', iat: 300, nonce: 'n' }, { alg: 'RS256', typ: 'JWT' }), 'tokens.id'],
      [makeJwt({ iss: ISS, sub: 'u1', iat: 150 }), 'access_token'],
    ] as const
    for (const [token, key] of cases) expect(registry.record(sighting(token, 'response-body', key, 'received', 2)).refresh).toBeNull()
  })

  it('an opaque refresh token rotated in the same cookie is a refresh', () => {
    const registry = createTokenRegistry()
    registry.record(sighting('rt-aaaaaaaaaaaaaaaaaaaa', 'set-cookie', 'rt', 'received', 1))
    const rotated = registry.record(sighting('rt-bbbbbbbbbbbbbbbbbbbb', 'cookie-jar', 'rt', 'stored', 2))
    expect(rotated.refresh?.lineage).toMatch(/^place:cookie-jar/)
    expect(rotated.token.role).toBe('refresh')
    expect(registry.record(sighting('other-cccccccccccccccccc', 'authorization-header', 'Authorization', 'sent', 3)).refresh).toBeNull()
  })

  it('a session id cookie is a session id, rotated in place like an opaque token; a JWT in such a cookie keeps its own role', () => {
    const registry = createTokenRegistry()
    const first = registry.record(sighting('s:aaaaaaaaaaaaaaaaaaaa.sig', 'set-cookie', 'connect.sid', 'received', 1))
    expect(first.token.role).toBe('session')
    const rotated = registry.record(sighting('s:bbbbbbbbbbbbbbbbbbbb.sig', 'cookie-jar', 'connect.sid', 'stored', 2))
    expect(rotated.token.role).toBe('session')
    expect(rotated.refresh?.previousId).toBe(first.token.id)
    expect(registry.record(sighting(makeJwt({ sub: 'u', token_use: 'access' }), 'cookie-jar', 'session', 'stored', 3)).token.role).toBe('access')
  })

  it('stays bounded: least recently seen tokens are evicted, places per token are capped', () => {
    const registry = createTokenRegistry({ maxTokens: 10, maxPlacesPerToken: 3 })
    const keep = makeJwt({ sub: 'keep' })
    for (let i = 0; i < 100; i++) {
      registry.record(sighting(makeJwt({ sub: `u${i}` }), 'response-body', 'token', 'received', i))
      registry.record(sighting(keep, 'local-storage', `k${i}`, 'stored', i))
    }
    expect(registry.size).toBe(10)
    expect(registry.idOf(keep)).toBe(tokenId(keep))
    expect(registry.get(tokenId(keep))?.places.map((p) => p.place.key)).toEqual(['k97', 'k98', 'k99'])
    registry.clear()
    expect(registry.list()).toEqual([])
  })

  it('labels ID and access tokens from where they were seen, and a stronger sighting corrects the role', () => {
    const registry = createTokenRegistry()
    const role = (value: string, source: TokenSighting['place']['source'], key: string) => {
      const { token } = registry.record(sighting(value, source, key, 'received', 1))
      return [token.role, token.roleBasis, token.roleHint]
    }
    const plain = { alg: 'RS256', typ: 'JWT' }
    expect(role(makeJwt({ sub: 'a' }, { alg: 'RS256', typ: 'at+jwt' }), 'response-body', 'id_token')).toEqual(['access', 'jwt-typ', 'at+jwt'])
    expect(role(makeJwt({ sub: 'b' }, plain), 'response-body', 'id_token')).toEqual(['id', 'oauth-field', 'id_token'])
    expect(role(makeJwt({ sub: 'c' }, plain), 'url-query', 'id_token_hint')).toEqual(['id', 'oauth-field', 'id_token_hint'])
    expect(role(makeJwt({ sub: 'd', nonce: 'n' }, plain), 'local-storage', 'session.tokens.current')).toEqual(['id', 'jwt-claims', 'nonce'])
    expect(role(makeJwt({ sub: 'e', aud: 'spa', azp: 'spa' }, plain), 'local-storage', 'jwt')).toEqual(['id', 'jwt-claims', 'azp'])
    expect(role(makeJwt({ sub: 'f', aud: 'account', azp: 'spa', typ: 'Bearer' }, plain), 'local-storage', 'kc')).toEqual(['access', 'jwt-claims', 'typ'])
    expect(role('opaque-access-0123456789abcdef', 'response-body', 'access_token')).toEqual(['access', 'oauth-field', 'access_token'])

    // First seen as a bearer credential (looks like an access token), then as the id_token it is.
    const id = makeJwt({ sub: 'g', aud: 'spa' }, plain)
    expect(role(id, 'authorization-header', 'Authorization')).toEqual(['access', 'bearer-header', null])
    expect(role(id, 'response-body', 'id_token')).toEqual(['id', 'oauth-field', 'id_token'])
    expect(role(id, 'authorization-header', 'Authorization')).toEqual(['id', 'oauth-field', 'id_token'])
  })

  it('keeps the expires_in a token response gave an opaque access token', () => {
    const registry = createTokenRegistry()
    const opaque = 'opaque-access-0123456789abcdef'
    registry.record(sighting(opaque, 'response-body', 'access_token', 'received', 1000))
    registry.noteExpiresIn(opaque, 3600, 1000)
    registry.noteExpiresIn('never-seen-0123456789abcdef', 60, 1000)
    expect(registry.list().map((t) => t.expiresIn)).toEqual([{ seconds: 3600, issuedAt: 1000 }])
  })
})
