#!/usr/bin/env bash
# Load on loopback: wrk against `dyad serve` (the bundled data) on 127.0.0.1 only, bounded by
# DURATION per run. Prints, per endpoint and connection count, requests/s, p99 latency, non-2xx
# answers and socket errors, and the server's RSS before and after all runs.
#
#   bench/reliability/stress.sh                       # 30 s per run, 64 and 512 connections
#   DURATION=5s CONNS="64" bench/reliability/stress.sh
#   DYAD=target/release/dyad bench/reliability/stress.sh   # a release binary (default: debug)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DURATION="${DURATION:-30s}"
CONNS="${CONNS:-64 512}"
THREADS="${THREADS:-2}"
DYAD="${DYAD:-${CARGO_TARGET_DIR:-$root/target}/debug/dyad}"
if ! command -v wrk >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
log="$(mktemp)"
"$DYAD" serve --addr 127.0.0.1:0 >"$log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q 'http://' "$log" && break; sleep 0.1; done
addr="$(grep -o 'http://[0-9.:]*' "$log" | head -1)"
rss() { awk '/VmRSS/ {print $2 " kB"}' "/proc/$pid/status"; }
echo "server $addr ($DYAD), RSS at start: $(rss)"
paths=(
    "/api/stance?authority=AFG-IEA&on=2023-04-18"
    "/api/trade/series?a=KAZ&b=AFG&years=2017-2024"
    "/api/brief?actor=KAZ&authority=AFG-IEA&on=2023-04-18"
    "/pair/KAZ/AFG-IEA?on=2023-04-18"
)
printf '| endpoint | connections | requests | req/s | p99 | non-2xx | socket errors |\n| --- | --- | --- | --- | --- | --- | --- |\n'
for path in "${paths[@]}"; do
    for c in $CONNS; do
        out="$(wrk -t"$THREADS" -c"$c" -d"$DURATION" --timeout 10s --latency "$addr$path")"
        reqs="$(grep -Eo '[0-9]+ requests in' <<<"$out" | awk '{print $1}')"
        rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
        p99="$(awk '$1 == "99%" {print $2}' <<<"$out")"
        non2xx="$(awk '/Non-2xx/ {print $NF}' <<<"$out")"
        sock="$(grep -o 'Socket errors:.*' <<<"$out" || true)"
        printf '| `%s` | %s | %s | %s | %s | %s | %s |\n' "$path" "$c" "$reqs" "$rps" "$p99" "${non2xx:-0}" "${sock:-none}"
    done
done
echo "RSS at end: $(rss)"
curl -fsS -o /dev/null -w 'after the load: %{http_code} from /api/states\n' "$addr/api/states"
