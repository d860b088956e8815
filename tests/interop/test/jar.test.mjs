// Signed request objects (RFC 9101, JAR) made by the libraries themselves: openid-client's
// buildAuthorizationUrlWithJAR (alone, and followed by buildAuthorizationUrlWithPAR) and oauth4webapi's
// issueRequestObject (at the authorization endpoint and in pushedAuthorizationRequest), signed with the keys
// registered for interop-jwt; each login ends in a token response whose ID token the library validated.
import { describe, it, before } from 'node:test'
import assert from 'node:assert/strict'
import * as client from 'openid-client'
import * as oauth from 'oauth4webapi'
import * as jose from 'jose'
import { Browser, clients, issuer, jwtHeader, jwtPayload, privateJwk, wallet } from './support.mjs'

const insecure = { execute: [client.allowInsecureRequests] } // the bridge runs on http://127.0.0.1
const http = { [oauth.allowInsecureRequests]: true }

async function signingKey(alg) {
  const jwk = privateJwk(alg)
  return { key: await jose.importJWK(jwk, alg), kid: jwk.kid }
}

describe('openid-client JAR', () => {
  let config
  before(async () => {
    config = await client.discovery(new URL(issuer), clients.jwt.id, undefined, client.PrivateKeyJwt(await signingKey('ES256')), insecure)
  })

  it('discovery announces request objects signed with the private_key_jwt algorithms', () => {
    const meta = config.serverMetadata()
    assert.equal(meta.request_parameter_supported, true)
    assert.deepEqual([...meta.request_object_signing_alg_values_supported].sort(), ['ES256', 'PS256', 'RS256'])
    assert.equal(meta.request_uri_parameter_supported, false)
  })

  for (const alg of ['RS256', 'PS256', 'ES256']) {
    it(`buildAuthorizationUrlWithJAR (${alg}): the login completes and the ID token is validated`, async () => {
      const codeVerifier = client.randomPKCECodeVerifier()
      const state = client.randomState()
      const nonce = client.randomNonce()
      const url = await client.buildAuthorizationUrlWithJAR(config, {
        redirect_uri: clients.jwt.redirectUri,
        scope: 'openid profile wallet',
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      }, await signingKey(alg))
      assert.deepEqual([...url.searchParams.keys()].sort(), ['client_id', 'request'])
      const requestObject = url.searchParams.get('request')
      assert.equal(jwtHeader(requestObject).alg, alg)
      assert.equal(jwtHeader(requestObject).typ, 'oauth-authz-req+jwt')

      const callback = await new Browser().follow(url, clients.jwt.redirectUri)
      const tokens = await client.authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: codeVerifier,
        expectedState: state,
        expectedNonce: nonce,
        idTokenExpected: true,
      })
      const claims = tokens.claims()
      assert.equal(claims.aud, clients.jwt.id)
      assert.equal(claims.nonce, nonce)
      assert.equal(claims.xrpl_address, wallet)
      assert.equal(tokens.scope, 'openid profile wallet')
    })
  }

  it('buildAuthorizationUrlWithJAR then buildAuthorizationUrlWithPAR: the pushed request object completes a login', async () => {
    const codeVerifier = client.randomPKCECodeVerifier()
    const state = client.randomState()
    const nonce = client.randomNonce()
    const { searchParams } = await client.buildAuthorizationUrlWithJAR(config, {
      redirect_uri: clients.jwt.redirectUri,
      scope: 'openid email',
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    }, await signingKey('PS256'))
    const url = await client.buildAuthorizationUrlWithPAR(config, searchParams)
    assert.deepEqual([...url.searchParams.keys()].sort(), ['client_id', 'request_uri'])

    const callback = await new Browser().follow(url, clients.jwt.redirectUri)
    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: codeVerifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    })
    assert.equal(tokens.claims().nonce, nonce)
    assert.equal(tokens.scope, 'openid email')
  })

  it('a request object signed with a key that is not registered is refused on a page (invalid_request_object), never redirected', async () => {
    const { privateKey } = await jose.generateKeyPair('ES256')
    const url = await client.buildAuthorizationUrlWithJAR(config, {
      redirect_uri: clients.jwt.redirectUri,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    }, { key: privateKey, kid: privateJwk('ES256').kid })
    const page = await new Browser().followToPage(url)
    assert.equal(page.status, 400)
    assert.match(page.text, /invalid_request_object/)
  })
})

