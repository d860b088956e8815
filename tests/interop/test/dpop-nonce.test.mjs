// DPoP server nonces (RFC 9449 §8 at the token and PAR endpoints, §9 at userinfo) against the bridge that requires
// them (Bridge:DPoP:RequireNonce): openid-client answers the use_dpop_nonce challenge by itself, oauth4webapi keeps
// the nonce its DPoP handle was given and the caller retries once, as its documentation has it. Every exchange is
// recorded to show that the challenge did happen, and that the retry carried the nonce the bridge gave.
import { describe, it, before } from 'node:test'
import assert from 'node:assert/strict'
import * as oauth from 'oauth4webapi'
import * as oidc from 'openid-client'
import { Browser, clients, jwtPayload, nonceIssuer, wallet } from './support.mjs'

/** A fetch that records, for each request, its path, the nonce of its DPoP proof and what the bridge answered. */
function recorder() {
  const exchanges = []
  const record = async (url, options) => {
    const response = await fetch(url, options)
    const proof = new Headers(options?.headers).get('dpop')
    const json = response.status >= 400 && response.headers.get('content-type')?.includes('json') ? await response.clone().json() : undefined
    exchanges.push({
      path: new URL(url).pathname,
      proofNonce: proof ? (jwtPayload(proof).nonce ?? null) : undefined,
      status: response.status,
      error: json?.error,
      challenge: response.headers.get('www-authenticate'),
      nonce: response.headers.get('dpop-nonce'),
    })
    return response
  }
  return { exchanges, record, at: (path) => exchanges.filter((e) => e.path === path) }
}

/** The first exchange at an endpoint was refused for want of a nonce, and the retry carried the one it was given. */
function assertChallengedThenAnswered(calls, { status, challenge }) {
  assert.ok(calls.length >= 2, `expected a challenge and a retry, got ${JSON.stringify(calls)}`)
  const [refused, retried] = calls
  assert.equal(refused.proofNonce, null, 'the first proof had no nonce to carry')
  if (challenge) {
    assert.equal(refused.status, 401)
    assert.match(refused.challenge, /^DPoP /)
    assert.match(refused.challenge, /error="use_dpop_nonce"/)
  } else {
    assert.equal(refused.status, 400)
    assert.equal(refused.error, 'use_dpop_nonce')
  }
  assert.ok(refused.nonce, 'the refusal gave a nonce')
  assert.equal(retried.proofNonce, refused.nonce, 'the retry carried the nonce given')
  assert.equal(retried.status, status)
  assert.ok(retried.nonce, 'the answer offers a fresh nonce')
}

const authorizationParameters = async (c, codeVerifier, state, nonce) => ({
  redirect_uri: c.redirectUri, scope: 'openid profile wallet offline_access', state, nonce,
  code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier), code_challenge_method: 'S256',
})

describe('DPoP nonces with openid-client', () => {
  async function configure(c, auth) {
    const config = await oidc.discovery(new URL(nonceIssuer), c.id, undefined, auth, { execute: [oidc.allowInsecureRequests] })
    const log = recorder()
    config[oidc.customFetch] = log.record
    return { config, log }
  }

  it('public client: code, userinfo and refresh; each first request is challenged and retried by the library', async () => {
    const c = clients.public
    const { config, log } = await configure(c, oidc.None())
    const keyPair = await oidc.randomDPoPKeyPair('ES256')
    const DPoP = oidc.getDPoPHandle(config, keyPair)
    const codeVerifier = oidc.randomPKCECodeVerifier()
    const state = oidc.randomState()
    const nonce = oidc.randomNonce()
    const url = oidc.buildAuthorizationUrl(config, await authorizationParameters(c, codeVerifier, state, nonce))
    const callback = await new Browser().follow(url, c.redirectUri)
    const tokens = await oidc.authorizationCodeGrant(config, callback,
      { pkceCodeVerifier: codeVerifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true }, undefined, { DPoP })
    assert.match(tokens.token_type, /^dpop$/i)
    assert.equal(jwtPayload(tokens.access_token).cnf.jkt, await DPoP.calculateThumbprint())
    assertChallengedThenAnswered(log.at('/connect/token'), { status: 200 })

    // The handle keeps the nonce of the token response: userinfo and the refresh need no second challenge.
    const sub = tokens.claims().sub
    assert.equal((await oidc.fetchUserInfo(config, tokens.access_token, sub, { DPoP })).xrpl_address, wallet)
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token, undefined, { DPoP })
    assert.match(refreshed.token_type, /^dpop$/i)
    assert.equal(log.at('/connect/token').length, 3)
    assert.equal(log.at('/connect/userinfo').length, 1)
    for (const e of log.exchanges.slice(2)) {
      assert.ok(e.proofNonce, `${e.path}: the proof carried a nonce`)
      assert.ok(e.status < 300, `${e.path}: ${e.status} ${e.error ?? ''}`)
      assert.ok(e.nonce, `${e.path}: a fresh nonce was offered`)
    }

    // A new handle of the same key knows no nonce yet: userinfo answers with the challenge of §9, the library retries.
    const fresh = oidc.getDPoPHandle(config, keyPair)
    assert.equal((await oidc.fetchUserInfo(config, refreshed.access_token, sub, { DPoP: fresh })).sub, sub)
    assertChallengedThenAnswered(log.at('/connect/userinfo').slice(1), { status: 200, challenge: true })
  })

  it('confidential client: a pushed request with a proof is challenged, retried, and binds the code', async () => {
    const c = clients.basic
    const { config, log } = await configure(c, oidc.ClientSecretBasic(c.secret))
    const DPoP = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair('PS256'))
    const codeVerifier = oidc.randomPKCECodeVerifier()
    const state = oidc.randomState()
    const nonce = oidc.randomNonce()
    const url = await oidc.buildAuthorizationUrlWithPAR(config, await authorizationParameters(c, codeVerifier, state, nonce), { DPoP })
    assertChallengedThenAnswered(log.at('/connect/par'), { status: 201 })

    const callback = await new Browser().follow(url, c.redirectUri)
    const tokens = await oidc.authorizationCodeGrant(config, callback,
      { pkceCodeVerifier: codeVerifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true }, undefined, { DPoP })
    assert.equal(jwtPayload(tokens.access_token).cnf.jkt, await DPoP.calculateThumbprint())
    // The nonce of the push is good at the token endpoint: one bridge, one nonce.
    assert.deepEqual(log.at('/connect/token').map((e) => e.status), [200])
  })

  it('client credentials: the grant is challenged and retried once', async () => {
    const c = clients.service
    const { config, log } = await configure(c, oidc.ClientSecretBasic(c.secret))
    const DPoP = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair('ES256'))
    const tokens = await oidc.clientCredentialsGrant(config, {}, { DPoP })
    assert.match(tokens.token_type, /^dpop$/i)
    assertChallengedThenAnswered(log.at('/connect/token'), { status: 200 })
  })
})

