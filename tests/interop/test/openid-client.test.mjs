// openid-client 6 (panva) as the relying party: its own discovery, authorization code with PKCE, state and
// nonce, userinfo, refresh rotation, revocation, introspection, client credentials, private_key_jwt and
// RP-initiated logout. Whatever the library refuses is a defect of the bridge.
import { describe, it, before } from 'node:test'
import assert from 'node:assert/strict'
import * as client from 'openid-client'
import * as jose from 'jose'
import { Browser, clients, formOf, issuer, jwtHeader, jwtPayload, privateJwk, resource, wallet } from './support.mjs'

const insecure = { execute: [client.allowInsecureRequests] } // the bridge runs on http://127.0.0.1

function discover(c, auth) {
  return client.discovery(new URL(issuer), c.id, undefined, auth, insecure)
}

/** Runs a login for config/c in browser; returns the tokens and what was sent. */
async function login(config, c, browser, extra = {}) {
  const codeVerifier = client.randomPKCECodeVerifier()
  const state = client.randomState()
  const nonce = client.randomNonce()
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: c.redirectUri,
    scope: 'openid profile email wallet roles offline_access',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  })
  const callback = await browser.follow(url, c.redirectUri)
  const tokens = await client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: codeVerifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  })
  return { tokens, callback, nonce, state }
}

function isOAuthError(code) {
  return (e) => {
    assert.ok(e instanceof client.ResponseBodyError, `expected ResponseBodyError, got ${e?.name}: ${e?.message}`)
    assert.equal(e.error, code)
    return true
  }
}