describe('oauth4webapi issueRequestObject', () => {
  let as
  const c = { client_id: clients.jwt.id }
  before(async () => {
    const url = new URL(issuer)
    as = await oauth.processDiscoveryResponse(url, await oauth.discoveryRequest(url, { algorithm: 'oidc', ...http }))
  })

  async function parameters() {
    const codeVerifier = oauth.generateRandomCodeVerifier()
    const state = oauth.generateRandomState()
    const nonce = oauth.generateRandomNonce()
    return {
      codeVerifier, state, nonce,
      params: {
        redirect_uri: clients.jwt.redirectUri,
        response_type: 'code',
        scope: 'openid profile',
        state,
        nonce,
        max_age: '600',
        code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
      },
    }
  }

  async function redeem(callback, { codeVerifier, state, nonce }) {
    const auth = oauth.PrivateKeyJwt(await signingKey('RS256'))
    const params = oauth.validateAuthResponse(as, c, callback, state)
    const response = await oauth.authorizationCodeGrantRequest(as, c, auth, params, clients.jwt.redirectUri, codeVerifier, http)
    const result = await oauth.processAuthorizationCodeResponse(as, c, response, { expectedNonce: nonce, requireIdToken: true, maxAge: 600 })
    return oauth.getValidatedIdTokenClaims(result)
  }

  it('at the authorization endpoint: the login completes and the ID token is validated', async () => {
    const request = await parameters()
    const requestObject = await oauth.issueRequestObject(as, c, request.params, await signingKey('ES256'))
    // max_age travels as a JSON number in the object (OIDC Core §6.1).
    assert.equal(jwtPayload(requestObject).max_age, 600)
    const url = new URL(as.authorization_endpoint)
    url.search = new URLSearchParams({ client_id: c.client_id, request: requestObject }).toString()

    const claims = await redeem(await new Browser().follow(url, clients.jwt.redirectUri), request)
    assert.equal(claims.aud, clients.jwt.id)
    assert.equal(claims.nonce, request.nonce)
    assert.ok(claims.auth_time)
  })

  it('in a pushed authorization request: the object is pushed, its request_uri completes the login', async () => {
    const request = await parameters()
    const requestObject = await oauth.issueRequestObject(as, c, request.params, await signingKey('RS256'))
    const pushed = await oauth.processPushedAuthorizationResponse(as, c, await oauth.pushedAuthorizationRequest(as, c,
      oauth.PrivateKeyJwt(await signingKey('ES256')), { request: requestObject }, http))
    assert.match(pushed.request_uri, /^urn:ietf:params:oauth:request_uri:/)
    const url = new URL(as.authorization_endpoint)
    url.search = new URLSearchParams({ client_id: c.client_id, request_uri: pushed.request_uri }).toString()

    const claims = await redeem(await new Browser().follow(url, clients.jwt.redirectUri), request)
    assert.equal(claims.nonce, request.nonce)
  })

  it('a pushed request object of another audience is refused at the push (invalid_request_object)', async () => {
    const request = await parameters()
    const requestObject = await oauth.issueRequestObject(as, c, request.params, await signingKey('RS256'),
      { [oauth.modifyAssertion]: (_header, payload) => { payload.aud = 'https://other-as.example' } })
    const response = await oauth.pushedAuthorizationRequest(as, c, oauth.PrivateKeyJwt(await signingKey('ES256')), { request: requestObject }, http)
    const e = await oauth.processPushedAuthorizationResponse(as, c, response).then(() => null, (error) => error)
    assert.ok(e instanceof oauth.ResponseBodyError, `expected ResponseBodyError, got ${e?.name}: ${e?.message}`)
    assert.equal(e.error, 'invalid_request_object')
  })
})
