// oauth4webapi 3 (panva) as the client: discovery, authorization code with PKCE and the RFC 9207 iss check,
// ID token claims, userinfo, refresh, revocation, introspection, client credentials and private_key_jwt,
// plus RFC 9068 validation of the bridge's JWT access tokens. Whatever it refuses is a defect of the bridge.
import { describe, it, before } from 'node:test'
import assert from 'node:assert/strict'
import * as oauth from 'oauth4webapi'
import * as jose from 'jose'
import { Browser, clients, issuer, privateJwk, resource, wallet } from './support.mjs'

const http = { [oauth.allowInsecureRequests]: true } // the bridge runs on http://127.0.0.1

async function discover() {
  const url = new URL(issuer)
  const response = await oauth.discoveryRequest(url, { algorithm: 'oidc', ...http })
  return oauth.processDiscoveryResponse(url, response)
}

/** A login for client c; returns the processed token response, its ID token claims and the processed Response. */
async function login(as, c, clientAuth, browser = new Browser(), { scope = 'openid profile email wallet roles offline_access', extra = {} } = {}) {
  const client = { client_id: c.id }
  const codeVerifier = oauth.generateRandomCodeVerifier()
  const state = oauth.generateRandomState()
  const nonce = oauth.generateRandomNonce()
  const url = new URL(as.authorization_endpoint)
  url.search = new URLSearchParams({
    client_id: c.id,
    redirect_uri: c.redirectUri,
    response_type: 'code',
    scope,
    state,
    nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    ...extra,
  }).toString()
  const callback = await browser.follow(url, c.redirectUri)
  const params = oauth.validateAuthResponse(as, client, callback, state)
  const response = await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, c.redirectUri, codeVerifier, http)
  const result = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce, requireIdToken: true })
  return { client, result, claims: oauth.getValidatedIdTokenClaims(result), nonce, callback, response }
}

function isOAuthError(code) {
  return (e) => {
    assert.ok(e instanceof oauth.ResponseBodyError, `expected ResponseBodyError, got ${e?.name}: ${e?.message}`)
    assert.equal(e.error, code)
    return true
  }
}

