#!/usr/bin/env bash
# Load benchmark of clerk-actix: the API server example on 127.0.0.1 driven by wrk.
#
#   bench/load.sh            full run (release build, ~10 s per measurement, 1M distinct tokens)
#   bench/load.sh --smoke    checks that every step runs (debug build, short, small); for CI
#
# Prints, in one run: req/s and p50/p99 latency of the bare route, the protected route with one
# valid token, with N distinct valid tokens (warm cache) and with never-seen tokens (every request
# a full verification), and of the signed-out route; the server's CPU time per request; raw RSA
# verification throughput measured on the same machine, alone and as an HTTP server that does
# nothing else (the bound of the never-seen route); peak RSS, RSS after 1M distinct tokens;
# the ratios against the targets; and the JWKS fetch counts seen by a local JWKS server under
# 1000 concurrent requests with a new kid and under a flood of random kids.
#
# Needs: wrk (Debian: apt-get install wrk), curl. Tunables (environment): DURATION, CONNECTIONS,
# WRK_THREADS, ROUNDS, NS_ROUNDS, BASE_TOKENS, WARM_TOKENS, DISTINCT_TOTAL, PORT, JWKS_PORT,
# RAW_PORT, WORK.
# PIN=1 pins the server (and the raw verification) to CPU 0 and wrk to CPU 1 (taskset): the
# server's capacity on one core, without the load generator competing for it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

SMOKE=0
[[ "${1:-}" == "--smoke" ]] && SMOKE=1

if ((SMOKE)); then
  PROFILE_FLAG=""; PROFILE_DIR=debug
  DURATION=${DURATION:-1}; BASE_TOKENS=${BASE_TOKENS:-200}; WARM_TOKENS=${WARM_TOKENS:-100}
  DISTINCT_TOTAL=${DISTINCT_TOTAL:-2000}; RAW_SECONDS=0.5
else
  PROFILE_FLAG="--release"; PROFILE_DIR=release
  DURATION=${DURATION:-6}; BASE_TOKENS=${BASE_TOKENS:-31250}; WARM_TOKENS=${WARM_TOKENS:-10000}
  DISTINCT_TOTAL=${DISTINCT_TOTAL:-1000000}; RAW_SECONDS=3
fi
CONNECTIONS=${CONNECTIONS:-64}
ROUNDS=${ROUNDS:-$((SMOKE ? 2 : 5))}
NS_ROUNDS=${NS_ROUNDS:-$((SMOKE ? 2 : 5))}
PIN=${PIN:-0}
if ((PIN)); then
  command -v taskset >/dev/null || { echo "load.sh: PIN=1 needs taskset (util-linux)" >&2; exit 2; }
  SERVER_CPU=(taskset -c 0); CLIENT_CPU=(taskset -c 1); WRK_THREADS=${WRK_THREADS:-1}
else
  SERVER_CPU=(); CLIENT_CPU=(); WRK_THREADS=${WRK_THREADS:-2}
fi
PORT=${PORT:-18080}
JWKS_PORT=${JWKS_PORT:-18081}
RAW_PORT=${RAW_PORT:-18082}
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=${WORK:-$TARGET_DIR/bench-load}
export WRK_DIR="$ROOT/bench/wrk" WRK_THREADS
PK=pk_test_Y2xlcmsuaW5zcGlyZWQucHVtYS03NC5sY2wuZGV2JA
AZP=http://localhost:3000

for tool in wrk curl; do
  command -v "$tool" >/dev/null || { echo "load.sh: $tool is required (Debian: apt-get install $tool)" >&2; exit 2; }
done

PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

say() { printf '%s\n' "$*" >&2; }

echo "== clerk-actix load benchmark ($([[ $SMOKE == 1 ]] && echo smoke || echo full)) $(date -u +%FT%TZ)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(uname -sr)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "wrk: -t$WRK_THREADS -c$CONNECTIONS -d${DURATION}s; $(rustc --version)$( ((PIN)) && echo "; pinned: server CPU 0, wrk CPU 1")"

