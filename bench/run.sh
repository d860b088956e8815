#!/usr/bin/env bash
# IdentityBridge benchmark: throughput, latency, memory and start-up of the bridge (on SQLite and on
# PostgreSQL) and of a reference provider (oidc-provider on Node), under the same load from the same
# driver, scenario by scenario with the servers taking turns, next to the physical limit of this machine
# (openssl speed).
#
#   bench/run.sh            full run, about 20 minutes on 2 cores
#   QUICK=1 bench/run.sh    short phases, for development (about 3 minutes once built)
#
# Settings (environment): TARGETS="bridge-sqlite bridge-postgres peer", WORKERS, DURATION, WARMUP,
# HALF_DURATION, PRIME (seconds; PRIME=0 skips the priming round), START_ROUNDS (start-ups timed per
# server, each on a new empty store; the report gives their median), BRIDGE_SRC (a checkout whose src/IdentityBridge is benchmarked; default this
# one), SKIP_BUILD=1. Writes bench/results/latest.md, bench/results/throughput.png and the raw driver
# output under bench/results/raw/. Exits non-zero when a step fails or a request failed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BENCH="$ROOT/bench"
BRIDGE_SRC=$(cd "${BRIDGE_SRC:-$ROOT}" && pwd)
RESULTS="$BENCH/results"
RAW="$RESULTS/raw"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then
  WORKERS=${WORKERS:-16}; WARMUP=${WARMUP:-3}; DURATION=${DURATION:-2}; HALF_DURATION=${HALF_DURATION:-2}; PRIME=${PRIME:-0}
  START_ROUNDS=${START_ROUNDS:-1}
  OPENSSL_SECONDS=1; VALIDATE_SECONDS=2; MODE="quick mode"
else
  WORKERS=${WORKERS:-32}; WARMUP=${WARMUP:-15}; DURATION=${DURATION:-10}; HALF_DURATION=${HALF_DURATION:-6}; PRIME=${PRIME:-10}
  START_ROUNDS=${START_ROUNDS:-3}
  OPENSSL_SECONDS=3; VALIDATE_SECONDS=5; MODE="full mode"
fi
TARGETS=${TARGETS:-"bridge-sqlite bridge-postgres peer"}
CORES=$(nproc)
START=$(date +%s)
say() { printf '\n== %s (%ss)\n' "$*" "$(( $(date +%s) - START ))"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# ---------------------------------------------------------------- prerequisites
say "Checking prerequisites"
need_apt=()
command -v gnuplot >/dev/null 2>&1 || need_apt+=(gnuplot-nox)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs npm)
case " $TARGETS " in *" bridge-postgres "*)
  ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need_apt+=(postgresql) ;;
esac
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "Installing with apt: ${need_apt[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# Anything else busy on these cores skews every number; PostgreSQL clusters left running with many
# databases are the usual culprit (their autovacuum workers never rest). Say so before measuring.
others=$(pgrep -fc '^/usr/lib/postgresql/.*/bin/postgres ' || true)
[ "${others:-0}" -gt 0 ] && echo "warning: $others PostgreSQL server(s) already running; stop them for a quiet machine"
echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"

