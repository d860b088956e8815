// Shared by the interop tests: settings handed over by run.sh, and a minimal browser (cookie jar, redirects
// followed by hand) that drives a login through the bridge until it lands on the client's redirect URI.
import { readFileSync } from 'node:fs'

function required(name) {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is not set: run the suite with tests/interop/run.sh`)
  return value
}

export const issuer = required('INTEROP_ISSUER')
/** A second bridge with the same clients that requires a server nonce in every DPoP proof (Bridge:DPoP:RequireNonce). */
export const nonceIssuer = required('INTEROP_NONCE_ISSUER')
export const wallet = 'rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh'
export const resource = 'https://api.interop.test'

export const clients = {
  basic: { id: 'interop-basic', secret: required('INTEROP_SECRET_BASIC'), redirectUri: 'http://127.0.0.1:9/interop/basic/cb' },
  post: { id: 'interop-post', secret: required('INTEROP_SECRET_POST'), redirectUri: 'http://127.0.0.1:9/interop/post/cb' },
  public: { id: 'interop-public', redirectUri: 'http://127.0.0.1:9/interop/public/cb' },
  jwt: { id: 'interop-jwt', redirectUri: 'http://127.0.0.1:9/interop/jwt/cb' },
  es256: { id: 'interop-es256', secret: required('INTEROP_SECRET_ES256'), redirectUri: 'http://127.0.0.1:9/interop/es256/cb' },
  special: { id: 'interop-special', secret: required('INTEROP_SECRET_SPECIAL'), redirectUri: 'http://127.0.0.1:9/interop/special/cb' },
  service: { id: 'interop-service', secret: required('INTEROP_SECRET_SERVICE') },
}
for (const c of Object.values(clients)) if (c.redirectUri) c.postLogoutRedirectUri = `${c.redirectUri}/logged-out`

/** The private JWKs of the private_key_jwt client, by algorithm (RS256, ES256, PS256). */
export function privateJwk(alg) {
  return JSON.parse(readFileSync(required('INTEROP_KEYS'), 'utf8'))[alg]
}

/** A user agent: keeps the bridge's cookies and follows redirects by hand. */
export class Browser {
  #cookies = new Map()
  /** Every URL visited by the last follow(), in order. */
  visited = []

  /**
   * Requests url and follows Location headers (keeping cookies) until a Location starts with stopAt.
   * Returns that Location as a URL. Fails on any answer that is neither a redirect nor the stop.
   */
  async follow(url, stopAt, { maxHops = 15 } = {}) {
    this.visited = []
    let current = new URL(url)
    for (let hop = 0; hop < maxHops; hop++) {
      this.visited.push(current.href)
      const response = await fetch(current, { redirect: 'manual', headers: this.#cookieHeader(current) })
      this.#store(current, response)
      const location = response.headers.get('location')
      if (response.status < 300 || response.status > 399 || !location) {
        const body = await response.text()
        throw new Error(`expected a redirect from ${current.href}, got ${response.status}: ${body.slice(0, 400)}`)
      }
      await response.body?.cancel()
      const next = new URL(location, current)
      if (next.href.startsWith(stopAt)) return next
      current = next
    }
    throw new Error(`no redirect to ${stopAt} within ${maxHops} hops: ${this.visited.join(' -> ')}`)
  }

  /**
   * Like follow(), but ends at the first answer that is not a redirect and returns it (status and text),
   * e.g. the auto-submitted form of response_mode=form_post.
   */
  async followToPage(url, { maxHops = 15 } = {}) {
    this.visited = []
    let current = new URL(url)
    for (let hop = 0; hop < maxHops; hop++) {
      this.visited.push(current.href)
      const response = await fetch(current, { redirect: 'manual', headers: this.#cookieHeader(current) })
      this.#store(current, response)
      const location = response.headers.get('location')
      if (response.status < 300 || response.status > 399 || !location) {
        return { status: response.status, headers: response.headers, text: await response.text() }
      }
      await response.body?.cancel()
      current = new URL(location, current)
    }
    throw new Error(`still redirecting after ${maxHops} hops: ${this.visited.join(' -> ')}`)
  }

  /** A single GET with the cookies; the raw response (not followed). */
  async get(url) {
    const target = new URL(url)
    const response = await fetch(target, { redirect: 'manual', headers: this.#cookieHeader(target) })
    this.#store(target, response)
    return response
  }

  #cookieHeader(url) {
    const pairs = []
    for (const [name, c] of this.#cookies) if (c.host === url.host) pairs.push(`${name}=${c.value}`)
    return pairs.length ? { cookie: pairs.join('; ') } : {}
  }

  #store(url, response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';')
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq).trim()
      const value = pair.slice(eq + 1).trim()
      const expired = attributes.some((a) => {
        const [k, v = ''] = a.split('=').map((s) => s.trim())
        return (k.toLowerCase() === 'max-age' && Number(v) <= 0) || (k.toLowerCase() === 'expires' && Date.parse(v) <= Date.now())
      })
      if (expired || value === '') this.#cookies.delete(name)
      else this.#cookies.set(name, { value, host: url.host })
    }
  }
}

/** The payload of a JWT, without checking anything (for asserting on claims the libraries already validated). */
export function jwtPayload(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'))
}

/** The protected header of a JWT. */
export function jwtHeader(jwt) {
  return JSON.parse(Buffer.from(jwt.split('.')[0], 'base64url').toString('utf8'))
}

/** The action and the hidden fields of the first form of an HTML page (values entity-decoded). */
export function formOf(html) {
  const decode = (v) => v.replace(/&(#x[0-9a-f]+|#[0-9]+|amp|lt|gt|quot|apos|#39);/gi, (_, e) => {
    const named = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }
    if (named[e.toLowerCase()]) return named[e.toLowerCase()]
    return String.fromCodePoint(e[1].toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10))
  })
  const form = /<form\b[^>]*\baction="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(html)
  if (!form) throw new Error(`no form in: ${html.slice(0, 400)}`)
  const fields = new URLSearchParams()
  for (const input of form[2].matchAll(/<input\b[^>]*>/gi)) {
    const name = /\bname="([^"]*)"/i.exec(input[0])
    const value = /\bvalue="([^"]*)"/i.exec(input[0])
    if (name) fields.append(decode(name[1]), value ? decode(value[1]) : '')
  }
  return { action: decode(form[1]), fields }
}
