import { describe, expect, it } from 'vitest'
import { readOAuthExchange, readOAuthUrl } from './oauth.ts'
import { exchange } from './testing/observations.ts'
import { CLIENT_ID, CODE, IDP, NONCE, REDIRECT_URI, STATE, authorizeRedirect, authorizeUrl, callbackUrl, tokenExchange } from './testing/oidc.ts'

describe('readOAuthUrl', () => {
  it('reads an authorization request from its standard parameters, on any path', () => {
    for (const endpoint of [`${IDP}/authorize`, 'https://tenant.okta.example/oauth2/v1/authorize', 'https://kc.example/realms/r/protocol/openid-connect/auth']) {
      const url = authorizeUrl().replace(`${IDP}/authorize`, endpoint)
      expect(readOAuthUrl(url)).toMatchObject({
        type: 'authorization-request',
        endpoint,
        responseType: 'code',
        clientId: CLIENT_ID,
        redirectUri: REDIRECT_URI,
        scope: 'openid profile offline_access',
        pkce: 'S256',
        state: STATE,
        nonce: NONCE,
        pushed: false,
      })
    }
  })

  it('PKCE method: S256, plain (explicit, or a challenge without method: RFC 7636 §4.3), missing', () => {
    expect(readOAuthUrl(authorizeUrl({ code_challenge_method: 'plain' }))).toMatchObject({ pkce: 'plain' })
    expect(readOAuthUrl(authorizeUrl({ code_challenge_method: null }))).toMatchObject({ pkce: 'plain' })
    expect(readOAuthUrl(authorizeUrl({ code_challenge: null, code_challenge_method: null }))).toMatchObject({ pkce: 'missing' })
    expect(readOAuthUrl(authorizeUrl({ code_challenge: null }))).toMatchObject({ pkce: 'missing' })
  })

  it('a pushed request (PAR request_uri) is an authorization request whose parameters are elsewhere', () => {
    expect(readOAuthUrl(`${IDP}/authorize?client_id=${CLIENT_ID}&request_uri=urn:ietf:params:oauth:request_uri:abc`)).toMatchObject({ type: 'authorization-request', pushed: true, pkce: 'missing', state: null })
  })

  it('reads an authorization response in the query (code, state, iss), and an error response', () => {
    expect(readOAuthUrl(callbackUrl())).toMatchObject({ type: 'authorization-response', redirectUri: REDIRECT_URI, mode: 'query', code: CODE, state: STATE, iss: IDP, error: null, weak: false })
    expect(readOAuthUrl(callbackUrl({ error: 'access_denied', state: STATE }))).toMatchObject({ error: 'access_denied', code: null, weak: false })
  })

  it('a bare ?code= or ?error= is only a candidate (weak): promo codes and error pages use the same names', () => {
    expect(readOAuthUrl(`${REDIRECT_URI}?code=${CODE}`)).toMatchObject({ type: 'authorization-response', weak: true })
    expect(readOAuthUrl('https://shop.example/checkout?error=card_declined')).toMatchObject({ weak: true })
    expect(readOAuthUrl('https://shop.example/products?page=2')).toBeNull()
    expect(readOAuthUrl('not a url')).toBeNull()
    expect(readOAuthUrl(null)).toBeNull()
  })

  it('recognises an implicit response in the fragment; an access_token in a plain query is not one', () => {
    expect(readOAuthUrl(`${REDIRECT_URI}#access_token=abc.def.ghi&token_type=Bearer&expires_in=3600&state=${STATE}`)).toMatchObject({
      type: 'authorization-response',
      mode: 'fragment',
      frontChannel: ['access_token'],
      weak: false,
    })
    expect(readOAuthUrl(`${REDIRECT_URI}#id_token=abc.def.ghi`)).toMatchObject({ frontChannel: ['id_token'], weak: false })
    expect(readOAuthUrl('https://api.example.com/notes?access_token=abcdefghijklmnopqrstu')).toMatchObject({ weak: true })
  })

  it('reads an end-session request from id_token_hint / post_logout_redirect_uri', () => {
    expect(readOAuthUrl(`${IDP}/session/end?id_token_hint=a.b.c&post_logout_redirect_uri=${encodeURIComponent('https://app.example.com/')}&client_id=${CLIENT_ID}`)).toMatchObject({
      type: 'end-session',
      endpoint: `${IDP}/session/end`,
      idTokenHint: 'a.b.c',
      postLogoutRedirectUri: 'https://app.example.com/',
      clientId: CLIENT_ID,
    })
  })
})