rm -rf "$RAW"
mkdir -p "$RAW"
WORK=$(mktemp -d /tmp/identitybridge-bench.XXXXXX)
SERVER_PID=""
PG_BIN=""
declare -A PIDS=() ISSUERS=() EXTRAS=() DESCRIPTIONS=() STARTUP=()
cleanup() {
  [ -n "$SERVER_PID" ] && stop_server
  stop_targets
  if [ -n "$PG_BIN" ]; then pg_run "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -m immediate stop >/dev/null 2>&1 || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# A free port below the kernel's ephemeral range, so that no outgoing connection (the driver's, the
# bridge's to PostgreSQL) can hold it when a server is restarted on it.
free_port() {
  local port low
  low=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
  [ "$low" -gt 12000 ] || low=32768
  while :; do
    port=$(( 10000 + RANDOM % (low - 10000) ))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

# ---------------------------------------------------------------- build
# The bridge runs as it is deployed (and as the Dockerfile builds it): published in Release, self-contained,
# ReadyToRun composite (the runtime, ASP.NET Core and the bridge precompiled together for this machine's
# platform, so start-up does not wait for the JIT). The compilation takes about 3 minutes.
BRIDGE_BIN="$BRIDGE_SRC/src/IdentityBridge/bin/Release/net10.0/bench-publish"
DRIVER="$BENCH/LoadDriver/bin/Release/net10.0/LoadDriver.dll"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  say "Publishing the bridge (Release, self-contained, ReadyToRun composite) and building the load driver"
  rm -rf "$BRIDGE_BIN"
  dotnet publish "$BRIDGE_SRC/src/IdentityBridge" -c Release --use-current-runtime --self-contained true \
    -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true -o "$BRIDGE_BIN" -nologo -clp:ErrorsOnly
  dotnet build "$BENCH/LoadDriver" -c Release -nologo -clp:ErrorsOnly
fi
# The runtime settings the container image gives the bridge (the DOTNET_ variables of the Dockerfile's ENV,
# such as the garbage collector's young-generation budget), so that it runs here as it runs there.
mapfile -t IMAGE_RUNTIME_ENV < <(grep -oE '\bDOTNET_[A-Za-z0-9_]+=[^[:space:]\\]+' "$BRIDGE_SRC/Dockerfile" || true)
BRIDGE_COMMIT=$(git -C "$BRIDGE_SRC" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$BRIDGE_SRC" status --porcelain -- src 2>/dev/null)" ]; then BRIDGE_COMMIT="$BRIDGE_COMMIT with uncommitted changes in src/"; fi

case " $TARGETS " in *" peer "*)
  say "Installing the peer (npm ci)"
  (cd "$BENCH/peer" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  PEER_VERSION="oidc-provider $(node -p "require('$BENCH/peer/node_modules/oidc-provider/package.json').version") on Node $(node --version), one process, storage in memory" ;;
esac

# ---------------------------------------------------------------- the physical limit
say "openssl speed: RSA-2048 and ECDSA P-256, 1 core and $CORES cores"
openssl speed -seconds "$OPENSSL_SECONDS" rsa2048 ecdsap256 >"$RAW/openssl-single.txt" 2>/dev/null
openssl speed -seconds "$OPENSSL_SECONDS" -multi "$CORES" rsa2048 ecdsap256 >"$RAW/openssl-multi.txt" 2>/dev/null
grep -E '^rsa 2048|nistp256' "$RAW/openssl-single.txt" "$RAW/openssl-multi.txt" || true

say "Upstream validation micro-benchmark (in process)"
dotnet "$DRIVER" validate --seconds "$VALIDATE_SECONDS" --out "$RAW/validate.json" | tee "$RAW/validate.log"

# ---------------------------------------------------------------- servers
SECRET_SERVICE="bench-service-$(openssl rand -hex 16)"
SECRET_WEB="bench-web-$(openssl rand -hex 16)"
WALLET=rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh
REDIRECT_PORT=$(free_port)
REDIRECT_URI="http://127.0.0.1:$REDIRECT_PORT/cb"

# Waits for the first 200 of the discovery document; prints the milliseconds since $2 (date +%s%N).
wait_ready() {
  local url=$1 since=$2 deadline=$(( $(date +%s) + 90 )) code
  until code=$(curl -s -o /dev/null -w '%{http_code}' "$url") && [ "$code" = 200 ]; do
    [ "$code" != 404 ] || { echo "$url answers 404: this build has no OpenID Provider endpoints" >&2; return 1; }
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "server exited" >&2; return 1; }
    [ "$(date +%s)" -lt "$deadline" ] || { echo "server not ready after 90 s" >&2; return 1; }
    sleep 0.02
  done
  echo $(( ($(date +%s%N) - since) / 1000000 ))
}

# CPU time (user + system) a process has used so far, in ms (USER_HZ = 100).
cpu_ms() { awk '{ print ($14 + $15) * 10 }' "/proc/$1/stat"; }

stop_server() {
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

# Starts the bridge from its build folder (its content root, as deployed), as the benchmark's clients
# declare themselves: bench-service (client_credentials) and bench-web (authorization_code + refresh_token).
# Client indexes start at 8 so that the Development sample clients of appsettings.Development.json stay.
# $5: "production" starts it as deployed (Production environment, Xumm credentials that are never used:
# start-up makes no call to the platform), for the start-up times; otherwise Development, whose in-process
# Xumm simulator signs the load's users in.
start_bridge() {
  local name=$1 provider=$2 connection=$3 port=$4 mode=${5:-load} environment=()
  if [ "$mode" = production ]; then
    environment=(ASPNETCORE_ENVIRONMENT=Production Xumm__ApiKey=3f5b1a4e-2c7d-4e8f-9a6b-1d2c3e4f5a6b
      Xumm__ApiSecret=9c8b7a6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d Xumm__Authority=http://127.0.0.1:9
      Xumm__ApiBaseUrl=http://127.0.0.1:9/api/v1/platform)
  else
    environment=(ASPNETCORE_ENVIRONMENT=Development Xumm__Simulator__Enabled=true Xumm__Simulator__AutoApprove="$WALLET")
  fi
  ( cd "$BRIDGE_BIN" && exec env \
      "${IMAGE_RUNTIME_ENV[@]}" "${environment[@]}" \
      Logging__LogLevel__Default=Warning \
      Bridge__Issuer="http://127.0.0.1:$port" \
      Bridge__Database__Provider="$provider" \
      Bridge__Database__ConnectionString="$connection" \
      Bridge__RateLimits__Enabled=false \
      Bridge__Clients__8__ClientId=bench-service \
      Bridge__Clients__8__ClientSecret="$SECRET_SERVICE" \
      Bridge__Clients__8__AllowedGrantTypes__0=client_credentials \
      Bridge__Clients__8__AllowedScopes__0=roles \
      Bridge__Clients__9__ClientId=bench-web \
      Bridge__Clients__9__ClientSecret="$SECRET_WEB" \
      Bridge__Clients__9__RedirectUris__0="$REDIRECT_URI" \
      Bridge__Clients__9__AllowedGrantTypes__0=authorization_code \
      Bridge__Clients__9__AllowedGrantTypes__1=refresh_token \
      Bridge__Clients__9__AllowedScopes__0=openid \
      Bridge__Clients__9__AllowedScopes__1=profile \
      Bridge__Clients__9__AllowedScopes__2=offline_access \
      ./IdentityBridge --urls "http://127.0.0.1:$port" ) >>"$RAW/$name.log" 2>&1 &
  SERVER_PID=$!
}

start_peer() {
  local name=$1 port=$2
  ( cd "$BENCH/peer" && exec env \
      PEER_PORT="$port" PEER_REDIRECT_URI="$REDIRECT_URI" PEER_WALLET="$WALLET" \
      PEER_SERVICE_CLIENT_SECRET="$SECRET_SERVICE" PEER_WEB_CLIENT_SECRET="$SECRET_WEB" \
      node server.mjs ) >>"$RAW/$name.log" 2>&1 &
  SERVER_PID=$!
}

# Times a server's start in START_ROUNDS rounds (a start on an empty store, then a restart on it), then
# starts it for the load and leaves it running (the bridge is timed as deployed, then started again as the
# load needs it). Records what the driver needs to reach it.
prepare_target() {
  local name=$1 port starter=() issuer extra=() timed=()
  port=$(free_port)
  issuer="http://127.0.0.1:$port"
  say "Server: $name on $issuer"
  local round colds=() restarts=() cold_cpus=() restart_cpus=() t0 cold restart
  run_only "$name" # the servers prepared before this one are paused while its start-up is timed
  # Every round starts on a new empty store, then restarts on it; the last round's store serves the load.
  for (( round = 1; round <= START_ROUNDS; round++ )); do
    case $name in
      bridge-sqlite)
        local db="$WORK/bridge-sqlite.db"
        rm -f "$db" "$db-wal" "$db-shm"
        starter=(start_bridge "$name" Sqlite "Data Source=$db" "$port")
        timed=("${starter[@]}" production) ;;
      bridge-postgres)
        local database="bench_$(date +%s)_$round"
        pg_run "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U bridge -d postgres -qc "CREATE DATABASE $database" >/dev/null
        starter=(start_bridge "$name" Postgres "Host=127.0.0.1;Port=$PG_PORT;Username=bridge;Database=$database" "$port")
        timed=("${starter[@]}" production)
        extra=(--db-pid "$(head -n 1 "$WORK/pg/data/postmaster.pid")") ;;
      peer)
        starter=(start_peer "$name" "$port")
        timed=("${starter[@]}")
        extra=(--userinfo-client-id bench-userinfo) ;;
    esac
    t0=$(date +%s%N); "${timed[@]}"
    cold=$(wait_ready "$issuer/.well-known/openid-configuration" "$t0") || { stop_server; tail -n 20 "$RAW/$name.log"; return 1; }
    colds+=("$cold"); cold_cpus+=("$(cpu_ms "$SERVER_PID")")
    stop_server
    t0=$(date +%s%N); "${timed[@]}"
    restart=$(wait_ready "$issuer/.well-known/openid-configuration" "$t0") || { stop_server; tail -n 20 "$RAW/$name.log"; return 1; }
    restarts+=("$restart"); restart_cpus+=("$(cpu_ms "$SERVER_PID")")
    echo "start-up, round $round: ${cold} ms (${cold_cpus[-1]} ms CPU) with an empty store, ${restart} ms (${restart_cpus[-1]} ms CPU) on restart"
    [ "$round" -eq "$START_ROUNDS" ] || stop_server
  done
  if [ "${timed[*]}" != "${starter[*]}" ]; then
    stop_server
    "${starter[@]}"
    wait_ready "$issuer/.well-known/openid-configuration" "$(date +%s%N)" >/dev/null || { stop_server; tail -n 20 "$RAW/$name.log"; return 1; }
  fi

  case $name in
    bridge-sqlite) DESCRIPTIONS[$name]="IdentityBridge on SQLite (file, WAL)" ;;
    bridge-postgres) DESCRIPTIONS[$name]="IdentityBridge on PostgreSQL $("$PG_BIN/postgres" --version | grep -Eo '[0-9]+(\.[0-9]+)?' | head -n 1) (loopback)" ;;
    peer) DESCRIPTIONS[$name]="$PEER_VERSION" ;;
  esac
  PIDS[$name]=$SERVER_PID
  SERVER_PID=""
  ISSUERS[$name]=$issuer
  EXTRAS[$name]="${extra[*]}"
  STARTUP[$name]="--cold-start-ms $(IFS=,; echo "${colds[*]}") --restart-ms $(IFS=,; echo "${restarts[*]}")"
  STARTUP[$name]+=" --cold-start-cpu-ms $(IFS=,; echo "${cold_cpus[*]}") --restart-cpu-ms $(IFS=,; echo "${restart_cpus[*]}")"
}

