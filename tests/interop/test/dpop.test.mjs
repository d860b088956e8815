// DPoP (RFC 9449) with oauth4webapi's own proofs (generateKeyPair, DPoP(client, keyPair)): tokens bound to the
// client's key at the token endpoint, refreshed and used at userinfo with proofs, for the public client (whose
// refresh token is bound too, and whose code is bound with dpop_jkt) and for a confidential one. The same with
// openid-client's DPoP handle (getDPoPHandle, randomDPoPKeyPair).
import { describe, it, before } from 'node:test'
import assert from 'node:assert/strict'
import * as oauth from 'oauth4webapi'
import * as oidc from 'openid-client'
import { Browser, clients, issuer, jwtPayload, wallet } from './support.mjs'

const http = { [oauth.allowInsecureRequests]: true } // the bridge runs on http://127.0.0.1

async function discover() {
  const url = new URL(issuer)
  return oauth.processDiscoveryResponse(url, await oauth.discoveryRequest(url, { algorithm: 'oidc', ...http }))
}

/** A login for client c whose token request carries a proof of DPoP's key; extra authorize parameters in extra. */
async function login(as, c, clientAuth, DPoP, extra = {}) {
  const client = { client_id: c.id }
  const codeVerifier = oauth.generateRandomCodeVerifier()
  const state = oauth.generateRandomState()
  const nonce = oauth.generateRandomNonce()
  const url = new URL(as.authorization_endpoint)
  url.search = new URLSearchParams({
    client_id: c.id, redirect_uri: c.redirectUri, response_type: 'code', scope: 'openid profile wallet offline_access', state, nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier), code_challenge_method: 'S256', ...extra,
  }).toString()
  const callback = await new Browser().follow(url, c.redirectUri)
  const params = oauth.validateAuthResponse(as, client, callback, state)
  const response = await oauth.authorizationCodeGrantRequest(as, client, clientAuth, params, c.redirectUri, codeVerifier, { DPoP, ...http })
  const result = await oauth.processAuthorizationCodeResponse(as, client, response, { expectedNonce: nonce, requireIdToken: true })
  return { client, result, claims: oauth.getValidatedIdTokenClaims(result) }
}

function isOAuthError(...codes) {
  return (e) => {
    assert.ok(e instanceof oauth.ResponseBodyError, `expected ResponseBodyError, got ${e?.name}: ${e?.message}`)
    assert.ok(codes.includes(e.error), `expected ${codes.join(' or ')}, got ${e.error}`)
    return true
  }
}

/** Login, userinfo, refresh, userinfo again: everything bound to DPoP's key. */
async function boundRoundTrip(as, c, clientAuth, DPoP, extra) {
  const { client, result, claims } = await login(as, c, clientAuth, DPoP, extra)
  const jkt = await DPoP.calculateThumbprint()
  assert.match(result.token_type, /^dpop$/i)
  assert.equal(jwtPayload(result.access_token).cnf.jkt, jkt)

  const info = await oauth.processUserInfoResponse(as, client, claims.sub, await oauth.userInfoRequest(as, client, result.access_token, { DPoP, ...http }))
  assert.equal(info.xrpl_address, wallet)

  const refreshed = await oauth.processRefreshTokenResponse(as, client,
    await oauth.refreshTokenGrantRequest(as, client, clientAuth, result.refresh_token, { DPoP, ...http }))
  assert.match(refreshed.token_type, /^dpop$/i)
  assert.equal(jwtPayload(refreshed.access_token).cnf.jkt, jkt)
  const again = await oauth.processUserInfoResponse(as, client, claims.sub, await oauth.userInfoRequest(as, client, refreshed.access_token, { DPoP, ...http }))
  assert.equal(again.sub, claims.sub)
  return { client, result: refreshed, claims }
}

