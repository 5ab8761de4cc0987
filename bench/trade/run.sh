#!/usr/bin/env bash
# Trade benchmark: dyad vs DuckDB (from PyPI), measured in the same run.
#
#   bench/trade/run.sh                                  # 10M-row ingest; 25 years x 2M rows store
#   INGEST_ROWS=1000000 YEAR_ROWS=100000 bench/trade/run.sh   # quick smoke run
#   DYAD_BIN=path/to/dyad QUESTIONS=0 bench/trade/run.sh      # a built binary; no section 3
#
# 1. Ingest one generated 10M-row BACI-format year file: `dyad trade ingest` vs DuckDB's
#    `COPY (FROM read_csv(...)) TO '...parquet'`; wall time and peak RSS from /usr/bin/time -v.
# 2. A 25-year generated store: "exporter -> importer, all years, by HS2", warm p50 in process:
#    `dyad trade products E I --level 2 --repeat N` (the library call users run, the one-dyad fast
#    path), the same through DataFusion SQL (`--sql`), and DuckDB on the same Parquet files.
# 3. The same store: series, mirror and partners (`questions.sh`), fast path, SQL and DuckDB.
# The load average (`uptime`) is recorded beside each timing: the machine is shared, and only
# ratios measured in the same run count.
# Generated data, the venv and the stores go to bench/out/trade/ (gitignored); the figures to
# bench/trade/RESULTS.md for the full-size run, bench/out/trade/RESULTS.smoke.md otherwise.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target-trade}"
INGEST_ROWS="${INGEST_ROWS:-10000000}"
YEAR_ROWS="${YEAR_ROWS:-2000000}"
YEARS="${YEARS:-2000-2024}"
RUNS="${RUNS:-50}"
out="$root/bench/out/trade"
mkdir -p "$out"

if [[ -n "${DYAD_BIN:-}" ]]; then
    dyad="$DYAD_BIN"
else
    echo "== build (release, CARGO_TARGET_DIR=$CARGO_TARGET_DIR)" >&2
    (cd "$root" && cargo build --release -p dyad --quiet)
    dyad="$CARGO_TARGET_DIR/release/dyad"
fi

if [[ ! -x "$out/venv/bin/python" ]]; then
    python3 -m venv "$out/venv"
    "$out/venv/bin/pip" install --quiet duckdb
fi
py="$out/venv/bin/python"
duck_version="$("$py" -c 'import duckdb; print(duckdb.__version__)')"

peak_kb() { grep 'Maximum resident set size' "$1" | awk '{print $NF}'; }
wall_s() { grep 'Elapsed (wall clock)' "$1" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }'; }

# --- 1. ingest ---------------------------------------------------------------------------------
gen1="$out/gen-${INGEST_ROWS}"
if [[ ! -f "$gen1/.done" ]]; then
    rm -rf "$gen1"
    "$dyad" trade generate "$gen1" --rows "$INGEST_ROWS" --years 2022-2022 --seed 7 >&2
    touch "$gen1/.done"
fi
csv="$gen1/BACI_HS17_Y2022_V000000.csv"
rows1="$(($(wc -l < "$csv") - 1))"
csv_mb="$(du -m "$csv" | cut -f1)"
cat "$csv" > /dev/null  # both sides start with the file in the OS cache

# Three runs of each, alternating, so that both meet the same background load; the median wall
# time of each is compared, and CPU time (user + system) is reported beside it.
INGEST_RUNS="${INGEST_RUNS:-3}"
load_ingest="$(uptime | sed 's/.*load average: //')"
cpu_s() { grep -E 'User time|System time' "$1" | awk '{s += $NF} END {printf "%.2f", s}'; }
median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
dyad_walls=(); duck_walls=(); dyad_cpus=(); duck_cpus=(); dyad_kb=0; duck_kb=0
for k in $(seq 1 "$INGEST_RUNS"); do
    rm -rf "$out/home-ingest"
    /usr/bin/time -v "$dyad" --home "$out/home-ingest" trade ingest "$csv" > /dev/null 2> "$out/time-dyad-ingest.txt"
    dyad_walls+=("$(wall_s "$out/time-dyad-ingest.txt")"); dyad_cpus+=("$(cpu_s "$out/time-dyad-ingest.txt")")
    kb="$(peak_kb "$out/time-dyad-ingest.txt")"; if (( kb > dyad_kb )); then dyad_kb=$kb; fi
    rm -f "$out/duck-ingest.parquet"
    /usr/bin/time -v "$py" "$here/duck.py" ingest "$csv" "$out/duck-ingest.parquet" > "$out/duck-ingest.out" 2> "$out/time-duck-ingest.txt"
    duck_walls+=("$(wall_s "$out/time-duck-ingest.txt")"); duck_cpus+=("$(cpu_s "$out/time-duck-ingest.txt")")
    kb="$(peak_kb "$out/time-duck-ingest.txt")"; if (( kb > duck_kb )); then duck_kb=$kb; fi
