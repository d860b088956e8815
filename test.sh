#!/usr/bin/env bash
# IdentityBridge: every test suite, from a fresh clone.
#   1. installs what is missing (PostgreSQL, Chromium from Debian; npm packages for the interop suite)
#   2. builds the solution once (warnings are errors)
#   3. runs the .NET suite on SQLite, then its storage-touching tests again on a throwaway PostgreSQL
#      cluster on loopback
#   4. runs the end-to-end suite (real bridge and simulator processes, PostgreSQL, Chromium)
#   5. runs the interop suite (Node: openid-client, oauth4webapi) against a running bridge
# Exits non-zero on any failure. The last line is the summary over all suites.
set -uo pipefail
cd "$(dirname "$0")"
ROOT=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
CONFIG=${CONFIG:-Release}
ARTIFACTS="$ROOT/artifacts"
mkdir -p "$ARTIFACTS"
START=$(date +%s)

say() { printf '\n== %s (%ss)\n' "$*" "$(( $(date +%s) - START ))"; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# ---------------------------------------------------------------- prerequisites
say "Checking prerequisites"
need_apt=()
[ -x /usr/lib/postgresql/15/bin/pg_ctl ] || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need_apt+=(postgresql)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "Installing with apt: ${need_apt[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
PG_BIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -n 1)")
export CHROMIUM_PATH=${CHROMIUM_PATH:-$(command -v chromium)}
echo "PostgreSQL: $("$PG_BIN/postgres" --version)"
echo "Chromium:   $("$CHROMIUM_PATH" --version 2>/dev/null | head -n 1)"
echo "Node:       $(node --version)"

# ---------------------------------------------------------------- PostgreSQL on loopback
PG_DIR=$(mktemp -d /tmp/identitybridge-pg.XXXXXX)
free_port() {
  local port
  while :; do
    port=$(( 20000 + RANDOM % 40000 ))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}
PG_PORT=$(free_port)
pg_run() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  pg_run "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
trap cleanup EXIT
[ "$(id -u)" -eq 0 ] && chown postgres "$PG_DIR"
say "Starting a throwaway PostgreSQL cluster on 127.0.0.1:$PG_PORT"
pg_run "$PG_BIN/initdb" -D "$PG_DIR/data" -U bridge --auth=trust -E UTF8 >/dev/null
pg_run "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
  -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=1000" start >/dev/null
# Every test host gets a database of its own, and each database a connection pool: idle connections are
# closed after 10 s so that hundreds of finished hosts do not hold the server's connection slots. Opening a
# connection may wait up to 60 s (Npgsql's default is 15): with the suite's hosts running in parallel on two
# cores, a host starting while the machine is saturated once took longer than 15 s to open its first one.
export BRIDGE_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=bridge;Database=postgres;Pooling=true;Maximum Pool Size=50;Connection Idle Lifetime=10;Connection Pruning Interval=2;Timeout=60"

# ---------------------------------------------------------------- build
say "Building ($CONFIG)"
dotnet build IdentityBridge.sln -c "$CONFIG" -warnaserror -nologo -clp:ErrorsOnly || { echo "Build failed"; exit 1; }

# ---------------------------------------------------------------- suites
TOTAL_PASSED=0; TOTAL_FAILED=0; FAILED_SUITES=(); FAILED_TESTS=()

# Remembers the names of the failed tests in a log, to repeat them next to the summary (a long run's log
# is often read from its end only).
note_failures() {
  local log=$1 name=$2 pattern=$3 line
  while IFS= read -r line; do FAILED_TESTS+=("$name: $line"); done < <(grep -E "$pattern" "$log" | sed -E 's/^[[:space:]]+//; s/^Failed //' | head -n 50)
}

# Adds the counts of a dotnet test log: "Passed!  - Failed: F, Passed: P, Skipped: S, Total: T".
count_dotnet() {
  local log=$1 name=$2 p f
  p=$(grep -Eo 'Passed: +[0-9]+' "$log" | grep -Eo '[0-9]+' | awk '{s+=$1} END {print s+0}')
  f=$(grep -Eo 'Failed: +[0-9]+' "$log" | grep -Eo '[0-9]+' | awk '{s+=$1} END {print s+0}')
  p=${p:-0}; f=${f:-0}
  echo "$name: $p passed, $f failed"
  TOTAL_PASSED=$((TOTAL_PASSED + p)); TOTAL_FAILED=$((TOTAL_FAILED + f))
}

run_dotnet_suite() {
  local name=$1 project=$2; shift 2
  local log="$ARTIFACTS/$(echo "$name" | tr ' /' '__').log"
  say "Suite: $name"
  if ! dotnet test "$project" -c "$CONFIG" --no-build --nologo "$@" 2>&1 | tee "$log"; then
    FAILED_SUITES+=("$name")
  fi
  grep -q 'Total: *[1-9]' "$log" || { echo "$name ran no test"; FAILED_SUITES+=("$name (no tests)"); }
  note_failures "$log" "$name" '^[[:space:]]+Failed [A-Za-z_]'
  count_dotnet "$log" "$name"
}

BRIDGE_TEST_DB=Sqlite run_dotnet_suite "Unit and integration on SQLite" tests/IdentityBridge.Tests
# The Xumm platform client, the simulator and the relying-party handler keep nothing in the bridge's
# database, so their tests run once (above); every test that touches storage runs again on PostgreSQL.
BRIDGE_TEST_DB=Postgres run_dotnet_suite "Unit and integration on PostgreSQL" tests/IdentityBridge.Tests \
  --filter "FullyQualifiedName!~IdentityBridge.Tests.Xumm.&FullyQualifiedName!~IdentityBridge.Tests.Simulator.&FullyQualifiedName!~IdentityBridge.Tests.RelyingParty."
run_dotnet_suite "End-to-end (processes, PostgreSQL, Chromium)" tests/IdentityBridge.EndToEnd

if [ -f tests/interop/package.json ]; then
  say "Suite: Interop (Node clients)"
  log="$ARTIFACTS/interop.log"
  if ! bash tests/interop/run.sh 2>&1 | tee "$log"; then FAILED_SUITES+=("Interop"); fi
  p=$(grep -Eo '^# pass [0-9]+' "$log" | grep -Eo '[0-9]+' | tail -n 1); f=$(grep -Eo '^# fail [0-9]+' "$log" | grep -Eo '[0-9]+' | tail -n 1)
  p=${p:-0}; f=${f:-0}
  [ "$p" -gt 0 ] || FAILED_SUITES+=("Interop (no tests)")
  note_failures "$log" "Interop" '^[[:space:]]*not ok '

  echo "Interop: $p passed, $f failed"
  TOTAL_PASSED=$((TOTAL_PASSED + p)); TOTAL_FAILED=$((TOTAL_FAILED + f))
fi

say "Done"
if [ ${#FAILED_SUITES[@]} -gt 0 ]; then
  echo "Failing suites: ${FAILED_SUITES[*]}"
  [ ${#FAILED_TESTS[@]} -eq 0 ] || printf 'Failed: %s\n' "${FAILED_TESTS[@]}"
  [ "$TOTAL_FAILED" -gt 0 ] || TOTAL_FAILED=1
fi
echo "Total: $TOTAL_PASSED passed, $TOTAL_FAILED failed"
[ "$TOTAL_FAILED" -eq 0 ]