# Drives one scenario against one running server; its results go to their own file, which the report
# joins with the server's other scenarios.
drive_target() {
  local name=$1 scenario=$2 status=0
  # shellcheck disable=SC2086 # EXTRAS and STARTUP hold several arguments without spaces inside them.
  dotnet "$DRIVER" run --target "$name" --description "${DESCRIPTIONS[$name]}" --issuer "${ISSUERS[$name]}" \
    --out "$RAW/target-$name-$scenario.json" --pid "${PIDS[$name]}" ${EXTRAS[$name]} --scenarios "$scenario" \
    --workers "$WORKERS" --warmup "$WARMUP" --duration "$DURATION" --half-duration "$HALF_DURATION" \
    --service-client-id bench-service --service-client-secret "$SECRET_SERVICE" \
    --web-client-id bench-web --web-client-secret "$SECRET_WEB" --redirect-uri "$REDIRECT_URI" \
    ${STARTUP[$name]} | tee -a "$RAW/driver-$name.log" || status=$?
  return $status
}

# Only the server under load runs; the others are paused (SIGSTOP) with their state, so that their own
# background work (timers, sweeps of an in-memory store, a garbage collector) cannot take the cores from
# the one being measured.
run_only() {
  local name
  for name in "${!PIDS[@]}"; do
    if [ "$name" = "${1:-}" ] || [ -z "${1:-}" ]; then kill -CONT "${PIDS[$name]}" 2>/dev/null || true
    else kill -STOP "${PIDS[$name]}" 2>/dev/null || true; fi
  done
}