done
load_ingest_after="$(uptime | sed 's/.*load average: //')"
dyad_s="$(printf '%s\n' "${dyad_walls[@]}" | median)"; duck_s="$(printf '%s\n' "${duck_walls[@]}" | median)"
dyad_cpu="$(printf '%s\n' "${dyad_cpus[@]}" | median)"; duck_cpu="$(printf '%s\n' "${duck_cpus[@]}" | median)"
dyad_pq_mb="$(du -sm "$out/home-ingest/trade/flows" | cut -f1)"
duck_inner="$(sed -n 's/seconds=//p' "$out/duck-ingest.out")"
duck_pq_mb="$(du -m "$out/duck-ingest.parquet" | cut -f1)"

# --- 2. query ----------------------------------------------------------------------------------
# The store's layout version is in the name, so that a store written by an older dyad (other
# page sizes or encodings) is never reused.
layout=4
gen2="$out/gen-years-${YEAR_ROWS}-${YEARS}"
home2="$out/home-years-v${layout}-${YEAR_ROWS}-${YEARS}"
if [[ ! -f "$home2/.done" ]]; then
    rm -rf "$gen2" "$home2"
    "$dyad" trade generate "$gen2" --rows "$YEAR_ROWS" --years "$YEARS" --seed 11 >&2
    "$dyad" --home "$home2" trade ingest "$gen2" >&2
    rm -rf "$gen2"
    touch "$home2/.done"
fi
store_rows="$("$dyad" --home "$home2" sql "SELECT count(*) AS n FROM flows WHERE source = 'baci'" --format csv | tail -1)"
store_mb="$(du -sm "$home2/trade/flows" | cut -f1)"
files="$(find "$home2/trade/flows" -name '*.parquet' | wc -l)"
# The dyad with the most rows (the heaviest pair), and a middling one.
read -r big_e big_i < <("$dyad" --home "$home2" sql "SELECT exporter, importer FROM flows WHERE year = 2024 AND exporter IS NOT NULL AND importer IS NOT NULL GROUP BY exporter, importer ORDER BY count(*) DESC, exporter, importer LIMIT 1" --format csv | tail -1 | tr ',' ' ')
# The pair at a quantile of rows a year (2024), among the pairs that trade.
pair_at() {
    "$dyad" --home "$home2" sql "WITH p AS (SELECT exporter, importer, count(*) AS n FROM flows WHERE year = 2024 AND exporter IS NOT NULL AND importer IS NOT NULL GROUP BY exporter, importer), r AS (SELECT exporter, importer, row_number() OVER (ORDER BY n, exporter, importer) AS rn, count(*) OVER () AS total FROM p) SELECT exporter, importer FROM r WHERE rn = CAST(floor(total * $1) AS BIGINT) + 1" --format csv | tail -1 | tr ',' ' '
}
npairs="$("$dyad" --home "$home2" sql "SELECT count(*) AS n FROM (SELECT DISTINCT exporter, importer FROM flows WHERE year = 2024 AND exporter IS NOT NULL AND importer IS NOT NULL)" --format csv | tail -1)"
read -r mid_e mid_i < <(pair_at 0.5)
read -r p90_e p90_i < <(pair_at 0.9)
read -r p99_e p99_i < <(pair_at 0.99)
glob="$home2/trade/flows/*/*/*/*.parquet"
# `dyad trade products E I --level 2`: every year, by HS2, with names and shares (one untimed
# run, then RUNS timed, in one process); `--sql` answers the same through DataFusion.
dyad_query() {
    local rows timing
    local pin=()
    if [[ "${4:-}" == taskset ]]; then pin=(taskset -c 0); fi
    rows="$("${pin[@]}" "$dyad" --home "$home2" trade products "$1" "$2" --level 2 --repeat "$RUNS" --format csv ${3:-} 2> "$out/timing.txt" | tail -n +2 | wc -l)"
    timing="$(cat "$out/timing.txt")"
    echo "rows=$rows $timing"
}
"$dyad" --home "$home2" trade products "$big_e" "$big_i" --level 2 --format csv > "$out/fast.csv"
"$dyad" --home "$home2" trade products "$big_e" "$big_i" --level 2 --format csv --sql > "$out/sql.csv"
cmp -s "$out/fast.csv" "$out/sql.csv" || { echo "fast path and SQL differ" >&2; exit 1; }
load_query="$(uptime | sed 's/.*load average: //')"
dyad_big="$(dyad_query "$big_e" "$big_i")"
# The same pinned to one core: what the second thread adds, whatever the other core is doing.
dyad_big1="$(dyad_query "$big_e" "$big_i" "" taskset)"
duck_big="$("$py" "$here/duck.py" query "$glob" "$big_e" "$big_i" "$RUNS")"
sql_big="$(dyad_query "$big_e" "$big_i" --sql)"
dyad_mid="$(dyad_query "$mid_e" "$mid_i")"
duck_mid="$("$py" "$here/duck.py" query "$glob" "$mid_e" "$mid_i" "$RUNS")"
sql_mid="$(dyad_query "$mid_e" "$mid_i" --sql)"
dyad_p90="$(dyad_query "$p90_e" "$p90_i")"
duck_p90="$("$py" "$here/duck.py" query "$glob" "$p90_e" "$p90_i" "$RUNS")"
dyad_p99="$(dyad_query "$p99_e" "$p99_i")"
duck_p99="$("$py" "$here/duck.py" query "$glob" "$p99_e" "$p99_i" "$RUNS")"
load_after="$(uptime | sed 's/.*load average: //')"
# 3. The other questions (series, mirror, partners) on the same store.
questions=""
if [[ "${QUESTIONS:-1}" != 0 ]]; then
    questions="$("$here/questions.sh" "$home2" "$RUNS")"
