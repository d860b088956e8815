// Generates the private_key_jwt key pairs of the interop clients: one RS256, one ES256 and one PS256 key,
// each with a kid. Writes the private JWKs (for the tests) and the public JWKS (registered with the bridge).
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as jose from 'jose'

const dir = process.argv[2]
if (!dir) {
  console.error('usage: node keys.mjs <output folder>')
  process.exit(2)
}

const keys = []
const privates = {}
for (const alg of ['RS256', 'ES256', 'PS256']) {
  const { publicKey, privateKey } = await jose.generateKeyPair(alg, { extractable: true })
  const kid = `interop-${alg.toLowerCase()}`
  keys.push({ ...(await jose.exportJWK(publicKey)), kid, alg, use: 'sig' })
  privates[alg] = { ...(await jose.exportJWK(privateKey)), kid, alg }
}
await writeFile(join(dir, 'client-jwks.json'), JSON.stringify({ keys }))
await writeFile(join(dir, 'client-private-keys.json'), JSON.stringify(privates), { mode: 0o600 })