stop_targets() {
  local name
  run_only
  for name in "${!PIDS[@]}"; do
    SERVER_PID=${PIDS[$name]}
    stop_server
    unset "PIDS[$name]"
  done
}

pg_run() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
start_postgres() {
  PG_BIN=$(dirname "$(ls /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -n 1)")
  PG_PORT=$(free_port)
  mkdir -p "$WORK/pg"
  [ "$(id -u)" -eq 0 ] && chown postgres "$WORK/pg" && chmod 755 "$WORK"
  say "Starting a throwaway PostgreSQL cluster on 127.0.0.1:$PG_PORT (default durability: fsync and synchronous_commit on)"
  pg_run "$PG_BIN/initdb" -D "$WORK/pg/data" -U bridge --auth=trust -E UTF8 >/dev/null
  pg_run "$PG_BIN/pg_ctl" -D "$WORK/pg/data" -l "$WORK/pg/log" -w \
    -o "-p $PG_PORT -k $WORK/pg -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
}

FAILED=()
READY=()
for target in $TARGETS; do
  case $target in
    bridge-postgres) [ -n "$PG_BIN" ] || start_postgres ;;
    bridge-sqlite|peer) ;;
    *) echo "Unknown target $target"; exit 2 ;;
  esac
  if prepare_target "$target"; then READY+=("$target"); else FAILED+=("$target"); fi