describe('DPoP with oauth4webapi', () => {
  let as
  before(async () => {
    as = await discover()
  })

  it('discovery advertises the proof algorithms', () => {
    assert.deepEqual(as.dpop_signing_alg_values_supported, ['RS256', 'ES256', 'PS256'])
  })

  for (const alg of ['ES256', 'PS256', 'RS256']) {
    it(`public client (${alg}): bound login, refresh and userinfo; the refresh token needs a proof of the same key`, async () => {
      const DPoP = oauth.DPoP({ client_id: clients.public.id }, await oauth.generateKeyPair(alg))
      const { client, result } = await boundRoundTrip(as, clients.public, oauth.None(), DPoP)

      await assert.rejects(oauth.processRefreshTokenResponse(as, client,
        await oauth.refreshTokenGrantRequest(as, client, oauth.None(), result.refresh_token, http)), isOAuthError('invalid_dpop_proof', 'invalid_grant'))
      const other = oauth.DPoP(client, await oauth.generateKeyPair('ES256'))
      await assert.rejects(oauth.processRefreshTokenResponse(as, client,
        await oauth.refreshTokenGrantRequest(as, client, oauth.None(), result.refresh_token, { DPoP: other, ...http })), isOAuthError('invalid_dpop_proof', 'invalid_grant'))
    })
  }

  it('public client: a code asked for with dpop_jkt is redeemed with a proof of that key', async () => {
    const DPoP = oauth.DPoP({ client_id: clients.public.id }, await oauth.generateKeyPair('ES256'))
    await boundRoundTrip(as, clients.public, oauth.None(), DPoP, { dpop_jkt: await DPoP.calculateThumbprint() })

    const other = oauth.DPoP({ client_id: clients.public.id }, await oauth.generateKeyPair('ES256'))
    await assert.rejects(login(as, clients.public, oauth.None(), other, { dpop_jkt: await DPoP.calculateThumbprint() }), isOAuthError('invalid_dpop_proof', 'invalid_grant'))
  })

  it('confidential client: bound login, refresh and userinfo; its refresh token is not bound', async () => {
    const c = clients.basic
    const DPoP = oauth.DPoP({ client_id: c.id }, await oauth.generateKeyPair('ES256'))
    const { client, result } = await boundRoundTrip(as, c, oauth.ClientSecretBasic(c.secret), DPoP)
    const plain = await oauth.processRefreshTokenResponse(as, client,
      await oauth.refreshTokenGrantRequest(as, client, oauth.ClientSecretBasic(c.secret), result.refresh_token, http))
    assert.match(plain.token_type, /^bearer$/i)
    assert.equal(jwtPayload(plain.access_token).cnf, undefined)
  })

  it('a bound access token is refused as a bearer token, and validates at a resource server with a proof', async () => {
    const c = clients.basic
    const DPoP = oauth.DPoP({ client_id: c.id }, await oauth.generateKeyPair('ES256'))
    const { result } = await login(as, c, oauth.ClientSecretBasic(c.secret), DPoP)

    const asBearer = await fetch(as.userinfo_endpoint, { headers: { authorization: `Bearer ${result.access_token}` } })
    assert.equal(asBearer.status, 401)
    const challenge = asBearer.headers.get('www-authenticate')
    assert.match(challenge, /^DPoP /)
    assert.match(challenge, /error="invalid_token"/)
    assert.match(challenge, /algs="RS256 ES256 PS256"/)

    // oauth4webapi as a resource server checks the proof against the token's cnf.jkt (RFC 9449 §7).
    const url = new URL('https://api.interop.test/resource')
    const headers = new Headers({ authorization: `DPoP ${result.access_token}` })
    await DPoP.addProof(url, headers, 'GET', result.access_token)
    const at = await oauth.validateJwtAccessToken(as, new Request(url, { headers }), c.id, http)
    assert.equal(at.cnf.jkt, await DPoP.calculateThumbprint())
  })
})