describe('oauth4webapi', () => {
  let as
  const basicAuth = () => oauth.ClientSecretBasic(clients.basic.secret)
  before(async () => {
    as = await discover()
  })

  it('discoveryRequest / processDiscoveryResponse accept the metadata (issuer matches exactly)', () => {
    assert.equal(as.issuer, issuer)
    assert.equal(as.authorization_response_iss_parameter_supported, true)
    assert.ok(as.response_types_supported.includes('code'))
    assert.ok(as.id_token_signing_alg_values_supported.includes('RS256'))
  })

  it('authorization code + PKCE: validateAuthResponse with the RFC 9207 iss, processAuthorizationCodeResponse, ID token claims', async () => {
    const { claims, nonce, callback, result } = await login(as, clients.basic, basicAuth())
    assert.equal(callback.searchParams.get('iss'), as.issuer)
    assert.equal(claims.iss, issuer)
    assert.equal(claims.aud, clients.basic.id)
    assert.equal(claims.nonce, nonce)
    assert.equal(claims.xrpl_address, wallet)
    assert.ok(claims.sid)
    assert.match(result.token_type, /^bearer$/i)
    assert.ok(result.refresh_token)
    assert.ok(result.expires_in > 0)
  })

  it('the ID token signature validates against the JWKS (validateApplicationLevelSignature)', async () => {
    // The token response processed by processAuthorizationCodeResponse inside login().
    const { response } = await login(as, clients.basic, basicAuth())
    await oauth.validateApplicationLevelSignature(as, response, http)
  })

  it('the RFC 8414 document (algorithm oauth2) is the same issuer', async () => {
    const url = new URL(issuer)
    const metadata = await oauth.processDiscoveryResponse(url, await oauth.discoveryRequest(url, { algorithm: 'oauth2', ...http }))
    assert.equal(metadata.issuer, issuer)
    assert.equal(metadata.token_endpoint, as.token_endpoint)
  })

  it('ES256 ID tokens for a client registered with id_token_signed_response_alg ES256', async () => {
    const c = clients.es256
    const client = { client_id: c.id, id_token_signed_response_alg: 'ES256' }
    const codeVerifier = oauth.generateRandomCodeVerifier()
    const state = oauth.generateRandomState()
    const nonce = oauth.generateRandomNonce()
    const url = new URL(as.authorization_endpoint)
    url.search = new URLSearchParams({
      client_id: c.id, redirect_uri: c.redirectUri, response_type: 'code', scope: 'openid wallet', state, nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier), code_challenge_method: 'S256',
    }).toString()
    const callback = await new Browser().follow(url, c.redirectUri)
    const params = oauth.validateAuthResponse(as, client, callback, state)
    const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.ClientSecretBasic(c.secret), params, c.redirectUri, codeVerifier, http)
    const result = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce, requireIdToken: true })
    assert.equal(oauth.getValidatedIdTokenClaims(result).xrpl_address, wallet)
    await oauth.validateApplicationLevelSignature(as, response, http)
  })

  it('max_age: the ID token carries auth_time and passes the max_age check', async () => {
    const client = { client_id: clients.basic.id }
    const browser = new Browser()
    const codeVerifier = oauth.generateRandomCodeVerifier()
    const state = oauth.generateRandomState()
    const nonce = oauth.generateRandomNonce()
    const url = new URL(as.authorization_endpoint)
    url.search = new URLSearchParams({
      client_id: client.client_id, redirect_uri: clients.basic.redirectUri, response_type: 'code', scope: 'openid',
      state, nonce, max_age: '300', code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier), code_challenge_method: 'S256',
    }).toString()
    const callback = await browser.follow(url, clients.basic.redirectUri)
    const params = oauth.validateAuthResponse(as, client, callback, state)
    const response = await oauth.authorizationCodeGrantRequest(as, client, basicAuth(), params, clients.basic.redirectUri, codeVerifier, http)
    const result = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce, maxAge: 300 })
    assert.equal(typeof oauth.getValidatedIdTokenClaims(result).auth_time, 'number')
  })

  it('userInfoRequest / processUserInfoResponse with the expected subject', async () => {
    const { client, result, claims } = await login(as, clients.basic, basicAuth())
    const response = await oauth.userInfoRequest(as, client, result.access_token, http)
    const info = await oauth.processUserInfoResponse(as, client, claims.sub, response)
    assert.equal(info.sub, claims.sub)
    assert.equal(info.xrpl_address, wallet)
    assert.ok(Array.isArray(info.roles))
  })

  it('the access token is an RFC 9068 JWT (validateJwtAccessToken, audience = client_id)', async () => {
    const { result, claims } = await login(as, clients.basic, basicAuth())
    const request = new Request('https://api.interop.test/resource', { headers: { authorization: `Bearer ${result.access_token}` } })
    const at = await oauth.validateJwtAccessToken(as, request, clients.basic.id, http)
    assert.equal(at.iss, issuer)
    assert.equal(at.sub, claims.sub)
    assert.equal(at.client_id, clients.basic.id)
    assert.ok(at.scope.split(' ').includes('openid'))
  })

  it('refreshTokenGrantRequest / processRefreshTokenResponse rotate; the old refresh token is rejected', async () => {
    const { client, result, claims } = await login(as, clients.basic, basicAuth())
    const response = await oauth.refreshTokenGrantRequest(as, client, basicAuth(), result.refresh_token, http)
    const refreshed = await oauth.processRefreshTokenResponse(as, client, response)
    assert.ok(refreshed.access_token)
    assert.ok(refreshed.refresh_token)
    assert.notEqual(refreshed.refresh_token, result.refresh_token)
    const idClaims = oauth.getValidatedIdTokenClaims(refreshed)
    if (idClaims) assert.equal(idClaims.sub, claims.sub)
    const again = await oauth.refreshTokenGrantRequest(as, client, basicAuth(), result.refresh_token, http)
    await assert.rejects(oauth.processRefreshTokenResponse(as, client, again), isOAuthError('invalid_grant'))
  })

  it('introspectionRequest / processIntrospectionResponse: active token, then inactive after revocationRequest', async () => {
    const { client, result, claims } = await login(as, clients.basic, basicAuth())
    const active = await oauth.processIntrospectionResponse(as, client,
      await oauth.introspectionRequest(as, client, basicAuth(), result.access_token, http))
    assert.equal(active.active, true)
    assert.equal(active.sub, claims.sub)
    assert.equal(active.client_id, clients.basic.id)

    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, basicAuth(), result.access_token, { ...http, additionalParameters: { token_type_hint: 'access_token' } }))
    const inactive = await oauth.processIntrospectionResponse(as, client,
      await oauth.introspectionRequest(as, client, basicAuth(), result.access_token, http))
    assert.equal(inactive.active, false)

    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, basicAuth(), result.refresh_token, http))
    const refresh = await oauth.refreshTokenGrantRequest(as, client, basicAuth(), result.refresh_token, http)
    await assert.rejects(oauth.processRefreshTokenResponse(as, client, refresh), isOAuthError('invalid_grant'))
  })

  it('revocationRequest with a wrong token_type_hint still revokes the refresh token (RFC 7009 §2.1)', async () => {
    const { client, result } = await login(as, clients.basic, basicAuth())
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, basicAuth(), result.refresh_token,
      { ...http, additionalParameters: { token_type_hint: 'access_token' } }))
    const refresh = await oauth.refreshTokenGrantRequest(as, client, basicAuth(), result.refresh_token, http)
    await assert.rejects(oauth.processRefreshTokenResponse(as, client, refresh), isOAuthError('invalid_grant'))
  })

  it('without nonce in the request the ID token carries none (expectNoNonce)', async () => {
    const client = { client_id: clients.basic.id }
    const codeVerifier = oauth.generateRandomCodeVerifier()
    const state = oauth.generateRandomState()
    const url = new URL(as.authorization_endpoint)
    url.search = new URLSearchParams({
      client_id: client.client_id, redirect_uri: clients.basic.redirectUri, response_type: 'code', scope: 'openid', state,
      code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier), code_challenge_method: 'S256',
    }).toString()
    const callback = await new Browser().follow(url, clients.basic.redirectUri)
    const params = oauth.validateAuthResponse(as, client, callback, state)
    const response = await oauth.authorizationCodeGrantRequest(as, client, basicAuth(), params, clients.basic.redirectUri, codeVerifier, http)
    const result = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: oauth.expectNoNonce, requireIdToken: true })
    assert.equal(oauth.getValidatedIdTokenClaims(result).nonce, undefined)
  })

  it('client_secret_post and public (none) clients complete the code flow', async () => {
    const post = await login(as, clients.post, oauth.ClientSecretPost(clients.post.secret))
    assert.equal(post.claims.aud, clients.post.id)
    const pub = await login(as, clients.public, oauth.None())
    assert.equal(pub.claims.aud, clients.public.id)
    const response = await oauth.refreshTokenGrantRequest(as, pub.client, oauth.None(), pub.result.refresh_token, http)
    assert.ok((await oauth.processRefreshTokenResponse(as, pub.client, response)).access_token)
  })

  it('clientCredentialsGrantRequest / processClientCredentialsResponse (client_secret_basic, resource)', async () => {
    const client = { client_id: clients.service.id }
    const auth = oauth.ClientSecretBasic(clients.service.secret)
    const result = await oauth.processClientCredentialsResponse(as, client,
      await oauth.clientCredentialsGrantRequest(as, client, auth, {}, http))
    assert.ok(result.access_token)
    assert.equal(result.refresh_token, undefined)
    const request = new Request('https://api.interop.test/', { headers: { authorization: `Bearer ${result.access_token}` } })
    const at = await oauth.validateJwtAccessToken(as, request, clients.service.id, http)
    assert.equal(at.sub, clients.service.id)

    const forApi = await oauth.processClientCredentialsResponse(as, client,
      await oauth.clientCredentialsGrantRequest(as, client, auth, { resource }, http))
    const apiRequest = new Request('https://api.interop.test/', { headers: { authorization: `Bearer ${forApi.access_token}` } })
    assert.equal((await oauth.validateJwtAccessToken(as, apiRequest, resource, http)).aud, resource)
  })

  for (const alg of ['RS256', 'ES256', 'PS256']) {
    it(`PrivateKeyJwt (${alg}): code flow, refresh, introspection, revocation and client credentials`, async () => {
      const jwk = privateJwk(alg)
      const auth = () => oauth.PrivateKeyJwt({ key: privateKey, kid: jwk.kid })
      const privateKey = await jose.importJWK(jwk, alg)
      const { client, result } = await login(as, clients.jwt, auth())
      const refreshed = await oauth.processRefreshTokenResponse(as, client,
        await oauth.refreshTokenGrantRequest(as, client, auth(), result.refresh_token, http))
      assert.ok(refreshed.refresh_token)
      const introspected = await oauth.processIntrospectionResponse(as, client,
        await oauth.introspectionRequest(as, client, auth(), refreshed.access_token, http))
      assert.equal(introspected.active, true)
      await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, auth(), refreshed.refresh_token, http))
      const service = await oauth.processClientCredentialsResponse(as, client,
        await oauth.clientCredentialsGrantRequest(as, client, auth(), {}, http))
      assert.ok(service.access_token)
    })
  }

  it('a private_key_jwt assertion without kid is accepted', async () => {
    const client = { client_id: clients.jwt.id }
    const privateKey = await jose.importJWK(privateJwk('RS256'), 'RS256')
    const result = await oauth.processClientCredentialsResponse(as, client,
      await oauth.clientCredentialsGrantRequest(as, client, oauth.PrivateKeyJwt(privateKey), {}, http))
    assert.ok(result.access_token)
  })

  it('a private_key_jwt assertion typed client-authentication+jwt is accepted; one for the token endpoint is not (rfc7523bis)', async () => {
    const jwk = privateJwk('ES256')
    const privateKey = await jose.importJWK(jwk, 'ES256')
    const client = { client_id: clients.jwt.id }
    const typed = oauth.PrivateKeyJwt({ key: privateKey, kid: jwk.kid }, { [oauth.modifyAssertion]: (header) => { header.typ = 'client-authentication+jwt' } })
    assert.ok((await oauth.processClientCredentialsResponse(as, client,
      await oauth.clientCredentialsGrantRequest(as, client, typed, {}, http))).access_token)
    // The bridge runs with Bridge:ClientAuthentication:AssertionAudience=Issuer (run.sh).
    const toTokenEndpoint = oauth.PrivateKeyJwt({ key: privateKey, kid: jwk.kid }, { [oauth.modifyAssertion]: (_header, payload) => { payload.aud = as.token_endpoint } })
    await assert.rejects(oauth.processClientCredentialsResponse(as, client,
      await oauth.clientCredentialsGrantRequest(as, client, toTokenEndpoint, {}, http)),
    (e) => isOAuthError('invalid_client')(e) && e.error_description.includes(issuer))
  })

  it('ClientSecretBasic with a secret that must be form-encoded (RFC 6749 §2.3.1)', async () => {
    const client = { client_id: clients.special.id }
    const auth = oauth.ClientSecretBasic(clients.special.secret)
    const result = await oauth.processClientCredentialsResponse(as, client,
      await oauth.clientCredentialsGrantRequest(as, client, auth, {}, http))
    const introspected = await oauth.processIntrospectionResponse(as, client,
      await oauth.introspectionRequest(as, client, auth, result.access_token, http))
    assert.equal(introspected.active, true)
  })

  it('a public client revokes its own refresh token (None)', async () => {
    const { client, result } = await login(as, clients.public, oauth.None())
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, oauth.None(), result.refresh_token, http))
    const refresh = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), result.refresh_token, http)
    await assert.rejects(oauth.processRefreshTokenResponse(as, client, refresh), isOAuthError('invalid_grant'))
  })

  it('a replayed private_key_jwt assertion is refused (invalid_client)', async () => {
    const jwk = privateJwk('ES256')
    const privateKey = await jose.importJWK(jwk, 'ES256')
    const client = { client_id: clients.jwt.id }
    let assertion
    const capture = async (url, init) => {
      assertion ??= new URLSearchParams(init.body).get('client_assertion')
      const body = new URLSearchParams(init.body)
      body.set('client_assertion', assertion)
      return fetch(url, { ...init, body })
    }
    const auth = oauth.PrivateKeyJwt({ key: privateKey, kid: jwk.kid })
    const first = await oauth.clientCredentialsGrantRequest(as, client, auth, {}, { ...http, [oauth.customFetch]: capture })
    assert.ok((await oauth.processClientCredentialsResponse(as, client, first)).access_token)
    const second = await oauth.clientCredentialsGrantRequest(as, client, auth, {}, { ...http, [oauth.customFetch]: capture })
    await assert.rejects(oauth.processClientCredentialsResponse(as, client, second), isOAuthError('invalid_client'))
  })

  it('an authorization error (prompt=none without a session: login_required) passes the iss and state checks of validateAuthResponse', async () => {
    const client = { client_id: clients.basic.id }
    const state = oauth.generateRandomState()
    const url = new URL(as.authorization_endpoint)
    url.search = new URLSearchParams({
      client_id: client.client_id, redirect_uri: clients.basic.redirectUri, response_type: 'code', scope: 'openid',
      state, prompt: 'none', code_challenge: await oauth.calculatePKCECodeChallenge(oauth.generateRandomCodeVerifier()), code_challenge_method: 'S256',
    }).toString()
    const callback = await new Browser().follow(url, clients.basic.redirectUri)
    assert.throws(() => oauth.validateAuthResponse(as, client, callback, state),
      (e) => e instanceof oauth.AuthorizationResponseError && e.error === 'login_required')
  })

  it('pushedAuthorizationRequest / processPushedAuthorizationResponse: code flow with the request_uri, ID token validated', async () => {
    assert.equal(as.pushed_authorization_request_endpoint, issuer + '/connect/par')
    const client = { client_id: clients.basic.id }
    const codeVerifier = oauth.generateRandomCodeVerifier()
    const state = oauth.generateRandomState()
    const nonce = oauth.generateRandomNonce()
    const pushed = await oauth.processPushedAuthorizationResponse(as, client, await oauth.pushedAuthorizationRequest(as, client, basicAuth(), {
      redirect_uri: clients.basic.redirectUri,
      response_type: 'code',
      scope: 'openid email wallet',
      state,
      nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    }, http))
    assert.match(pushed.request_uri, /^urn:ietf:params:oauth:request_uri:/)
    assert.ok(pushed.expires_in > 0)
    const url = new URL(as.authorization_endpoint)
    url.search = new URLSearchParams({ client_id: client.client_id, request_uri: pushed.request_uri }).toString()
    const callback = await new Browser().follow(url, clients.basic.redirectUri)
    const params = oauth.validateAuthResponse(as, client, callback, state)
    const response = await oauth.authorizationCodeGrantRequest(as, client, basicAuth(), params, clients.basic.redirectUri, codeVerifier, http)
    const result = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce, requireIdToken: true })
    const claims = oauth.getValidatedIdTokenClaims(result)
    assert.equal(claims.aud, clients.basic.id)
    assert.equal(claims.nonce, nonce)
    assert.equal(claims.xrpl_address, wallet)
  })

  it('a public client pushes with its client_id alone (None)', async () => {
    const client = { client_id: clients.public.id }
    const codeVerifier = oauth.generateRandomCodeVerifier()
    const state = oauth.generateRandomState()
    const pushed = await oauth.processPushedAuthorizationResponse(as, client, await oauth.pushedAuthorizationRequest(as, client, oauth.None(), {
      redirect_uri: clients.public.redirectUri,
      response_type: 'code',
      scope: 'openid',
      state,
      code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
    }, http))
    const url = new URL(as.authorization_endpoint)
    url.search = new URLSearchParams({ client_id: client.client_id, request_uri: pushed.request_uri }).toString()
    const params = oauth.validateAuthResponse(as, client, await new Browser().follow(url, clients.public.redirectUri), state)
    const result = await oauth.processAuthorizationCodeResponse(as, client,
      await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, clients.public.redirectUri, codeVerifier, http), { requireIdToken: true })
    assert.equal(oauth.getValidatedIdTokenClaims(result).aud, client.client_id)
  })

  it('a push with a wrong client secret is refused: 401 with a Basic challenge and invalid_client, as at the token endpoint', async () => {
    const client = { client_id: clients.basic.id }
    const response = await oauth.pushedAuthorizationRequest(as, client, oauth.ClientSecretBasic('wrong'),
      { redirect_uri: clients.basic.redirectUri, response_type: 'code', scope: 'openid' }, http)
    const e = await oauth.processPushedAuthorizationResponse(as, client, response).then(() => null, (error) => error)
    assert.ok(e instanceof oauth.WWWAuthenticateChallengeError, `expected a challenge, got ${e?.name}: ${e?.message}`)
    assert.equal(e.status, 401)
    assert.equal(e.cause[0].scheme, 'basic')
    assert.equal((await e.response.json()).error, 'invalid_client')
  })
})
