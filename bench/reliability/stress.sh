#!/usr/bin/env bash
# Load on loopback: wrk against `dyad serve` on 127.0.0.1 only, bounded by DURATION per run.
# Prints, per endpoint and connection count: requests/s, p99 latency, answers by status (503 is
# the query gate shedding load, see crates/dyad-web/src/limit.rs), socket errors, and what a
# second client saw meanwhile: a stance request every 0.2 s (its statuses and slowest answer),
# which shows whether the server keeps answering others under the flood. Then the server's RSS
# before and after all runs.
#
# The server is given a home with a generated trade store (YEAR_ROWS rows a year for 2017-2024,
# by `dyad trade generate`), so that the trade, brief and page endpoints do real queries; the pair asked for is
# the generated store's KAZ/AFG.
#
#   bench/reliability/stress.sh                       # 30 s per run, 64 and 512 connections
#   DURATION=5s CONNS="64" bench/reliability/stress.sh
#   DYAD=target/release/dyad bench/reliability/stress.sh   # the binary (default: release)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# wrk tallies answers by status with this script (shared with bench/web/trade.sh).
status_lua="$root/bench/web/status.lua"
DURATION="${DURATION:-30s}"
CONNS="${CONNS:-64 512}"
THREADS="${THREADS:-2}"
YEAR_ROWS="${YEAR_ROWS:-250000}"
DYAD="${DYAD:-${CARGO_TARGET_DIR:-$root/target}/release/dyad}"
[ -x "$DYAD" ] || { echo "no dyad binary at $DYAD: cargo build --release -p dyad, or set DYAD" >&2; exit 1; }
if ! command -v wrk >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
work="$(mktemp -d)"
log="$work/serve.log"
cleanup() { kill "${pid:-}" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

"$DYAD" init "$work/home" >/dev/null
"$DYAD" trade generate "$work/gen" --rows "$YEAR_ROWS" --years 2017-2024 --seed 3 >/dev/null 2>&1
"$DYAD" --home "$work/home" trade ingest "$work/gen" >/dev/null 2>&1
rm -rf "$work/gen"

"$DYAD" --home "$work/home" serve --addr 127.0.0.1:0 >"$log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q 'http://' "$log" && break; sleep 0.1; done
addr="$(grep -o 'http://[0-9.:]*' "$log" | head -1)"
rss() { awk '/VmRSS/ {print $2 " kB"}' "/proc/$pid/status"; }
echo "server $addr ($DYAD, home with $YEAR_ROWS generated rows a year), RSS at start: $(rss)"

# A second client: one stance request every 0.2 s until told to stop; prints its statuses and
# slowest answer.
probe() {
    local stop="$1" codes="" slowest=0
    while [ ! -e "$stop" ]; do
        read -r code secs < <(curl -s -o /dev/null -m 20 -w '%{http_code} %{time_total}\n' \
            "$addr/api/stance?authority=AFG-IEA&on=2023-04-18" || echo "000 20")
        codes+="$code "
        slowest="$(awk -v a="$slowest" -v b="$secs" 'BEGIN {print (b > a ? b : a)}')"
        sleep 0.2
    done
    printf '%s; slowest %.3f s\n' "$(tr ' ' '\n' <<<"$codes" | sed '/^$/d' | sort | uniq -c | awk '{printf "%s%s×%s", (NR>1?", ":""), $1, $2}')" "$slowest"
}

paths=(
    "/api/stance?authority=AFG-IEA&on=2023-04-18"
    "/api/trade/series?a=KAZ&b=AFG&years=2017-2024"
    "/api/trade/products?exporter=KAZ&importer=AFG&year=2022&level=2"
    "/api/brief?actor=KAZ&authority=AFG-IEA&on=2023-04-18"
    "/pair/KAZ/AFG-IEA?on=2023-04-18"
)
printf '| endpoint | connections | requests | req/s | p99 | answers by status | socket errors | a stance every 0.2 s meanwhile |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n'
for path in "${paths[@]}"; do
    for c in $CONNS; do
        rm -f "$work/stop"
        probe "$work/stop" >"$work/probe" &
        probe_pid=$!
        out="$(wrk -t"$THREADS" -c"$c" -d"$DURATION" --timeout 10s --latency -s "$status_lua" "$addr$path")"
        touch "$work/stop"
        wait "$probe_pid"
        reqs="$(grep -Eo '[0-9]+ requests in' <<<"$out" | awk '{print $1}')"
        rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
        p99="$(awk '$1 == "99%" {print $2}' <<<"$out")"
        statuses="$(sed -n 's/^statuses //p' <<<"$out")"
        sock="$(grep -o 'Socket errors:.*' <<<"$out" | sed 's/Socket errors: //' || true)"
        printf '| `%s` | %s | %s | %s | %s | %s | %s | %s |\n' "$path" "$c" "$reqs" "$rps" "$p99" \
            "${statuses:-none}" "${sock:-none}" "$(cat "$work/probe")"
    done
done
echo "RSS at end: $(rss)"
curl -fsS -o /dev/null -w 'after the load: %{http_code} from /api/states\n' "$addr/api/states"