done

# Priming: every server runs every scenario once, unmeasured, before any measurement. Each runtime compiles
# the code it runs hot into its final form in the background (.NET's tiered compilation, V8's optimizing
# compiler); on these two cores, profiling showed the bridge still compiling 25-35 s into its first refresh
# load (7 % of its CPU; 14 % at 12-24 s), that is inside the measured window that follows a 15 s warm-up, and
# not at all 75 s in. The same round for every server, so the comparison measures each one in its steady state.
if [ "$PRIME" != 0 ]; then
  for name in "${READY[@]}"; do
    say "Priming $name: every scenario for $PRIME s, not measured"
    run_only "$name"
    # shellcheck disable=SC2086 # EXTRAS holds several arguments without spaces inside them.
    dotnet "$DRIVER" run --target "$name" --issuer "${ISSUERS[$name]}" --out "$RAW/prime-$name.json" ${EXTRAS[$name]} \
      --workers "$WORKERS" --warmup "$PRIME" --duration 1 --half-duration 0 \
      --service-client-id bench-service --service-client-secret "$SECRET_SERVICE" \
      --web-client-id bench-web --web-client-secret "$SECRET_WEB" --redirect-uri "$REDIRECT_URI" \
      >"$RAW/prime-$name.log" 2>&1 || echo "priming $name: some requests failed (see $RAW/prime-$name.log)"
  done