fi
p50() { echo "$1" | sed -n 's/.*p50_ms=\([0-9.]*\).*/\1/p'; }
qrows() { echo "$1" | sed -n 's/rows=\([0-9]*\).*/\1/p'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }

if [[ "$INGEST_ROWS" == 10000000 && "$YEAR_ROWS" == 2000000 && "$YEARS" == 2000-2024 ]]; then
    results="$here/RESULTS.md"
else
    results="$out/RESULTS.smoke.md"
fi
cat > "$results" <<MD
# Trade benchmark results

Measured by \`bench/trade/run.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB,
dyad release build, DuckDB $duck_version (PyPI). Data: \`dyad trade generate\` (synthetic BACI format,
238 areas of the V202201 dictionary, 5,000 HS6 codes, log-normal values, fixed seed).

## Ingest of one BACI-format year file

$rows1 rows, $csv_mb MB of CSV (in the OS cache for both). $INGEST_RUNS runs of each, alternating; the
median is shown (all wall times: dyad ${dyad_walls[*]} s, DuckDB ${duck_walls[*]} s). Load average:
$load_ingest before, $load_ingest_after after.

| | wall s (median) | rows/s | CPU s (user + sys) | peak RSS MiB | Parquet MB |
| --- | --- | --- | --- | --- | --- |
| \`dyad trade ingest\` (parse, check codes and products, sort by exporter/importer/product, Snappy Parquet with a page index) | $dyad_s | $(awk -v r="$rows1" -v s="$dyad_s" 'BEGIN{printf "%.0f", r/s}') | $dyad_cpu | $((dyad_kb / 1024)) | $dyad_pq_mb |
| DuckDB \`COPY (FROM read_csv(...)) TO '...parquet'\` (process; the last in-process COPY took ${duck_inner} s) | $duck_s | $(awk -v r="$rows1" -v s="$duck_s" 'BEGIN{printf "%.0f", r/s}') | $duck_cpu | $((duck_kb / 1024)) | $duck_pq_mb |

dyad throughput / DuckDB throughput: **$(ratio "$duck_s" "$dyad_s")×** (median wall time of each process).

## "exporter -> importer, all years, by HS2" on a 25-year store

Store: $store_rows rows ($YEARS, about $YEAR_ROWS rows a year), $files Parquet files, $store_mb MB.
Warm: one untimed run, then $RUNS timed runs in one process. dyad: \`dyad trade products E I --level 2
--repeat $RUNS\` (the one-dyad fast path: cached footers and page indexes, only the pair's pages
decoded, sums in Rust; the answer also has names and shares); "dyad SQL" is the same answer
through DataFusion (\`--sql\`); DuckDB: one Python connection, \`read_parquet\` over the same
files, \`GROUP BY year, substr(product, 1, 2)\`. Load average: $load_query before, $load_after after.

| pair | result rows | dyad p50 ms | dyad SQL p50 ms | DuckDB p50 ms | DuckDB / dyad |
| --- | --- | --- | --- | --- | --- |
| heaviest pair $big_e -> $big_i | $(qrows "$dyad_big") | $(p50 "$dyad_big") | $(p50 "$sql_big") | $(p50 "$duck_big") | $(ratio "$(p50 "$duck_big")" "$(p50 "$dyad_big")")× |
| pair at the 99th percentile $p99_e -> $p99_i | $(qrows "$dyad_p99") | $(p50 "$dyad_p99") | | $(p50 "$duck_p99") | $(ratio "$(p50 "$duck_p99")" "$(p50 "$dyad_p99")")× |
| pair at the 90th percentile $p90_e -> $p90_i | $(qrows "$dyad_p90") | $(p50 "$dyad_p90") | | $(p50 "$duck_p90") | $(ratio "$(p50 "$duck_p90")" "$(p50 "$dyad_p90")")× |
| median pair $mid_e -> $mid_i | $(qrows "$dyad_mid") | $(p50 "$dyad_mid") | $(p50 "$sql_mid") | $(p50 "$duck_mid") | $(ratio "$(p50 "$duck_mid")" "$(p50 "$dyad_mid")")× |

Pairs are ranked by their rows in 2024 among the $npairs pairs that trade; the percentile pairs
are read with the same command (the SQL column is left out for them: it is 20–35 ms for any pair).

The heaviest pair on one core (\`taskset -c 0\`): p50 $(p50 "$dyad_big1") ms.

Raw lines: dyad heaviest \`$dyad_big\`; dyad heaviest on one core \`$dyad_big1\`; dyad SQL heaviest \`$sql_big\`; DuckDB heaviest \`$duck_big\`;
dyad median \`$dyad_mid\`; dyad SQL median \`$sql_mid\`; DuckDB median \`$duck_mid\`;
dyad 90th \`$dyad_p90\`; DuckDB 90th \`$duck_p90\`; dyad 99th \`$dyad_p99\`; DuckDB 99th \`$duck_p99\`.

$questions

## Notes

- Timings on this shared 2-core machine move with the other engineers' builds (load 4–6 here):
  compare the ratios of one run, not figures across runs. In three earlier runs the ingest ratio
  was 0.8×–1.1× on single runs (hence three alternating runs and medians now), and the median
  pair's p50 was 2.2–5.5 ms while the fast path still used two threads for it; pinned to one
  core it was a steady 1.9 ms, which is why reads of fewer than 40,000 candidate rows stay on
  one thread (the median pair reads 25,600; the 90th-percentile pair, above it, gains ~25%
  from the second thread on an idle machine).
- The heaviest pair reads about 180,000 candidate rows (125,000 of them its own) in 25 row
  groups, on two threads that take row groups one at a time, largest first. BACI row groups are
  decoded page by page, not through the Arrow reader: exporter and importer pages whose
  statistics prove the pair are not read, the pages a column chunk needs are read with one
  \`pread\`, and in a delta-encoded product page a row whose code shares its first two (ASCII)
  bytes with the row before is known to be in the same run from its prefix length alone; the
  values between run starts are summed in a line (\`PairQuery::fold\`, \`delta_cuts\`). On one
  core that is ~28 ns a row (3.5 ms; it was 6.05 ms, 6.7× DuckDB, at the start of this work):
  a profile (\`perf\`, 2026-11-29) puts Snappy at 18%, the runs and sums at 16%, unpacking the
  prefix and suffix lengths at 9%, the exporter/importer pages at 5% and building the answer
  at 5%. The largest single gains were scanning the row masks in blocks of 64 (~20% on one
  core: the masks cover every candidate row and were read a \`bool\` at a time per column) and
  summing runs from prefix lengths (~11%).
- \`value_usd\` is stored split into byte streams (BYTE_STREAM_SPLIT, layout 3): whole dollars
  leave most bytes of a double in runs that Snappy all but removes: the column is 45% of its
  plain size (64% for plain doubles compressed), a generated 3-year store 73 MB against 82 MB,
  the 25-year benchmark store 603 MB against 677 MB (layout 2). The heaviest pair of the
  3-year store read 5% faster, and ingest is no slower. Leaving \`product\` uncompressed as
  well gave 3% more for 14% more disk, and was not kept.
- "dyad SQL" is the previous path (DataFusion, ~25 ms of planning and scheduling for any pair).
- The fast path's code was split into a reader (\`dyad-trade/src/fastpath/\`) and the products
  query (\`query/products.rs\`) on 2026-12-07; \`bench/trade/compare.sh\` timed the build before
  and after, alternating: see \`bench/trade/COMPARE.md\`.
- Moved here from doc comments: the second thread of a one-dyad read (\`PARALLEL_ROWS\` in
  \`fastpath/reader.rs\`) paid on an idle machine from about 20,000 candidate rows (the median
  pair, 25,600 rows: 1.25 ms on one thread, 0.8 ms on two); with three processes spinning on
  the two cores that pair's p50 went from 1.4 ms on one thread to 3.9 ms on two, hence two
  threads only above 40,000 rows (the 90th-percentile pair, ~2 ms on one thread). Comparing
  short codes with \`==\` instead of \`fastpath::text::same_bytes\` took 1% (heaviest pair) to
  1.2% (median pair) more instructions (callgrind, 2026-12-07; the \`memcmp\` calls were up to
  four times as many).
MD
cat "$results"
