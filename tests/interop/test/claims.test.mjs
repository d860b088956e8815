// The claims request parameter (OpenID Connect Core §5.5) sent by openid-client: single claims asked for the ID
// token and for userinfo beyond those of the scope, and the ID token validated by the library.
import { describe, it, before } from 'node:test'
import assert from 'node:assert/strict'
import * as client from 'openid-client'
import { Browser, clients, issuer, wallet } from './support.mjs'

const insecure = { execute: [client.allowInsecureRequests] } // the bridge runs on http://127.0.0.1

/** A login with scope openid alone and the claims parameter given; the tokens. */
async function login(config, c, claims) {
  const codeVerifier = client.randomPKCECodeVerifier()
  const state = client.randomState()
  const nonce = client.randomNonce()
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: c.redirectUri,
    scope: 'openid',
    claims: JSON.stringify(claims),
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  })
  const callback = await new Browser().follow(url, c.redirectUri)
  return client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: codeVerifier,
    expectedState: state,
    expectedNonce: nonce,
    idTokenExpected: true,
  })
}

describe('claims parameter (openid-client)', () => {
  let config
  before(async () => {
    config = await client.discovery(new URL(issuer), clients.basic.id, undefined, client.ClientSecretBasic(clients.basic.secret), insecure)
  })

  it('is announced in discovery', () => {
    assert.equal(config.serverMetadata().claims_parameter_supported, true)
  })

  it('adds a claim to the ID token that scope=openid alone would not put there', async () => {
    const tokens = await login(config, clients.basic, { id_token: { xrpl_address: { essential: true } } })
    assert.equal(tokens.scope, 'openid')
    const claims = tokens.claims()
    assert.equal(claims.xrpl_address, wallet)
    assert.equal(claims.xrpl_addresses, undefined, 'only the claim asked for, not the rest of its scope')
    const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub)
    assert.equal(info.xrpl_address, undefined, 'asked for the ID token only')
  })

  it('returns a claim at userinfo that scope=openid alone would not return', async () => {
    const tokens = await login(config, clients.basic, { userinfo: { xrpl_address: null, xrpl_network: null } })
    const claims = tokens.claims()
    assert.equal(claims.xrpl_address, undefined, 'asked for userinfo only')
    const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub)
    assert.equal(info.sub, claims.sub)
    assert.equal(info.xrpl_address, wallet)
    assert.equal(typeof info.xrpl_network, 'string')
  })
})