fi

# Scenario by scenario, every server in turn, all of them started once (the others paused while one is
# measured): a comparison between the servers then comes from the same minutes of a machine whose speed
# drifts over a run. The order rotates from one scenario to the next, so that no server always goes first
# or last.
SCENARIOS=(client_credentials refresh_token authorization_code userinfo jwks discovery)
turn=0
for scenario in "${SCENARIOS[@]}"; do
  say "Scenario: $scenario"
  count=${#READY[@]}
  for (( k = 0; k < count; k++ )); do
    name=${READY[$(( (turn + k) % count ))]}
    # PostgreSQL flushes its dirty pages every 5 minutes (checkpoint_timeout), a burst of writes that would
    # otherwise land by chance in whichever server's measurement is running (in one run, the 5-minute mark
    # coincided with an open loop whose requests the driver itself sent up to 311 ms late). Each
    # measurement starts just after a checkpoint instead.
    if [ -n "$PG_BIN" ]; then
      pg_run "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U bridge -d postgres -qc "CHECKPOINT" >/dev/null || true
    fi
    run_only "$name"
    drive_target "$name" "$scenario" || FAILED+=("$name ($scenario)")
  done
  turn=$(( turn + 1 ))
done
stop_targets

# ---------------------------------------------------------------- report
# openssl again: on a shared machine the speed drifts over a run, and the report shows by how much.
say "openssl speed again, after the servers: RSA-2048"
openssl speed -seconds "$OPENSSL_SECONDS" rsa2048 >"$RAW/openssl-single-after.txt" 2>/dev/null
openssl speed -seconds "$OPENSSL_SECONDS" -multi "$CORES" rsa2048 >"$RAW/openssl-multi-after.txt" 2>/dev/null
grep -E '^rsa 2048' "$RAW/openssl-single-after.txt" "$RAW/openssl-multi-after.txt" || true

say "Report"
MACHINE="$(grep -m 1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $CORES cores, $(( $(grep MemTotal /proc/meminfo | awk '{print $2}') / 1024 / 1024 )) GiB, $(uname -s)"
SETTINGS="$MODE: $WORKERS workers; first a priming round (every scenario ${PRIME} s on every server, not measured); then per scenario ${WARMUP} s warm-up, ${DURATION} s closed loop, ${HALF_DURATION} s open loop at half the maximum"
[ "$PRIME" = 0 ] && SETTINGS="$MODE: $WORKERS workers, ${WARMUP} s warm-up, ${DURATION} s closed loop, ${HALF_DURATION} s open loop at half the maximum, per scenario"
dotnet "$DRIVER" report --raw "$RAW" --out "$RESULTS/latest.md" --dat "$RAW/throughput.dat" --cores "$CORES" \
  --settings "$SETTINGS" --machine "$MACHINE" \
  --bridge "commit $BRIDGE_COMMIT, published Release, self-contained, ReadyToRun composite, with the runtime settings of the container image (${IMAGE_RUNTIME_ENV[*]:-none}); start-up timed in the Production environment (as deployed), load run in the Development environment with the in-process Xumm simulator; rate limits off, log level Warning" \
  --peer "${PEER_VERSION:-not run}"
RSA_LIMIT=$(awk '/^rsa 2048 bits/ {print $(NF-1)}' "$RAW/openssl-multi.txt" | tail -n 1)
gnuplot -e "datafile='$RAW/throughput.dat'; outfile='$RESULTS/throughput.png'; rsa_limit=${RSA_LIMIT:-0}; cores=$CORES" "$BENCH/throughput.gp"
echo "Written: $RESULTS/latest.md, $RESULTS/throughput.png (raw output in $RAW)"

if [ ${#FAILED[@]} -gt 0 ]; then
  echo "Requests failed or a step broke for: ${FAILED[*]} (see the errors in latest.md and the logs in $RAW)"
  exit 1
fi
say "Done"