mkdir -p "$WORK"
say "building ($PROFILE_DIR)..."
cargo build -q $PROFILE_FLAG --example api-server --example load-helper
# Run private copies: a target directory shared with other checkouts may be rebuilt meanwhile.
BIN="$WORK/bin"
mkdir -p "$BIN"
cp "$TARGET_DIR/$PROFILE_DIR/examples/api-server" "$TARGET_DIR/$PROFILE_DIR/examples/load-helper" "$BIN/"

# Tokens live two hours: reuse them while they have more than one hour left.
mkdir -p "$WORK"
if [[ ! -f "$WORK/tokens.txt" || $(wc -l < "$WORK/tokens.txt") -ne $BASE_TOKENS \
      || -n $(find "$WORK/tokens.txt" -mmin +60) ]]; then
  "$BIN/load-helper" setup "$WORK" "$BASE_TOKENS" >&2
fi

# raw_verify ROUND: RSA throughput on the server's cores, printed and kept for the ratios. Measured
# in the same round as the never-seen-token runs it is compared with: the machine's speed drifts.
raw_verify() {
  RAW=$("${SERVER_CPU[@]}" "$BIN/load-helper" raw-verify "$WORK" "$RAW_SECONDS")
  RPS["raw verification #$1"]=$(sed -n 's/.*raw_verify_per_s=\([0-9]*\).*/\1/p' <<<"$RAW")
  RPS["full verification #$1"]=$(sed -n 's/.*full_verify_uncached_per_s=\([0-9]*\).*/\1/p' <<<"$RAW")
  echo "raw verification #$1: $RAW"
}

start_server() { # env assignments...
  env "$@" PORT="$PORT" "${SERVER_CPU[@]}" "$BIN/api-server" >"$WORK/server.log" 2>&1 &
  SERVER=$!
  PIDS+=("$SERVER")
  for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  say "api-server did not start:"; cat "$WORK/server.log" >&2; exit 1
}
# The raw-verification server (load-helper raw-server): actix-web, one worker per core like the
# API server, and one route that checks the bearer token's RS256 signature and nothing else.
start_raw_server() {
  "${SERVER_CPU[@]}" "$BIN/load-helper" raw-server "$WORK" "$RAW_PORT" >"$WORK/raw-server.log" 2>&1 &
  RAW_SERVER=$!
  PIDS+=("$RAW_SERVER")
  for _ in $(seq 100); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$RAW_PORT/raw") == 401 ]] && return 0
    sleep 0.1
  done
  say "load-helper raw-server did not start:"; cat "$WORK/raw-server.log" >&2; exit 1
}
stop_server() { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; }

cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
rss_kib() { awk -v k="$1" '$1 == k":" {print $2}' "/proc/$SERVER/status"; }