describe('openid-client', () => {
  let basic
  before(async () => {
    basic = await discover(clients.basic, client.ClientSecretBasic(clients.basic.secret))
  })

  it('discovers the bridge (issuer, endpoints, RFC 9207 iss support)', () => {
    const meta = basic.serverMetadata()
    assert.equal(meta.issuer, issuer)
    for (const key of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri',
      'end_session_endpoint', 'introspection_endpoint', 'revocation_endpoint']) {
      assert.ok(meta[key]?.startsWith(issuer + '/'), `${key} is under the issuer`)
    }
    assert.equal(meta.authorization_response_iss_parameter_supported, true)
    assert.ok(meta.code_challenge_methods_supported.includes('S256'))
    assert.ok(meta.token_endpoint_auth_methods_supported.includes('private_key_jwt'))
  })

  it('authorization code + PKCE + state + nonce (client_secret_basic): ID token validated by the library', async () => {
    const { tokens, callback, nonce } = await login(basic, clients.basic, new Browser())
    assert.equal(callback.searchParams.get('iss'), issuer)
    assert.match(tokens.token_type, /^bearer$/i)
    assert.ok(tokens.access_token)
    assert.ok(tokens.refresh_token, 'offline_access yields a refresh token')
    assert.ok(tokens.expiresIn() > 0)
    const claims = tokens.claims()
    assert.equal(claims.iss, issuer)
    assert.equal(claims.aud, clients.basic.id)
    assert.equal(claims.nonce, nonce)
    assert.ok(claims.sub)
    assert.equal(typeof claims.auth_time, 'number')
    assert.ok(claims.sid, 'sid for back-channel logout')
    assert.equal(claims.xrpl_address, wallet)
    assert.ok(claims.xrpl_addresses.includes(wallet))
    assert.ok(Array.isArray(claims.roles))
    assert.equal(jwtHeader(tokens.id_token).typ ?? 'JWT', 'JWT')
  })

  it('ID token signature checked against the JWKS (enableNonRepudiationChecks)', async () => {
    const config = await discover(clients.basic, client.ClientSecretBasic(clients.basic.secret))
    client.enableNonRepudiationChecks(config)
    const { tokens } = await login(config, clients.basic, new Browser())
    const jwks = jose.createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri))
    const { payload, protectedHeader } = await jose.jwtVerify(tokens.id_token, jwks, { issuer, audience: clients.basic.id })
    assert.ok(['RS256', 'ES256'].includes(protectedHeader.alg))
    assert.ok(protectedHeader.kid, 'signed with a kid published in the JWKS')
    assert.equal(payload.sub, tokens.claims().sub)
  })

  it('fetchUserInfo returns the same subject and the wallet claims', async () => {
    const { tokens } = await login(basic, clients.basic, new Browser())
    const sub = tokens.claims().sub
    const info = await client.fetchUserInfo(basic, tokens.access_token, sub)
    assert.equal(info.sub, sub)
    assert.equal(info.xrpl_address, wallet)
    assert.ok(info.xrpl_addresses.includes(wallet))
    assert.ok(Array.isArray(info.roles))
  })

  it('refreshTokenGrant rotates the refresh token and rejects the old one', async () => {
    const { tokens } = await login(basic, clients.basic, new Browser())
    const sub = tokens.claims().sub
    const refreshed = await client.refreshTokenGrant(basic, tokens.refresh_token)
    assert.ok(refreshed.access_token)
    assert.notEqual(refreshed.access_token, tokens.access_token)
    assert.ok(refreshed.refresh_token, 'a rotated refresh token')
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token)
    if (refreshed.id_token) assert.equal(refreshed.claims().sub, sub)
    const info = await client.fetchUserInfo(basic, refreshed.access_token, sub)
    assert.equal(info.sub, sub)
    await assert.rejects(client.refreshTokenGrant(basic, tokens.refresh_token), isOAuthError('invalid_grant'))
  })

  it('refreshTokenGrant may narrow the scope (RFC 6749 §6)', async () => {
    const { tokens } = await login(basic, clients.basic, new Browser())
    const narrowed = await client.refreshTokenGrant(basic, tokens.refresh_token, { scope: 'openid wallet' })
    assert.deepEqual(jwtPayload(narrowed.access_token).scope.split(' ').sort(), ['openid', 'wallet'])
    if (narrowed.scope) assert.deepEqual(narrowed.scope.split(' ').sort(), ['openid', 'wallet'])
  })

  it('response_mode=form_post: the posted response passes authorizationCodeGrant (state, iss, nonce)', async () => {
    const codeVerifier = client.randomPKCECodeVerifier()
    const state = client.randomState()
    const nonce = client.randomNonce()
    const url = client.buildAuthorizationUrl(basic, {
      redirect_uri: clients.basic.redirectUri, scope: 'openid wallet', state, nonce, response_mode: 'form_post',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier), code_challenge_method: 'S256',
    })
    const page = await new Browser().followToPage(url)
    assert.equal(page.status, 200)
    // The page's form ends at the client, whose callback may redirect anywhere: no form-action, still no inline script.
    const csp = page.headers.get('content-security-policy') ?? ''
    assert.doesNotMatch(csp, /form-action/)
    assert.match(csp, /script-src 'self'/)
    const { action, fields } = formOf(page.text)
    assert.equal(action, clients.basic.redirectUri)
    assert.equal(fields.get('iss'), issuer)
    const posted = new Request(action, { method: 'POST', body: fields, headers: { 'content-type': 'application/x-www-form-urlencoded' } })
    const tokens = await client.authorizationCodeGrant(basic, posted, { pkceCodeVerifier: codeVerifier, expectedState: state, expectedNonce: nonce })
    assert.equal(tokens.claims().xrpl_address, wallet)
  })

  it('tokenIntrospection describes an active access token and an active refresh token', async () => {
    const { tokens } = await login(basic, clients.basic, new Browser())
    const access = await client.tokenIntrospection(basic, tokens.access_token)
    assert.equal(access.active, true)
    assert.equal(access.client_id, clients.basic.id)
    assert.equal(access.sub, tokens.claims().sub)
    assert.ok(access.scope.split(' ').includes('openid'))
    assert.equal(typeof access.exp, 'number')
    const refresh = await client.tokenIntrospection(basic, tokens.refresh_token, { token_type_hint: 'refresh_token' })
    assert.equal(refresh.active, true)
    const unknown = await client.tokenIntrospection(basic, 'not-a-token')
    assert.equal(unknown.active, false)
  })

  it('tokenRevocation of the refresh token ends it; of the access token makes it inactive', async () => {
    const { tokens } = await login(basic, clients.basic, new Browser())
    await client.tokenRevocation(basic, tokens.refresh_token, { token_type_hint: 'refresh_token' })
    await assert.rejects(client.refreshTokenGrant(basic, tokens.refresh_token), isOAuthError('invalid_grant'))
    await client.tokenRevocation(basic, tokens.access_token, { token_type_hint: 'access_token' })
    assert.equal((await client.tokenIntrospection(basic, tokens.access_token)).active, false)
    await assert.rejects(client.fetchUserInfo(basic, tokens.access_token, tokens.claims().sub),
      (e) => e instanceof client.WWWAuthenticateChallengeError && e.cause[0].parameters.error === 'invalid_token')
    await client.tokenRevocation(basic, 'an-unknown-token') // RFC 7009 §2.2: 200 for unknown tokens
  })

  it('client_secret_post client: code flow, userinfo and refresh', async () => {
    const config = await discover(clients.post, client.ClientSecretPost(clients.post.secret))
    const { tokens } = await login(config, clients.post, new Browser())
    const sub = tokens.claims().sub
    assert.equal((await client.fetchUserInfo(config, tokens.access_token, sub)).sub, sub)
    assert.ok((await client.refreshTokenGrant(config, tokens.refresh_token)).access_token)
  })

  it('public client (none) with PKCE: code flow and refresh', async () => {
    const config = await discover(clients.public, client.None())
    const { tokens } = await login(config, clients.public, new Browser())
    assert.equal(tokens.claims().aud, clients.public.id)
    assert.ok((await client.refreshTokenGrant(config, tokens.refresh_token)).access_token)
  })

  it('clientCredentialsGrant: a client token, no refresh token, with and without resource', async () => {
    const config = await discover(clients.service, client.ClientSecretBasic(clients.service.secret))
    const tokens = await client.clientCredentialsGrant(config)
    assert.match(tokens.token_type, /^bearer$/i)
    assert.equal(tokens.refresh_token, undefined)
    assert.equal(tokens.id_token, undefined)
    const claims = jwtPayload(tokens.access_token)
    assert.equal(claims.sub, clients.service.id)
    assert.equal(claims.aud, clients.service.id)
    const introspected = await client.tokenIntrospection(config, tokens.access_token)
    assert.equal(introspected.active, true)
    assert.equal(introspected.client_id, clients.service.id)
    const forApi = await client.clientCredentialsGrant(config, { resource })
    assert.equal(jwtPayload(forApi.access_token).aud, resource)
    await assert.rejects(client.clientCredentialsGrant(config, { scope: 'openid' }), isOAuthError('invalid_scope'))
  })

  for (const alg of ['ES256', 'RS256', 'PS256']) {
    it(`PrivateKeyJwt (${alg}): code flow, refresh, introspection and client credentials`, async () => {
      const jwk = privateJwk(alg)
      const key = await jose.importJWK(jwk, alg)
      const config = await discover(clients.jwt, client.PrivateKeyJwt({ key, kid: jwk.kid }))
      const { tokens } = await login(config, clients.jwt, new Browser())
      assert.equal(tokens.claims().aud, clients.jwt.id)
      const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token)
      assert.ok(refreshed.refresh_token)
      assert.equal((await client.tokenIntrospection(config, refreshed.access_token)).active, true)
      const service = await client.clientCredentialsGrant(config)
      assert.equal(jwtPayload(service.access_token).sub, clients.jwt.id)
    })
  }

  it('PrivateKeyJwt without kid: the bridge finds the key in the registered JWKS', async () => {
    const key = await jose.importJWK(privateJwk('ES256'), 'ES256')
    const config = await discover(clients.jwt, client.PrivateKeyJwt(key))
    const tokens = await client.clientCredentialsGrant(config)
    assert.equal(jwtPayload(tokens.access_token).sub, clients.jwt.id)
  })

  it('client_secret_basic with a secret that must be form-encoded in the Basic header (RFC 6749 §2.3.1)', async () => {
    const config = await discover(clients.special, client.ClientSecretBasic(clients.special.secret))
    const { tokens } = await login(config, clients.special, new Browser())
    assert.equal(tokens.claims().aud, clients.special.id)
    assert.ok((await client.refreshTokenGrant(config, tokens.refresh_token)).access_token)
    assert.ok((await client.clientCredentialsGrant(config)).access_token)
  })

  it('prompt=login sends a signed-in user through the login again', async () => {
    const browser = new Browser()
    await login(basic, clients.basic, browser)
    await login(basic, clients.basic, browser, { prompt: 'none' })
    assert.ok(!browser.visited.some((u) => new URL(u).pathname === '/login'), 'silent with a live session')
    const again = await login(basic, clients.basic, browser, { prompt: 'login' })
    assert.ok(browser.visited.some((u) => new URL(u).pathname === '/login'), 'sent to /login')
    assert.ok(again.tokens.claims().auth_time >= Math.floor(Date.now() / 1000) - 60)
  })

  it('an unsupported response_type comes back as an error the library accepts (state and iss checked)', async () => {
    const state = client.randomState()
    const url = client.buildAuthorizationUrl(basic, {
      redirect_uri: clients.basic.redirectUri, scope: 'openid', state, response_type: 'token',
    })
    const callback = await new Browser().follow(url, clients.basic.redirectUri)
    await assert.rejects(client.authorizationCodeGrant(basic, callback, { expectedState: state }),
      (e) => e instanceof client.AuthorizationResponseError && e.error === 'unsupported_response_type')
  })

  it('PrivateKeyJwt with a key that is not registered is refused (invalid_client)', async () => {
    const { privateKey } = await jose.generateKeyPair('ES256')
    const config = await discover(clients.jwt, client.PrivateKeyJwt({ key: privateKey, kid: privateJwk('ES256').kid }))
    await assert.rejects(client.clientCredentialsGrant(config), isOAuthError('invalid_client'))
  })

  it('a wrong client_secret_basic secret: 401 with a Basic challenge and invalid_client (RFC 6749 §5.2)', async () => {
    const config = await discover(clients.basic, client.ClientSecretBasic('wrong-secret'))
    const e = await client.refreshTokenGrant(config, 'any-refresh-token').then(() => null, (error) => error)
    assert.ok(e instanceof client.WWWAuthenticateChallengeError, `expected a challenge, got ${e?.name}: ${e?.message}`)
    assert.equal(e.status, 401)
    assert.equal(e.cause[0].scheme, 'basic')
    assert.equal((await e.response.json()).error, 'invalid_client')
  })

  it('a wrong client_secret_post secret is refused with invalid_client', async () => {
    const config = await discover(clients.post, client.ClientSecretPost('wrong-secret'))
    await assert.rejects(client.refreshTokenGrant(config, 'any-refresh-token'), isOAuthError('invalid_client'))
  })

  it('ES256 ID tokens for a client registered with id_token_signed_response_alg ES256', async () => {
    const config = await client.discovery(new URL(issuer), clients.es256.id,
      { id_token_signed_response_alg: 'ES256' }, client.ClientSecretBasic(clients.es256.secret), insecure)
    client.enableNonRepudiationChecks(config)
    const { tokens } = await login(config, clients.es256, new Browser())
    assert.equal(jwtHeader(tokens.id_token).alg, 'ES256')
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token)
    if (refreshed.id_token) assert.equal(jwtHeader(refreshed.id_token).alg, 'ES256')
  })

  it('userinfo by POST (fetchProtectedResource) answers like GET', async () => {
    const { tokens } = await login(basic, clients.basic, new Browser())
    const url = new URL(basic.serverMetadata().userinfo_endpoint)
    const response = await client.fetchProtectedResource(basic, tokens.access_token, url, 'POST')
    assert.equal(response.status, 200)
    assert.equal((await response.json()).sub, tokens.claims().sub)
  })

  it('the JWKS publishes public signing keys only, each with kid, kty and use or alg', async () => {
    const response = await fetch(basic.serverMetadata().jwks_uri)
    assert.equal(response.status, 200)
    const { keys } = await response.json()
    assert.ok(keys.length >= 2, 'an RS256 and an ES256 key')
    for (const key of keys) {
      assert.ok(key.kid && key.kty)
      assert.ok(key.use === 'sig' || key.alg)
      for (const part of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal(key[part], undefined, `no private ${part}`)
    }
    assert.equal(new Set(keys.map((k) => k.kid)).size, keys.length, 'kids are unique')
  })

  it('prompt=none with a live session returns a code; after RP-initiated logout it answers login_required', async () => {
    const browser = new Browser()
    const { tokens } = await login(basic, clients.basic, browser)
    const silent = await login(basic, clients.basic, browser, { prompt: 'none' })
    assert.equal(silent.tokens.claims().sub, tokens.claims().sub)
    assert.equal(silent.tokens.claims().sid, tokens.claims().sid)

    const state = client.randomState()
    const logout = client.buildEndSessionUrl(basic, {
      id_token_hint: tokens.id_token,
      post_logout_redirect_uri: clients.basic.postLogoutRedirectUri,
      state,
    })
    const back = await browser.follow(logout, clients.basic.postLogoutRedirectUri)
    assert.equal(back.origin + back.pathname, clients.basic.postLogoutRedirectUri)
    assert.equal(back.searchParams.get('state'), state)

    await assert.rejects(login(basic, clients.basic, browser, { prompt: 'none' }),
      (e) => e instanceof client.AuthorizationResponseError && e.error === 'login_required')
  })

  it('an unregistered post_logout_redirect_uri is not followed', async () => {
    const browser = new Browser()
    const { tokens } = await login(basic, clients.basic, browser)
    const logout = client.buildEndSessionUrl(basic, {
      id_token_hint: tokens.id_token,
      post_logout_redirect_uri: 'http://127.0.0.1:9/elsewhere',
      state: 'x',
    })
    const response = await browser.get(logout)
    assert.ok(!(response.headers.get('location') ?? '').includes('/elsewhere'))
    await response.body?.cancel()
  })

  it('pushed authorization request (buildAuthorizationUrlWithPAR): code flow, ID token validated by the library, request_uri used once', async () => {
    assert.equal(basic.serverMetadata().pushed_authorization_request_endpoint, issuer + '/connect/par')
    const codeVerifier = client.randomPKCECodeVerifier()
    const state = client.randomState()
    const nonce = client.randomNonce()
    const url = await client.buildAuthorizationUrlWithPAR(basic, {
      redirect_uri: clients.basic.redirectUri,
      scope: 'openid profile wallet',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    })
    assert.deepEqual([...url.searchParams.keys()].sort(), ['client_id', 'request_uri'])
    assert.match(url.searchParams.get('request_uri'), /^urn:ietf:params:oauth:request_uri:/)
    const browser = new Browser()
    const callback = await browser.follow(url, clients.basic.redirectUri)
    const tokens = await client.authorizationCodeGrant(basic, callback, {
      pkceCodeVerifier: codeVerifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    })
    const claims = tokens.claims()
    assert.equal(claims.aud, clients.basic.id)
    assert.equal(claims.nonce, nonce)
    assert.equal(claims.xrpl_address, wallet)
    assert.equal(tokens.scope, 'openid profile wallet')

    const again = await browser.followToPage(url)
    assert.equal(again.status, 400)
    assert.match(again.text, /invalid_request_uri/)
  })

  it('pushed authorization request with PrivateKeyJwt: the assertion addressed to the issuer authenticates the push', async () => {
    const jwk = privateJwk('ES256')
    const config = await discover(clients.jwt, client.PrivateKeyJwt({ key: await jose.importJWK(jwk, 'ES256'), kid: jwk.kid }))
    const codeVerifier = client.randomPKCECodeVerifier()
    const state = client.randomState()
    const url = await client.buildAuthorizationUrlWithPAR(config, {
      redirect_uri: clients.jwt.redirectUri,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
    })
    const callback = await new Browser().follow(url, clients.jwt.redirectUri)
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: codeVerifier, expectedState: state, idTokenExpected: true })
    assert.equal(tokens.claims().aud, clients.jwt.id)
  })

  it('a pushed request the bridge would refuse is refused at the push, as an OAuth error', async () => {
    await assert.rejects(client.buildAuthorizationUrlWithPAR(basic, {
      redirect_uri: clients.basic.redirectUri,
      scope: 'openid',
      response_type: 'token',
    }), isOAuthError('unsupported_response_type'))
  })
})
