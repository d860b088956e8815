// The peer: oidc-provider configured like the bridge for the benchmark's scenarios.
//   client_credentials (client_secret_basic), authorization_code with PKCE (S256, required),
//   refresh_token with rotation on every use, RS256 JWT access tokens for an API resource
//   (resource indicators), RS256 ID tokens, storage in memory, and an interaction that signs the
//   user in and consents at once, so a login is plain redirects with a cookie jar.
// Settings come from the environment; see bench/README.md.
import crypto from 'node:crypto';
import Provider from 'oidc-provider';
import MemoryAdapter from './memory-adapter.mjs';

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is required`);
  return value;
};

const port = Number(env('PEER_PORT'));
const issuer = env('PEER_ISSUER', `http://127.0.0.1:${port}`);
const redirectUri = env('PEER_REDIRECT_URI');
const wallet = env('PEER_WALLET', 'rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh');
const api = 'urn:identitybridge:bench:api';

const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'bench-rs256', use: 'sig', alg: 'RS256' };

const webClient = (clientId, secret) => ({
  client_id: clientId,
  client_secret: secret,
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  redirect_uris: [redirectUri],
  token_endpoint_auth_method: 'client_secret_basic',
});

const provider = new Provider(issuer, {
  adapter: MemoryAdapter,
  jwks: { keys: [signingKey] },
  cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
  clients: [
    {
      client_id: env('PEER_SERVICE_CLIENT_ID', 'bench-service'),
      client_secret: env('PEER_SERVICE_CLIENT_SECRET'),
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'client_secret_basic',
    },
    webClient(env('PEER_WEB_CLIENT_ID', 'bench-web'), env('PEER_WEB_CLIENT_SECRET')),
    // Access tokens for an API cannot be used at userinfo (they are audience-restricted to the API), so
    // the userinfo scenario logs in with a client that gets plain userinfo access tokens.
    webClient(env('PEER_USERINFO_CLIENT_ID', 'bench-userinfo'), env('PEER_WEB_CLIENT_SECRET')),
  ],
  scopes: ['openid', 'offline_access', 'profile'],
  claims: { openid: ['sub'], profile: ['name', 'nickname'] },
  findAccount: (_ctx, id) => ({
    accountId: id,
    claims: () => ({ sub: id, name: `${id.slice(0, 6)}…${id.slice(-4)}`, nickname: id }),
  }),
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    userinfo: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: (_ctx, client, oneOf) => oneOf ?? (client.clientId === env('PEER_USERINFO_CLIENT_ID', 'bench-userinfo') ? undefined : api),
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'api',
        audience: api,
        accessTokenTTL: 900,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
  pkce: { required: () => true },
  // The bridge issues a refresh token to a client allowed the grant; here offline_access would also
  // need prompt=consent on every authorization request.
  issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  rotateRefreshToken: () => true,
  ttl: {
    AccessToken: 900,
    AuthorizationCode: 60,
    ClientCredentials: 900,
    IdToken: 3600,
    Grant: 14 * 24 * 3600,
    Interaction: 600,
    RefreshToken: 14 * 24 * 3600,
    Session: 10 * 3600,
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  renderError: (ctx, out) => {
    ctx.type = 'json';
    ctx.body = out;
  },
});

// The interaction: sign in as the benchmark wallet, then grant what the client asked for.
provider.use(async (ctx, next) => {
  const match = /^\/interaction\/([^/]+)$/.exec(ctx.path);
  if (!match || ctx.method !== 'GET') return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const { prompt, params, session } = details;
  let result;
  if (prompt.name === 'login') {
    result = { login: { accountId: wallet } };
  } else if (prompt.name === 'consent') {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    result = { consent: { grantId: await grant.save() } };
  } else {
    result = { error: 'access_denied', error_description: `unexpected prompt ${prompt.name}` };
  }
  const location = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: true });
  ctx.status = 303;
  ctx.redirect(location);
});

provider.on('server_error', (_ctx, error) => console.error('server_error', error));

const server = provider.listen(port, '127.0.0.1', () => console.log(`peer listening on ${issuer} (oidc-provider, node ${process.version})`));
// Keep idle keep-alive connections open between scenarios, like Kestrel does (Node closes them after 5 s).
server.keepAliveTimeout = 120_000;
server.headersTimeout = 121_000;
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