describe('DPoP with openid-client', () => {
  // openid-client's own DPoP handle (getDPoPHandle, randomDPoPKeyPair) makes every proof; the library checks the
  // token responses, the ID token and the userinfo subject itself.
  async function boundLogin(c, auth, alg) {
    const config = await oidc.discovery(new URL(issuer), c.id, undefined, auth, { execute: [oidc.allowInsecureRequests] })
    const DPoP = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair(alg))
    const codeVerifier = oidc.randomPKCECodeVerifier()
    const state = oidc.randomState()
    const nonce = oidc.randomNonce()
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: c.redirectUri, scope: 'openid profile wallet offline_access', state, nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier), code_challenge_method: 'S256',
    })
    const callback = await new Browser().follow(url, c.redirectUri)
    const tokens = await oidc.authorizationCodeGrant(config, callback,
      { pkceCodeVerifier: codeVerifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true }, undefined, { DPoP })
    return { config, DPoP, tokens, jkt: await DPoP.calculateThumbprint() }
  }

  for (const alg of ['ES256', 'PS256']) {
    it(`public client (${alg}): bound login, userinfo and refresh; the refresh token needs the same key`, async () => {
      const { config, DPoP, tokens, jkt } = await boundLogin(clients.public, oidc.None(), alg)
      assert.match(tokens.token_type, /^dpop$/i)
      assert.equal(jwtPayload(tokens.access_token).cnf.jkt, jkt)
      const sub = tokens.claims().sub
      assert.equal((await oidc.fetchUserInfo(config, tokens.access_token, sub, { DPoP })).xrpl_address, wallet)

      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token, undefined, { DPoP })
      assert.match(refreshed.token_type, /^dpop$/i)
      assert.equal(jwtPayload(refreshed.access_token).cnf.jkt, jkt)
      assert.equal((await oidc.fetchUserInfo(config, refreshed.access_token, sub, { DPoP })).sub, sub)

      // Without a proof, or with another key's, the bound refresh token is refused.
      await assert.rejects(oidc.refreshTokenGrant(config, refreshed.refresh_token), isOpenIdClientError('invalid_dpop_proof', 'invalid_grant'))
      const other = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair('ES256'))
      await assert.rejects(oidc.refreshTokenGrant(config, refreshed.refresh_token, undefined, { DPoP: other }), isOpenIdClientError('invalid_dpop_proof', 'invalid_grant'))
    })
  }

  it('confidential client: bound access tokens, an unbound refresh token; a bound token is no bearer token', async () => {
    const c = clients.basic
    const { config, DPoP, tokens, jkt } = await boundLogin(c, oidc.ClientSecretBasic(c.secret), 'ES256')
    assert.match(tokens.token_type, /^dpop$/i)
    assert.equal(jwtPayload(tokens.access_token).cnf.jkt, jkt)
    const sub = tokens.claims().sub
    assert.equal((await oidc.fetchUserInfo(config, tokens.access_token, sub, { DPoP })).sub, sub)
    // Sent without the handle, openid-client presents it as Bearer: the DPoP challenge says why it is refused.
    await assert.rejects(oidc.fetchUserInfo(config, tokens.access_token, sub), (e) => {
      assert.ok(e instanceof oidc.WWWAuthenticateChallengeError, `expected WWWAuthenticateChallengeError, got ${e?.name}: ${e?.message}`)
      assert.ok(e.cause.some((ch) => ch.scheme === 'dpop' && ch.parameters.error === 'invalid_token'))
      return true
    })

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token, undefined, { DPoP })
    assert.equal(jwtPayload(refreshed.access_token).cnf.jkt, jkt)
    const plain = await oidc.refreshTokenGrant(config, refreshed.refresh_token)
    assert.match(plain.token_type, /^bearer$/i)
    assert.equal(jwtPayload(plain.access_token).cnf, undefined)
  })
})

function isOpenIdClientError(...codes) {
  return (e) => {
    assert.ok(e instanceof oidc.ResponseBodyError, `expected ResponseBodyError, got ${e?.name}: ${e?.message}`)
    assert.ok(codes.includes(e.error), `expected ${codes.join(' or ')}, got ${e.error}`)
    return true
  }
}
