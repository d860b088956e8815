#!/usr/bin/env bash
# Interop suite: independent OpenID Connect / OAuth clients (openid-client, oauth4webapi) against a real
# bridge process on a free loopback port with a throwaway SQLite database.
#   1. installs the pinned npm packages when missing (npm ci)
#   2. generates the private_key_jwt key pairs and their public JWKS
#   3. starts the built bridge (Release if built, else Debug; BRIDGE_DLL overrides) with the interop clients, and a
#      second one that also requires DPoP nonces (Bridge:DPoP:RequireNonce), each on its own database
#   4. runs node --test over test/*.test.mjs, or over the test files given as arguments (TAP; ends with
#      "# pass N" / "# fail N")
# Exits non-zero on any failure.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cd "$HERE"

if [ ! -d node_modules/openid-client ] || [ ! -d node_modules/oauth4webapi ] || [ ! -d node_modules/jose ]; then
  echo "Installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error || { echo "npm ci failed"; exit 1; }
fi

DLL=${BRIDGE_DLL:-}
if [ -z "$DLL" ]; then
  for config in Release Debug; do
    candidate="$ROOT/src/IdentityBridge/bin/$config/net10.0/IdentityBridge.dll"
    if [ -f "$candidate" ]; then DLL=$candidate; break; fi
  done
fi
if [ -z "$DLL" ] || [ ! -f "$DLL" ]; then
  echo "The bridge is not built: run 'dotnet build src/IdentityBridge -c Release' (or ./test.sh) first."
  exit 1
fi