describe('readOAuthExchange', () => {
  it('reads the authorization request of a HAR entry and the response in its redirect Location', () => {
    expect(readOAuthExchange(authorizeRedirect(1)).map((m) => m.type)).toEqual(['authorization-request', 'authorization-response'])
  })

  it('reads a code exchange: grant_type, code, code_verifier from the form body; tokens and expires_in from the JSON answer', () => {
    const [message] = readOAuthExchange(tokenExchange(1))
    expect(message).toMatchObject({ type: 'token-request', endpoint: `${IDP}/token`, grantType: 'authorization_code', code: CODE, codeVerifier: true, clientId: CLIENT_ID, status: 200 })
    expect(message?.type === 'token-request' && message.response).toMatchObject({ refreshToken: 'rt-8xLOxBtZp8aaaaaaaaaa', expiresIn: 300, tokenType: 'Bearer', error: null })
  })

  it('reads a refresh, a JSON-bodied token request, and an error answer without a body', () => {
    expect(readOAuthExchange(tokenExchange(1, { body: { grant_type: 'refresh_token', refresh_token: 'r' } }))[0]).toMatchObject({ grantType: 'refresh_token', codeVerifier: false })
    const json = exchange({ method: 'POST', url: `${IDP}/oauth/token`, requestHeaders: { 'Content-Type': 'application/json' }, requestBody: JSON.stringify({ grant_type: 'authorization_code', code: CODE }), status: 400 })
    expect(readOAuthExchange(json)[0]).toMatchObject({ grantType: 'authorization_code', status: 400, response: null })
  })

  it('tells RFC 7009 revocation from RFC 7662 introspection, which share their parameters', () => {
    const form = (url: string, body: string, responseBody?: string) =>
      exchange({ method: 'POST', url, requestHeaders: { 'Content-Type': 'application/x-www-form-urlencoded' }, requestBody: body, ...(responseBody ? { responseBody } : {}) })
    expect(readOAuthExchange(form(`${IDP}/token/revocation`, 'token=r1&client_id=c'))[0]).toMatchObject({ type: 'revocation', token: 'r1', tokenTypeHint: null })
    expect(readOAuthExchange(form(`${IDP}/oauth2/v1/revoke`, 'token=r1&token_type_hint=refresh_token'))[0]).toMatchObject({ type: 'revocation', tokenTypeHint: 'refresh_token' })
    expect(readOAuthExchange(form(`${IDP}/introspect`, 'token=r1&token_type_hint=access_token', '{"active":true}'))).toEqual([])
    expect(readOAuthExchange(form('https://app.example.com/newsletter', 'token=abc&email=a'))).toEqual([])
  })

  it('reads a form_post authorization response (a POST to the redirect URI with code and state)', () => {
    const post = exchange({ method: 'POST', url: REDIRECT_URI, requestHeaders: { 'Content-Type': 'application/x-www-form-urlencoded' }, requestBody: `code=${CODE}&state=${STATE}` })
    expect(readOAuthExchange(post)[0]).toMatchObject({ type: 'authorization-response', mode: 'form_post', code: CODE, state: STATE })
  })

  it('ignores ordinary requests, junk bodies and oversized bodies', () => {
    expect(readOAuthExchange(exchange({ url: 'https://app.example.com/api/notes' }))).toEqual([])
    expect(readOAuthExchange(exchange({ method: 'POST', requestBody: '{not json', requestHeaders: { 'Content-Type': 'application/json' } }))).toEqual([])
    expect(readOAuthExchange(exchange({ method: 'POST', requestBody: `grant_type=authorization_code&x=${'a'.repeat(2 * 1024 * 1024)}`, requestHeaders: { 'Content-Type': 'application/x-www-form-urlencoded' } }))).toEqual([])
  })
})