declare -A RPS P50 P99 REQS CPU NON2XX
# run NAME PATH [env assignments...] [-- extra wrk args]: one wrk measurement.
run() {
  local name=$1 path=$2; shift 2
  local envs=() extra=()
  while (($#)); do
    if [[ $1 == -- ]]; then shift; extra=("$@"); break; fi
    envs+=("$1"); shift
  done
  local script="$WRK_DIR/report.lua"
  for e in "${envs[@]}"; do
    [[ $e == TOKEN_FILE=* && ${envs[*]} != *MODE=* ]] && script="$WRK_DIR/one-token.lua"
    [[ $e == MODE=* ]] && script="$WRK_DIR/tokens.lua"
  done
  local before after out line
  before=$(cpu_ticks)
  out=$(env "${envs[@]}" URL_PATH="$path" "${CLIENT_CPU[@]}" wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${DURATION}s" \
        "${extra[@]}" -s "$script" "http://127.0.0.1:$PORT$path" 2>&1) || { say "$out"; exit 1; }
  after=$(cpu_ticks)
  line=$(grep '^RESULT' <<<"$out") || { say "wrk gave no result for $name:"; say "$out"; exit 1; }
  RPS[$name]=$(sed -n 's/.* rps=\([0-9]*\).*/\1/p' <<<"$line")
  P50[$name]=$(sed -n 's/.* p50_us=\([0-9]*\).*/\1/p' <<<"$line")
  P99[$name]=$(sed -n 's/.* p99_us=\([0-9]*\).*/\1/p' <<<"$line")
  REQS[$name]=$(sed -n 's/.* requests=\([0-9]*\).*/\1/p' <<<"$line")
  NON2XX[$name]=$(sed -n 's/.* non2xx=\([0-9]*\).*/\1/p' <<<"$line")
  local hz; hz=$(getconf CLK_TCK)
  CPU[$name]=$(awk -v t=$((after - before)) -v hz="$hz" -v n="${REQS[$name]}" \
    'BEGIN { printf "%.1f", n ? t * 1e6 / hz / n : 0 }')
  printf '%-34s %9s req/s  p50 %6s us  p99 %7s us  server CPU %6s us/req  non-2xx %s\n' \
    "$name" "${RPS[$name]}" "${P50[$name]}" "${P99[$name]}" "${CPU[$name]}" "${NON2XX[$name]}"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b ? a / b : 0 }'; }
# median NAME [ROUNDS]: the median req/s of NAME's rounds; median_cpu NAME [ROUNDS]: of its CPU per
# request; paired NAME BASE [ROUNDS]: the median of the per-round ratios NAME/BASE, then their
# range in brackets.
median() {
  for r in $(seq "${2:-$ROUNDS}"); do echo "${RPS["$1 #$r"]}"; done | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
median_cpu() {
  for r in $(seq "${2:-$ROUNDS}"); do echo "${CPU["$1 #$r"]}"; done | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
paired() {
  for r in $(seq "${3:-$ROUNDS}"); do ratio "${RPS["$1 #$r"]}" "${RPS["$2 #$r"]}"; echo; done | sort -n |
    awk '{a[NR]=$1} END {printf "%s [%s-%s]", a[int((NR+1)/2)], a[1], a[NR]}'
}

echo
echo "== CPU-bound runs: CLERK_JWT_KEY (no network), one worker per core"
start_server CLERK_JWT_KEY="$(cat "$WORK/public.pem")" CLERK_PUBLISHABLE_KEY="$PK" \
  CLERK_AUTHORIZED_PARTIES="$AZP"
ONE="$WORK/one.txt"
# The headline comparisons run interleaved, ROUNDS times: on a shared machine the throughput
# drifts by more than the differences being measured. Each ratio is taken within a round and
# reported as the median over the rounds; the bare route runs next to the one-token route, and
# every other round runs in reverse order, so a steady drift cancels out instead of biasing it.
headline_run() {
  local round=$2
  case $1 in
    1) run "bare /healthz #$round" /healthz ;;
    2) run "protected /api/ping, one token #$round" /api/ping TOKEN_FILE="$ONE" ;;
    3) run "bare /healthz + token header #$round" /healthz TOKEN_FILE="$ONE" ;;
    4) run "protected /api/me, one token #$round" /api/me TOKEN_FILE="$ONE" ;;
    5) run "signed-out /api/ping (401) #$round" /api/ping ;;
  esac
}
for round in $(seq "$ROUNDS"); do
  order="1 2 3 4 5"
  ((round % 2)) || order="5 4 3 2 1"
  for i in $order; do headline_run "$i" "$round"; done
