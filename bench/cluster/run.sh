#!/usr/bin/env bash
# Cluster benchmark: one aggregate over every row of a 50M-row store, answered by the embedded
# engine and by a Ballista cluster of 1 and then 2 executors on loopback, in the same run.
#
#   bench/cluster/run.sh                          # 25 years x 2M rows (50M), 5 timed runs each
#   YEAR_ROWS=100000 RUNS=3 bench/cluster/run.sh  # quick smoke run
#   STORE=/path/to/home bench/cluster/run.sh      # an existing home (read only) instead
#
# Query: SELECT year, exporter, sum(value_usd) FROM flows GROUP BY 1, 2 (every row read).
# Overhead per query: the same three set-ups on a query that reads no file
# (SELECT count(*) FROM countries), i.e. what planning, shipping the plan, scheduling the job
# and fetching the answer cost. Timings are `dyad sql --repeat N` in one process (p50 and min of
# N runs after one untimed run); the answers are compared (sorted) between the engines.
# Executors keep their default --vcores (one per core). The load average is recorded before and
# after: the machine is shared, only ratios measured in the same run count.
# Data, logs and the figures (bench/out/cluster/figures.md) go to bench/out/cluster/ (gitignored);
# bench/cluster/RESULTS.md quotes the full-size run's figures with what they mean.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target-cluster}"
YEAR_ROWS="${YEAR_ROWS:-2000000}"
YEARS="${YEARS:-2000-2024}"
RUNS="${RUNS:-5}"
out="$root/bench/out/cluster"
mkdir -p "$out"

echo "== build (release, CARGO_TARGET_DIR=$CARGO_TARGET_DIR)" >&2
(cd "$root" && cargo build --release -p dyad --quiet)
dyad="$CARGO_TARGET_DIR/release/dyad"

if [[ -n "${STORE:-}" ]]; then
    home="$STORE"
else
    home="$out/home-${YEAR_ROWS}-${YEARS}"
    if [[ ! -f "$home/.done" ]]; then
        rm -rf "$home" "$out/gen"
        "$dyad" trade generate "$out/gen" --rows "$YEAR_ROWS" --years "$YEARS" --seed 11 >&2
        "$dyad" --home "$home" trade ingest "$out/gen" >&2
        rm -rf "$out/gen"
        touch "$home/.done"
    fi
fi
store_rows="$("$dyad" --home "$home" sql "SELECT count(*) AS n FROM flows" --format csv | tail -1)"
store_mb="$(du -sm "$home/trade/flows" | cut -f1)"
files="$(find "$home/trade/flows" -name '*.parquet' | wc -l)"

big="SELECT year, exporter, sum(value_usd) AS v FROM flows GROUP BY 1, 2"
small="SELECT count(*) AS n FROM countries"

pids=()
stop_all() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    pids=()
}
trap stop_all EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Starts a scheduler and $1 executors; sets $url once all are registered.
start_cluster() {
    local n="$1" port i fp gp
    port="$(free_port)"
    "$dyad" cluster scheduler --bind "127.0.0.1:$port" 2> "$out/scheduler-$n.log" &
    pids+=($!)
    for i in $(seq 1 "$n"); do
        fp="$(free_port)"; gp="$(free_port)"
        "$dyad" cluster executor --scheduler "127.0.0.1:$port" --bind-port "$fp" --grpc-port "$gp" \
            2> "$out/executor-$n-$i.log" &
        pids+=($!)
    done
    url="df://127.0.0.1:$port"
    for _ in $(seq 1 300); do
        if curl -s "http://127.0.0.1:$port/readyz" | grep -q "ready: $n executors"; then return; fi
        sleep 0.2
    done
    echo "the cluster did not get $n executors" >&2
    exit 1
}

# `dyad sql QUERY --repeat RUNS` ($2: extra arguments): prints "rows=R runs=… p50_ms=… …".
timed() {
    local rows
    # shellcheck disable=SC2086
    "$dyad" --home "$home" sql "$1" --format csv ${2:-} | tail -n +2 | sort > "$out/answer.csv"
    rows="$(wc -l < "$out/answer.csv")"
    # shellcheck disable=SC2086
    "$dyad" --home "$home" sql "$1" --format csv --repeat "$RUNS" ${2:-} 2> "$out/timing.txt" > /dev/null
    echo "rows=$rows $(cat "$out/timing.txt")"
}

load_before="$(uptime | sed 's/.*load average: //')"
emb_big="$(timed "$big")"; cp "$out/answer.csv" "$out/embedded-big.csv"
emb_small="$(timed "$small")"
start_cluster 1
one_big="$(timed "$big" "--cluster $url")"
cmp -s "$out/answer.csv" "$out/embedded-big.csv" || { echo "1 executor: answers differ" >&2; exit 1; }
one_small="$(timed "$small" "--cluster $url")"
stop_all
start_cluster 2
two_big="$(timed "$big" "--cluster $url")"
cmp -s "$out/answer.csv" "$out/embedded-big.csv" || { echo "2 executors: answers differ" >&2; exit 1; }
two_small="$(timed "$small" "--cluster $url")"
stop_all
# Embedded once more, so that a change of load during the run shows.
emb_big2="$(timed "$big")"
load_after="$(uptime | sed 's/.*load average: //')"

field() { echo "$1" | sed -n "s/.*$2=\([0-9.]*\).*/\1/p"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
row() {
    local name="$1" b="$2" s="$3"
    echo "| $name | $(field "$b" rows) | $(field "$b" p50_ms) | $(field "$b" min_ms) | $(ratio "$(field "$b" p50_ms)" "$(field "$emb_big" p50_ms)")x | $(field "$s" p50_ms) |"
}

results="$out/figures.md"
{
    echo "# Cluster benchmark: measured figures"
    echo
    echo "Written by \`bench/cluster/run.sh\` on $(date -u +%Y-%m-%d) ($(nproc) cores; RUNS=$RUNS)."
    echo "Store: $store_rows rows in $files Parquet files, $store_mb MB. Load average before: $load_before; after: $load_after."
    echo
    echo "\`$big\` (every row), and \`$small\` (no file read: the fixed cost of a query)."
    echo "Times are p50 and min of $RUNS runs in one process, after one untimed run."
    echo
    echo "| engine | rows out | p50 ms | min ms | p50 vs embedded | trivial query p50 ms |"
    echo "| --- | --- | --- | --- | --- | --- |"
    row "embedded (DataFusion in the client process)" "$emb_big" "$emb_small"
    row "Ballista, 1 executor (loopback)" "$one_big" "$one_small"
    row "Ballista, 2 executors (loopback)" "$two_big" "$two_small"
    echo "| embedded again, at the end | $(field "$emb_big2" rows) | $(field "$emb_big2" p50_ms) | $(field "$emb_big2" min_ms) | $(ratio "$(field "$emb_big2" p50_ms)" "$(field "$emb_big" p50_ms)")x | |"
    echo
    echo "Overhead per query (trivial query, cluster minus embedded): 1 executor $(awk -v a="$(field "$one_small" p50_ms)" -v b="$(field "$emb_small" p50_ms)" 'BEGIN { printf "%.1f", a - b }') ms, 2 executors $(awk -v a="$(field "$two_small" p50_ms)" -v b="$(field "$emb_small" p50_ms)" 'BEGIN { printf "%.1f", a - b }') ms."
} > "$results.new"
mv "$results.new" "$results"
cat "$results"
