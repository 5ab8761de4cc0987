#!/usr/bin/env bash
# Load benchmark of `dyad serve`'s trade and brief endpoints on loopback: wrk (2 threads, 16
# connections, DURATION each, default 10 s) against each endpoint in turn, on a home whose trade
# store is the 25-year benchmark store of bench/trade/run.sh (50M rows; linked, not copied), the
# server's resident memory read before and after each endpoint. Writes bench/web/TRADE.md.
#
#   bench/web/trade.sh [STORE_HOME]   # default bench/out/trade/home-years-v4-2000000-2000-2024
#   DYAD=path/to/dyad bench/web/trade.sh   # with a release binary at hand (no build)
#
# wrk runs on the same 2 cores as the server. Answers other than 200 are counted by status (a
# 503 is the server's query gate refusing work past its slots and queue).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
# wrk tallies answers by status with this script (shared with bench/reliability/stress.sh).
status_lua=$ROOT/bench/web/status.lua
OUT=$ROOT/bench/out/web
mkdir -p "$OUT"
STORE_HOME=${1:-$ROOT/bench/out/trade/home-years-v4-2000000-2000-2024}
DURATION=${DURATION:-10s}
[ -f "$STORE_HOME/trade/manifest.json" ] || { echo "no trade store in $STORE_HOME (run bench/trade/run.sh)"; exit 1; }
if [ -z "${DYAD:-}" ]; then
  export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
  cargo build --release -p dyad
  DYAD=$CARGO_TARGET_DIR/release/dyad
fi

work="$(mktemp -d)"
cleanup() { kill "${PID:-}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
"$DYAD" init "$work/home" >/dev/null
ln -s "$STORE_HOME/trade" "$work/home/trade"

"$DYAD" --home "$work/home" serve --addr 127.0.0.1:0 >"$OUT/trade-serve.log" 2>&1 &
PID=$!
for _ in $(seq 100); do grep -q 'http://' "$OUT/trade-serve.log" && break; sleep 0.1; done
URL="$(grep -o 'http://[0-9.:]*' "$OUT/trade-serve.log" | head -1)"
[ -n "$URL" ] || { echo "dyad serve did not start:"; cat "$OUT/trade-serve.log"; exit 1; }
rss() { awk '/^VmRSS/ {print $2}' "/proc/$PID/status"; }
sql() { "$DYAD" --home "$work/home" sql "$1" --format csv | tail -n +2; }
# The heaviest pair of 2024 and its exporter, as bench/trade/run.sh picks them.
IFS=, read -r E I < <(sql "SELECT exporter, importer FROM flows WHERE year = 2024 AND exporter IS NOT NULL AND importer IS NOT NULL GROUP BY exporter, importer ORDER BY count(*) DESC, exporter, importer LIMIT 1")
PATHS=(
  "/api/trade/series?a=$E&b=$I"
  "/api/trade/products?exporter=$E&importer=$I&year=2024&level=2"
  "/api/trade/partners?country=$E&flow=export&years=2024-2024&top=10"
  "/api/trade/partners?country=$I&flow=import&years=2024-2024&top=10"
  "/api/trade/mirror?exporter=$E&importer=$I"
  "/api/brief?actor=KAZ&authority=AFG-IEA&on=2023-04-18"
)
LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
RSS_START=$(rss)
rows=""
for p in "${PATHS[@]}"; do
  code=$(curl -sS -o "$work/body" -w '%{http_code}' "$URL$p")
  bytes=$(wc -c <"$work/body")
  wrk -t2 -c16 -d2s "$URL$p" >/dev/null   # warm-up
  before=$(rss)
  wrk -t2 -c16 -d"$DURATION" --latency -s "$status_lua" "$URL$p" >"$work/wrk.txt"
  after=$(rss)
  rps=$(awk '/^Requests\/sec/ {print $2}' "$work/wrk.txt")
  p50=$(awk '$1 == "50%" {print $2}' "$work/wrk.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")
  statuses=$(sed -n 's/^statuses //p' "$work/wrk.txt")
  socket=$(grep -o 'Socket errors.*' "$work/wrk.txt" || echo "none")
  rows+="| \`$p\` | $code, $bytes B | $rps | $p50 | $p99 | $statuses | $socket | $before → $after |"$'\n'
  cat "$work/wrk.txt" >>"$OUT/trade-wrk.txt"
done
RSS_END=$(rss)
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

cat >"$ROOT/bench/web/TRADE.md" <<MD
# dyad serve: trade and brief endpoints under load

Measured by \`bench/web/trade.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores, release build of
$(git -C "$ROOT" rev-parse --short HEAD),
\`dyad serve\` (default query gate), a home with the bundled ledger and the 25-year benchmark
store of \`bench/trade/run.sh\` (50M generated BACI rows, 2000-2024); the heaviest pair of 2024,
$E -> $I. \`wrk -t2 -c16 -d$DURATION --latency\` per endpoint after a 2 s warm-up, on loopback,
wrk on the same 2 cores. Load average: $LOAD before, $LOAD_AFTER after.

| endpoint | first answer | req/s | p50 | p99 | statuses | socket errors | RSS KiB before → after |
| --- | --- | --- | --- | --- | --- | --- | --- |
$rows
Server RSS: $RSS_START KiB at the start, $RSS_END KiB at the end.
MD
cat "$ROOT/bench/web/TRADE.md"