done
DURATION_SAVED=$DURATION; DURATION=1
# Two passes: a token is cached on its second verification.
run "(warm-up of $WARM_TOKENS tokens)" /api/ping MODE=rotate TOKEN_FILE="$WORK/tokens.txt" COUNT="$WARM_TOKENS" >/dev/null
run "(warm-up of $WARM_TOKENS tokens)" /api/ping MODE=rotate TOKEN_FILE="$WORK/tokens.txt" COUNT="$WARM_TOKENS" >/dev/null
DURATION=$DURATION_SAVED
# Each mode against the bare route too: wrk's per-request Lua (picking and copying a 1 KiB token)
# runs on the same cores as the server, so a mode is compared with the bare route under the very
# same requests.
run "bare /healthz, $WARM_TOKENS rotating tokens" /healthz MODE=rotate TOKEN_FILE="$WORK/tokens.txt" COUNT="$WARM_TOKENS"
run "protected, $WARM_TOKENS distinct (warm)" /api/ping MODE=rotate TOKEN_FILE="$WORK/tokens.txt" COUNT="$WARM_TOKENS"
# Never-seen tokens against their bound, paired the same way: raw RSA verification in a loop, the
# bare route, the raw-verification server and the protected route under the same never-seen
# requests make one round (every other round reversed), NS_ROUNDS times. Each round starts at its
# own OFFSET in the 1M token strings, so no token reaches the protected route twice.
start_raw_server
never_seen_run() {
  local offset=$(( ($2 - 1) * 250000 ))
  case $1 in
    1) raw_verify "$2" ;;
    2) run "bare /healthz, never-seen tokens #$2" /healthz MODE=distinct TOKEN_FILE="$WORK/tokens.txt" OFFSET="$offset" ;;
    3) # run reads the server's port and pid from these.
       local PORT=$RAW_PORT SERVER=$RAW_SERVER
       run "raw-verification server #$2" /raw MODE=distinct TOKEN_FILE="$WORK/tokens.txt" OFFSET="$offset" ;;
    4) run "protected, never-seen tokens #$2" /api/ping MODE=distinct TOKEN_FILE="$WORK/tokens.txt" OFFSET="$offset" ;;
  esac
}
for round in $(seq "$NS_ROUNDS"); do
  order="1 2 3 4"
  ((round % 2)) || order="4 3 2 1"
  for i in $order; do never_seen_run "$i" "$round"; done
  # The estimate the target was judged against until 2026-11-27 (the raw-verification server
  # replaced it): the bare route's cost for the same request plus one RSA check of the loop's.
  # It assumes costs measured apart add up; the raw-verification server reached 0.84-1.11 of it
  # per round (BENCHMARKS.md). Printed for comparison with the earlier runs.
  RPS["additive estimate #$round"]=$(awk -v b="${RPS["bare /healthz, never-seen tokens #$round"]}" \
    -v r="${RPS["raw verification #$round"]}" 'BEGIN { printf "%.0f", 1 / (1 / b + 1 / r) }')
done
kill "$RAW_SERVER" 2>/dev/null || true
RSS_BEFORE_DISTINCT=$(rss_kib VmRSS)
# Then 1M distinct tokens, each sent twice so every one is stored (and the cache must evict).
say "sending $DISTINCT_TOTAL distinct tokens, twice each (the cache stores each one)..."
# wrk always runs for its whole duration (LIMIT only idles the threads): size it from the rate.
COLD_RPS=$(median "protected, never-seen tokens" "$NS_ROUNDS")
DURATION_SAVED=$DURATION
DURATION=$(( DISTINCT_TOTAL * 2 * 150 / 100 / (COLD_RPS > 0 ? COLD_RPS : 1) + 2 ))
# RSS every 2 s while they go in: it must level off once the cache is full.
(while kill -0 "$SERVER" 2>/dev/null; do rss_kib VmRSS; sleep 2; done) >"$WORK/rss.log" 2>/dev/null &
SAMPLER=$!
run "(1M distinct tokens, twice each)" /api/ping MODE=distinct REPEAT=2 TOKEN_FILE="$WORK/tokens.txt" \
  LIMIT=$((DISTINCT_TOTAL * 2)) >/dev/null
kill "$SAMPLER" 2>/dev/null || true
RSS_SERIES=$(awk '{ printf "%s%d", (NR > 1 ? " " : ""), $1 / 1024 }' "$WORK/rss.log")
DURATION=$DURATION_SAVED
FILLED=$(( ${REQS["(1M distinct tokens, twice each)"]} / 2 ))
RSS_AFTER=$(rss_kib VmRSS)
PEAK=$(rss_kib VmHWM)
stop_server

echo
echo "== JWKS traffic: CLERK_SECRET_KEY + a local JWKS server that counts fetches (200 ms per answer)"
JWKS_DELAY_MS=200 "$BIN/load-helper" jwks-server "$WORK" "$JWKS_PORT" >"$WORK/jwks.log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$JWKS_PORT/__count" >/dev/null && break; sleep 0.1; done
count() { curl -sf "http://127.0.0.1:$JWKS_PORT/__count"; }
start_server CLERK_SECRET_KEY=sk_test_bench CLERK_API_URL="http://127.0.0.1:$JWKS_PORT" \
  CLERK_PUBLISHABLE_KEY="$PK" CLERK_AUTHORIZED_PARTIES="$AZP"
CONNECTIONS_SAVED=$CONNECTIONS; CONNECTIONS=1000; DURATION_SAVED=$DURATION; DURATION=2
run "1000 connections, kid never fetched" /api/ping TOKEN_FILE="$ONE"
FETCH_COLD=$(count)
if ((SMOKE)); then
  FETCH_ROTATED=skipped
else
  curl -sf "http://127.0.0.1:$JWKS_PORT/__rotate" >/dev/null
  sleep 6 # past the 5 s minimum refetch interval
  run "1000 connections, rotated-in kid" /api/ping TOKEN_FILE="$WORK/newkid.txt"
  FETCH_ROTATED=$(($(count) - FETCH_COLD))
fi
CONNECTIONS=$CONNECTIONS_SAVED; DURATION=$DURATION_SAVED
BEFORE_FLOOD=$(count)
FLOOD_START=$(date +%s.%N)
run "flood of random kids (401)" /api/ping MODE=rotate TOKEN_FILE="$WORK/random-kids.txt"
FLOOD_SECONDS=$(awk -v s="$FLOOD_START" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
FETCH_FLOOD=$(($(count) - BEFORE_FLOOD))
FLOOD_BOUND=$(awk -v d="$FLOOD_SECONDS" 'BEGIN { printf "%d", 1 + int(d / 5) + 1 }')
stop_server

BARE=$(median "bare /healthz")
ONE_RPS=$(median "protected /api/ping, one token")
RAW_PER_S=$(median "raw verification" "$NS_ROUNDS")

echo
echo "== Summary (medians of $ROUNDS interleaved rounds; per-round range in brackets)"
echo "raw RSA verification: $RAW_PER_S/s on $("${SERVER_CPU[@]}" nproc) cores; full uncached verification: $(median "full verification" "$NS_ROUNDS")/s"
echo "cached verification: $(sed -n 's/.*cached_verify_per_s=\([0-9]*\).*/\1/p' <<<"$RAW")/s; shard lock waits: $(sed -n 's/.*lock_contended=\(.*\)/\1/p' <<<"$RAW")"
echo "server CPU per request: bare $(median_cpu "bare /healthz") us, bare with the token header $(median_cpu "bare /healthz + token header") us, one token $(median_cpu "protected /api/ping, one token") us, signed out $(median_cpu "signed-out /api/ping (401)") us"
echo "server CPU per request, never-seen tokens: $(median_cpu "protected, never-seen tokens" "$NS_ROUNDS") us (bare with the same requests $(median_cpu "bare /healthz, never-seen tokens" "$NS_ROUNDS") us)"
echo "one repeated token / bare:                  $(paired "protected /api/ping, one token" "bare /healthz")   (target >= 0.85)"
echo "one repeated token / bare with same header: $(paired "protected /api/ping, one token" "bare /healthz + token header")"
echo "/api/me (JSON handler) / bare:              $(paired "protected /api/me, one token" "bare /healthz")"
echo "signed-out / bare:                          $(paired "signed-out /api/ping (401)" "bare /healthz")"
echo "(medians of the per-round ratios; the ratio of the median req/s: one token / bare $(ratio "$ONE_RPS" "$BARE"))"
echo "$WARM_TOKENS distinct warm tokens / bare:        $(ratio "${RPS["protected, $WARM_TOKENS distinct (warm)"]}" "$BARE")"
echo "$WARM_TOKENS distinct warm tokens / bare, same requests: $(ratio "${RPS["protected, $WARM_TOKENS distinct (warm)"]}" "${RPS["bare /healthz, $WARM_TOKENS rotating tokens"]}")"
echo "never-seen tokens / raw-verification server: $(paired "protected, never-seen tokens" "raw-verification server" "$NS_ROUNDS")   (target >= 0.90)"
echo "  (medians: raw-verification server $(median "raw-verification server" "$NS_ROUNDS") req/s, $(median_cpu "raw-verification server" "$NS_ROUNDS") us CPU; never-seen $COLD_RPS req/s)"
echo "never-seen tokens / additive estimate:      $(paired "protected, never-seen tokens" "additive estimate" "$NS_ROUNDS")   (the bound before 2026-11-27)"
echo "raw-verification server / additive estimate: $(paired "raw-verification server" "additive estimate" "$NS_ROUNDS")"
echo "  (a round's estimate = 1/(1/bare with the same requests + 1/raw RSA in a loop); median $(median "additive estimate" "$NS_ROUNDS") req/s)"
echo "never-seen tokens / raw RSA alone:          $(paired "protected, never-seen tokens" "raw verification" "$NS_ROUNDS")"
echo "RSS: $((RSS_BEFORE_DISTINCT / 1024)) MiB before, $((RSS_AFTER / 1024)) MiB after $FILLED distinct tokens (each verified twice, so stored), peak $((PEAK / 1024)) MiB"
echo "RSS every 2 s meanwhile (MiB): $RSS_SERIES"
echo "JWKS fetches: $FETCH_COLD for 1000 concurrent requests with a kid never fetched (target 1)"
echo "JWKS fetches: $FETCH_ROTATED for 1000 concurrent requests with a rotated-in kid (target 1)"
echo "JWKS fetches: $FETCH_FLOOD during a ${FLOOD_SECONDS}s flood of random kids (bound: $FLOOD_BOUND at one per 5 s)"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

# The smoke run checks that everything ran and answered as it should, not how fast.
fail=0
check() { if ! eval "$1"; then say "FAILED: $2"; fail=1; fi; }
check '((ONE_RPS > 0)) && (( ${NON2XX["protected /api/ping, one token #1"]} == 0 ))' "valid token is accepted"
check '(( ${NON2XX["protected, never-seen tokens #1"]} == 0 ))' "never-seen valid tokens are accepted"
check '(( ${NON2XX["raw-verification server #1"]} == 0 ))' "the raw-verification server accepts the tokens"
check '(( ${NON2XX["(1M distinct tokens, twice each)"]} == 0 ))' "distinct valid tokens are accepted"
check '(( ${NON2XX["signed-out /api/ping (401) #1"]} == ${REQS["signed-out /api/ping (401) #1"]} ))' "no token is a 401"
check '(( ${NON2XX["1000 connections, kid never fetched"]} == 0 ))' "JWKS-verified requests succeed"
check '((FETCH_COLD == 1))' "one JWKS fetch for 1000 concurrent requests"
check '((FETCH_FLOOD <= FLOOD_BOUND))' "random kids are rate limited"
exit $fail