describe('DPoP nonces with oauth4webapi', () => {
  const http = { [oauth.allowInsecureRequests]: true }
  let as
  before(async () => {
    const url = new URL(nonceIssuer)
    as = await oauth.processDiscoveryResponse(url, await oauth.discoveryRequest(url, { algorithm: 'oidc', ...http }))
  })

  /** oauth4webapi's way with nonces: the handle caches the nonce of every response; retry once on use_dpop_nonce. */
  async function onceMoreForNonce(attempt) {
    try {
      return await attempt()
    } catch (e) {
      if (oauth.isDPoPNonceError(e)) return attempt()
      throw e
    }
  }

  it('public client: code, userinfo and refresh with the nonce the handle was given', async () => {
    const c = clients.public
    const client = { client_id: c.id }
    const log = recorder()
    const options = { ...http, [oauth.customFetch]: log.record }
    const keyPair = await oauth.generateKeyPair('ES256')
    const DPoP = oauth.DPoP(client, keyPair)

    const codeVerifier = oauth.generateRandomCodeVerifier()
    const state = oauth.generateRandomState()
    const nonce = oauth.generateRandomNonce()
    const url = new URL(as.authorization_endpoint)
    url.search = new URLSearchParams({ client_id: c.id, response_type: 'code', ...await authorizationParameters(c, codeVerifier, state, nonce) }).toString()
    const params = oauth.validateAuthResponse(as, client, await new Browser().follow(url, c.redirectUri), state)
    const result = await onceMoreForNonce(async () => oauth.processAuthorizationCodeResponse(as, client,
      await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, c.redirectUri, codeVerifier, { DPoP, ...options }),
      { expectedNonce: nonce, requireIdToken: true }))
    assert.match(result.token_type, /^dpop$/i)
    assert.equal(jwtPayload(result.access_token).cnf.jkt, await DPoP.calculateThumbprint())
    assertChallengedThenAnswered(log.at('/connect/token'), { status: 200 })
    const sub = oauth.getValidatedIdTokenClaims(result).sub

    const info = await oauth.processUserInfoResponse(as, client, sub, await oauth.userInfoRequest(as, client, result.access_token, { DPoP, ...options }))
    assert.equal(info.xrpl_address, wallet)
    const refreshed = await oauth.processRefreshTokenResponse(as, client,
      await oauth.refreshTokenGrantRequest(as, client, oauth.None(), result.refresh_token, { DPoP, ...options }))
    assert.equal(jwtPayload(refreshed.access_token).cnf.jkt, await DPoP.calculateThumbprint())
    assert.deepEqual(log.exchanges.slice(2).map((e) => [e.path, e.status]), [['/connect/userinfo', 200], ['/connect/token', 200]])

    // A handle without a nonce gets the §9 challenge at userinfo; the error says so and the retry goes through.
    const fresh = oauth.DPoP(client, keyPair)
    const again = await onceMoreForNonce(async () => oauth.processUserInfoResponse(as, client, sub,
      await oauth.userInfoRequest(as, client, refreshed.access_token, { DPoP: fresh, ...options })))
    assert.equal(again.sub, sub)
    assertChallengedThenAnswered(log.at('/connect/userinfo').slice(1), { status: 200, challenge: true })
  })

  it('a forged nonce is refused with use_dpop_nonce and a nonce that works', async () => {
    const c = clients.service
    const client = { client_id: c.id }
    const log = recorder()
    const options = { ...http, [oauth.customFetch]: log.record }
    // The handle's hook sets the nonce of the first proof; afterwards the proofs carry what the bridge gave.
    let forged = true
    const DPoP = oauth.DPoP(client, await oauth.generateKeyPair('ES256'), {
      [oauth.modifyAssertion]: (_header, payload) => {
        if (forged) payload.nonce = 'a-nonce-the-bridge-never-issued'
        forged = false
      },
    })
    const result = await onceMoreForNonce(async () => oauth.processClientCredentialsResponse(as, client,
      await oauth.clientCredentialsGrantRequest(as, client, oauth.ClientSecretBasic(c.secret), new URLSearchParams(), { DPoP, ...options })))
    assert.match(result.token_type, /^dpop$/i)
    const [refused, retried] = log.at('/connect/token')
    assert.equal(refused.proofNonce, 'a-nonce-the-bridge-never-issued')
    assert.equal(refused.error, 'use_dpop_nonce')
    assert.equal(retried.proofNonce, refused.nonce)
    assert.equal(retried.status, 200)
  })
})