FILES=("$@")
[ ${#FILES[@]} -gt 0 ] || FILES=(test/*.test.mjs)

WORK=$(mktemp -d /tmp/identitybridge-interop.XXXXXX)
BRIDGE_PIDS=()
cleanup() {
  for pid in "${BRIDGE_PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null
      wait "$pid" 2>/dev/null
    fi
  done
  if [ -n "${INTEROP_KEEP:-}" ]; then echo "Kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

node keys.mjs "$WORK" || { echo "key generation failed"; exit 1; }
free_port() { node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }
ISSUER="http://127.0.0.1:$(free_port)"
NONCE_ISSUER="http://127.0.0.1:$(free_port)"

# The interop clients. Indices start at 20 so that they never merge with the clients of
# appsettings.Development.json (configuration arrays merge by index).
SECRET_BASIC=interop-basic-secret-5b0c3f1e9a7d4c2b8e6f
SECRET_POST=interop-post-secret-2d8e4a6c1f3b5e7a9c0d
SECRET_SERVICE=interop-service-secret-7f1a3c5e9b2d4f6a8c0e
SECRET_ES256=interop-es256-secret-4c6e8a0b2d4f6e8a1c3e
# Characters that RFC 6749 §2.3.1 form-encodes inside HTTP Basic credentials.
SECRET_SPECIAL='s3cr3t with spaces+plus/slash:colon%percent&amp=eq?q~tilde!bang'
SCOPES=(openid profile email wallet roles offline_access)
client_env() { # index id type auth redirect [grant...]
  local i=$1 id=$2 type=$3 auth=$4 redirect=$5; shift 5
  local p="Bridge__Clients__${i}__"
  export "${p}ClientId=$id" "${p}ClientType=$type" "${p}TokenEndpointAuthMethod=$auth"
  if [ -n "$redirect" ]; then
    export "${p}RedirectUris__0=$redirect" "${p}PostLogoutRedirectUris__0=$redirect/logged-out"
  fi
  local n=0
  for s in "${SCOPES[@]}"; do export "${p}AllowedScopes__${n}=$s"; n=$((n + 1)); done
  n=0
  for g in "$@"; do export "${p}AllowedGrantTypes__${n}=$g"; n=$((n + 1)); done
}
client_env 20 interop-basic confidential client_secret_basic "http://127.0.0.1:9/interop/basic/cb" authorization_code refresh_token
export Bridge__Clients__20__ClientSecret=$SECRET_BASIC
client_env 21 interop-post confidential client_secret_post "http://127.0.0.1:9/interop/post/cb" authorization_code refresh_token
export Bridge__Clients__21__ClientSecret=$SECRET_POST
client_env 22 interop-public public none "http://127.0.0.1:9/interop/public/cb" authorization_code refresh_token
client_env 23 interop-jwt confidential private_key_jwt "http://127.0.0.1:9/interop/jwt/cb" authorization_code refresh_token client_credentials
export Bridge__Clients__23__Jwks="$(cat "$WORK/client-jwks.json")"
client_env 24 interop-es256 confidential client_secret_basic "http://127.0.0.1:9/interop/es256/cb" authorization_code refresh_token
export Bridge__Clients__24__ClientSecret=$SECRET_ES256 Bridge__Clients__24__IdTokenSigningAlg=ES256
client_env 25 interop-service confidential client_secret_basic "" client_credentials
export Bridge__Clients__25__ClientSecret=$SECRET_SERVICE
client_env 26 interop-special confidential client_secret_basic "http://127.0.0.1:9/interop/special/cb" authorization_code refresh_token client_credentials
export Bridge__Clients__26__ClientSecret="$SECRET_SPECIAL"

export ASPNETCORE_ENVIRONMENT=Development DOTNET_NOLOGO=1
export Bridge__Database__Provider=Sqlite
export Bridge__Keys__ImportPath=
export Bridge__Resources__0__Uri=https://api.interop.test
export Bridge__RateLimits__Enabled=false
# The recommended, strict audience of private_key_jwt assertions: both libraries send the issuer alone.
export Bridge__ClientAuthentication__AssertionAudience=Issuer
export Xumm__Simulator__Enabled=true
export Xumm__Simulator__AutoApprove=rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh

start_bridge() { # name issuer [setting=value...]: the bridge on issuer, with its own database and log in $WORK
  local name=$1 issuer=$2; shift 2
  echo "Starting $DLL on $issuer${*:+ with $*}"
  (cd "$(dirname "$DLL")" && exec env Bridge__Issuer="$issuer" "Bridge__Database__ConnectionString=Data Source=$WORK/$name.db" "$@" \
    dotnet "$DLL" --urls "$issuer") >"$WORK/$name.log" 2>&1 &
  BRIDGE_PIDS+=($!)
}
wait_ready() { # name issuer pid
  local name=$1 issuer=$2 pid=$3
  for _ in $(seq 1 300); do
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    if node -e "fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" "$issuer/.well-known/openid-configuration"; then
      return 0
    fi
    sleep 0.2
  done
  echo "The bridge ($name) did not become ready. Its log:"
  cat "$WORK/$name.log"
  exit 1
}
start_bridge bridge "$ISSUER"
# The same clients on a bridge that requires a server nonce in every DPoP proof (RFC 9449 §8, §9).
start_bridge nonce-bridge "$NONCE_ISSUER" Bridge__DPoP__RequireNonce=true
wait_ready bridge "$ISSUER" "${BRIDGE_PIDS[0]}"
wait_ready nonce-bridge "$NONCE_ISSUER" "${BRIDGE_PIDS[1]}"

export INTEROP_ISSUER=$ISSUER INTEROP_NONCE_ISSUER=$NONCE_ISSUER INTEROP_KEYS="$WORK/client-private-keys.json"
export INTEROP_SECRET_BASIC=$SECRET_BASIC INTEROP_SECRET_POST=$SECRET_POST INTEROP_SECRET_SERVICE=$SECRET_SERVICE INTEROP_SECRET_ES256=$SECRET_ES256 INTEROP_SECRET_SPECIAL="$SECRET_SPECIAL"
node --test --test-reporter=tap --test-concurrency=1 "${FILES[@]}"
status=$?

if [ "$status" -ne 0 ]; then
  for name in bridge nonce-bridge; do
    echo "# $name log (last 80 lines)"
    tail -n 80 "$WORK/$name.log" | sed 's/^/# /'
  done
fi
exit "$status"
