#!/usr/bin/env bash
# Load benchmark of `dyad serve` on loopback: wrk (2 threads, 64 connections, 30 s) against
# the stance endpoint, with the server's resident memory sampled before, during and after.
# Writes bench/web/RESULTS.md. The target of the issue: >= 20k requests/s on 2 cores,
# p99 <= 20 ms, no errors, memory flat. wrk runs on the same 2 cores as the server, so the
# server gets what wrk leaves of them.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
OUT=$ROOT/bench/out/web
mkdir -p "$OUT"

if ! command -v wrk >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk
fi
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
# SERVER=example runs the same server (`dyad_web::serve_blocking`) from the dyad-web example,
# which builds without the CLI's trade stack; the default is `dyad serve` itself.
if [ "${SERVER:-dyad}" = example ]; then
  cargo build --release -p dyad-web --example serve
  SERVE=("$CARGO_TARGET_DIR/release/examples/serve" 127.0.0.1:0)
  WHAT='the dyad-web example server (same code as `dyad serve`)'
else
  cargo build --release -p dyad
  SERVE=("$CARGO_TARGET_DIR/release/dyad" serve --addr 127.0.0.1:0)
  WHAT='`dyad serve`'
fi
PATH_Q='/api/stance?authority=AFG-IEA&on=2023-04-18'
DURATION=${DURATION:-30s}

# Port 0: the server picks a free port and prints its address.
"${SERVE[@]}" >"$OUT/serve.log" 2>&1 &
PID=$!
trap 'kill "$PID" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$OUT/serve.log" || true)
  [ -n "$URL" ] && break
  sleep 0.1
done
[ -n "$URL" ] || { echo "dyad serve did not start:"; cat "$OUT/serve.log"; exit 1; }
BYTES=$(curl -fsS -o /dev/null -w '%{size_download}' "$URL$PATH_Q")

LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
rss() { awk '/^VmRSS/ {print $2}' "/proc/$PID/status"; }
RSS_IDLE=$(rss)
# Warm up (allocator arenas, connection buffers), then measure.
wrk -t2 -c64 -d5s "$URL$PATH_Q" >/dev/null
RSS_WARM=$(rss)
( while kill -0 "$PID" 2>/dev/null; do rss; sleep 1; done ) >"$OUT/rss.txt" &
SAMPLER=$!
wrk -t2 -c64 -d"$DURATION" --latency "$URL$PATH_Q" | tee "$OUT/wrk.txt"
kill "$SAMPLER" 2>/dev/null || true
RSS_AFTER=$(rss)
# A second run: memory must not keep growing from one run to the next.
wrk -t2 -c64 -d"$DURATION" "$URL$PATH_Q" >"$OUT/wrk2.txt"
RSS_AFTER2=$(rss)
kill "$PID"
wait "$PID" 2>/dev/null || true
trap - EXIT

RPS=$(awk '/^Requests\/sec/ {print $2}' "$OUT/wrk.txt")
RPS2=$(awk '/^Requests\/sec/ {print $2}' "$OUT/wrk2.txt")
P50=$(awk '$1 == "50%" {print $2}' "$OUT/wrk.txt")
P90=$(awk '$1 == "90%" {print $2}' "$OUT/wrk.txt")
P99=$(awk '$1 == "99%" {print $2}' "$OUT/wrk.txt")
TOTAL=$(awk '/requests in/ {print $1}' "$OUT/wrk.txt")
SOCKET=$(grep 'Socket errors' "$OUT/wrk.txt" || echo "none")
NON2XX=$(awk '/Non-2xx/ {print $NF}' "$OUT/wrk.txt")
RSS_MIN=$(sort -n "$OUT/rss.txt" | head -1)
RSS_MAX=$(sort -n "$OUT/rss.txt" | tail -1)

cat >"$ROOT/bench/web/RESULTS.md" <<MD
# dyad serve: load benchmark

Measured by \`bench/web/run.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores, $(uname -m),
release build of $WHAT, bundled dataset; load average before the run: $LOAD.
wrk and the server share the same cores (and, when measured, other builds ran beside them).

\`wrk -t2 -c64 -d$DURATION --latency $PATH_Q\` on loopback (the stance of every actor toward
AFG-IEA on 2023-04-18, JSON, $BYTES bytes per answer).

| measure | value | target |
| --- | --- | --- |
| requests/s | $RPS | >= 20000 |
| requests/s, second run | $RPS2 | |
| requests in $DURATION | $TOTAL | |
| latency p50 | $P50 | |
| latency p90 | $P90 | |
| latency p99 | $P99 | <= 20 ms |
| socket errors | $SOCKET | none |
| non-2xx answers | ${NON2XX:-0} | 0 |
| server RSS idle | ${RSS_IDLE} KiB | |
| server RSS after warm-up | ${RSS_WARM} KiB | |
| server RSS during the run (min / max of 1 s samples) | ${RSS_MIN} / ${RSS_MAX} KiB | flat |
| server RSS after the run | ${RSS_AFTER} KiB | |
| server RSS after a second $DURATION run | ${RSS_AFTER2} KiB | flat |

The endpoint keeps its encoded list per period between act dates (every day between two
consecutive first or last days of acts has the same stances; see \`Snapshot::cached_stances\`
in \`crates/dyad-web/src/state.rs\`), so after the first request this measures the HTTP path,
the cache lookup and the JSON head with the day. The cache holds one entry per period and format
(at most 2 × acts + 1 periods)
and 64 MiB in all; it is dropped with the snapshot when a curator writes.

wrk's full output:

\`\`\`
$(cat "$OUT/wrk.txt")
\`\`\`
MD
echo "wrote bench/web/RESULTS.md"
