#!/usr/bin/env bash
# Scale benchmark: a BACI-sized release (25 years of HS6 flows) through dyad and DuckDB (from
# PyPI), measured in the same run.
#
#   bench/scale/run.sh                      # ROWS=250000000: full BACI size, 10M rows a year
#   ROWS=25000000 bench/scale/run.sh        # a step on the way (1M rows a year)
#   ROWS=500000 RUNS=5 bench/scale/run.sh   # quick smoke run
#   DYAD_BIN=path/to/dyad ROWS=500000 bench/scale/run.sh   # with a binary at hand
#   QUERY_ONLY=1 ROWS=25000000 bench/scale/run.sh  # step 3 again on the store a KEEP=1 run left
#
# 1. `dyad trade generate` writes ROWS rows of synthetic BACI-format CSV over YEARS (one file a
#    year, ROWS / years rows each).
# 2. Ingest of the whole release: `dyad trade ingest DIR` against DuckDB's
#    `COPY (FROM read_csv('DIR/BACI_*.csv')) TO 'x.parquet' (FORMAT parquet)`: wall time, rows/s,
#    CPU time and peak RSS from /usr/bin/time -v, and the size on disk of input and outputs.
# 3. "exporter -> importer, all years, by HS2" for the heaviest pair and the median pair (ranked
#    by their rows in the last year): `dyad trade products E I --level 2 --repeat RUNS` (warm p50
#    in one process) against DuckDB's SQL on the same Parquet files (dyad's store); the fast path
#    is first checked to equal dyad's SQL path.
# Everything runs under `nice -n 10` (the machine is shared; other engineers' builds keep going)
# and the load average (`uptime`) is recorded around each step. Data, stores and the venv go to
# bench/out/scale/ (gitignored); the generated CSVs and both outputs are deleted at the end
# unless KEEP=1. The figures go to bench/out/scale/result-ROWS.md, to be copied into
# bench/scale/RESULTS.md by hand with this command and the load.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target-trade}"
ROWS="${ROWS:-250000000}"
YEARS="${YEARS:-2000-2024}"
RUNS="${RUNS:-50}"
SEED="${SEED:-7}"
KEEP="${KEEP:-0}"
QUERY_ONLY="${QUERY_ONLY:-0}"
# Disk that must stay free for everyone else, in GB.
RESERVE_GB="${RESERVE_GB:-20}"
out="$root/bench/out/scale"
mkdir -p "$out"

first="${YEARS%-*}"; last="${YEARS#*-}"
nyears=$((last - first + 1))
per_year=$((ROWS / nyears))

# Bytes a row takes, from the 10M-row runs of bench/trade: ~32 of CSV, ~12 of dyad's store and
# ~12 of DuckDB's Parquet; all three are on disk at once. Refuse before writing anything if that
# would leave less than RESERVE_GB free.
need_gb=$(( (ROWS * 56 + 999999999) / 1000000000 ))
free_gb=$(df -BG --output=avail "$out" | tail -1 | tr -dc 0-9)
if [[ "$QUERY_ONLY" != 1 ]] && (( free_gb - need_gb < RESERVE_GB )); then
    echo "ROWS=$ROWS needs ~${need_gb} GB and ${free_gb} GB are free: that would leave less than ${RESERVE_GB} GB" >&2
    exit 1
fi

if [[ -n "${DYAD_BIN:-}" ]]; then
    dyad="$DYAD_BIN"
    built="the binary $DYAD_BIN"
else
    echo "== build (release, CARGO_TARGET_DIR=$CARGO_TARGET_DIR)" >&2
    (cd "$root" && cargo build --release -p dyad --quiet)
    dyad="$CARGO_TARGET_DIR/release/dyad"
    built="a release build of $(cd "$root" && git rev-parse --short HEAD)$(cd "$root" && git diff --quiet HEAD -- crates || echo ' with local changes')"
fi

venv="$root/bench/out/trade/venv"  # shared with bench/trade
if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet duckdb
fi
py="$venv/bin/python"
duck_version="$("$py" -c 'import duckdb; print(duckdb.__version__)')"

load() { uptime | sed 's/.*load average: //'; }
wall_s() { grep 'Elapsed (wall clock)' "$1" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }'; }
cpu_s() { grep -E 'User time|System time' "$1" | awk '{s += $NF} END {printf "%.1f", s}'; }
peak_mib() { grep 'Maximum resident set size' "$1" | awk '{printf "%.0f", $NF / 1024}'; }
mb() { du -sm "$1" | cut -f1; }
rate() { awk -v r="$1" -v s="$2" 'BEGIN { printf "%.0f", r / s }'; }
# Rows a CPU-second: under a heavy load, wall time measures the scheduler more than the program.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
p50() { echo "$1" | sed -n 's/.*p50_ms=\([0-9.]*\).*/\1/p'; }
qrows() { echo "$1" | sed -n 's/rows=\([0-9]*\).*/\1/p'; }
# Runs a command under /usr/bin/time -v and nice; the report goes to $out/time-NAME.txt.
timed() {
    local name="$1"; shift
    /usr/bin/time -v nice -n 10 "$@" > "$out/$name.out" 2> "$out/time-$name.txt"
}

gen="$out/gen-$ROWS"
home="$out/home-$ROWS"
duck="$out/duck-$ROWS.parquet"
cleanup() { if [[ "$KEEP" != 1 ]]; then rm -rf "$gen" "$home" "$duck"; fi; }
trap cleanup EXIT
if [[ "$QUERY_ONLY" == 1 ]]; then
    [[ -d "$home/trade/flows" ]] || { echo "no store at $home: run with KEEP=1 first" >&2; exit 1; }
else  # steps 1 and 2, left unindented
rm -rf "$gen" "$home" "$duck"

# --- 1. generate -------------------------------------------------------------------------------
load_gen="$(load)"
timed generate "$dyad" trade generate "$gen" --rows "$per_year" --years "$YEARS" --seed "$SEED"
gen_s="$(wall_s "$out/time-generate.txt")"; gen_cpu="$(cpu_s "$out/time-generate.txt")"
gen_rows="$(awk -F': ' '{s += $2} END {print s}' "$out/generate.out" | awk '{print $1}')"
csv_mb="$(mb "$gen")"

# --- 2. ingest ---------------------------------------------------------------------------------
# dyad first, then DuckDB, each reading the CSVs from the disk (the release is larger than what
# the OS keeps cached beside the other engineers' work once it passes a few GB).
load_ingest="$(load)"
timed dyad-ingest "$dyad" --home "$home" trade ingest "$gen"
load_mid="$(load)"
timed duck-ingest "$py" -c "
import duckdb, time
t = time.perf_counter()
duckdb.sql(\"COPY (FROM read_csv('$gen/BACI_*.csv')) TO '$duck' (FORMAT parquet)\")
print(f'seconds={time.perf_counter() - t:.2f}')
print(duckdb.sql(\"SELECT count(*) FROM '$duck'\").fetchall()[0][0])
"
load_ingest_after="$(load)"
dyad_s="$(wall_s "$out/time-dyad-ingest.txt")"; duck_s="$(wall_s "$out/time-duck-ingest.txt")"
dyad_cpu="$(cpu_s "$out/time-dyad-ingest.txt")"; duck_cpu="$(cpu_s "$out/time-duck-ingest.txt")"
dyad_mib="$(peak_mib "$out/time-dyad-ingest.txt")"; duck_mib="$(peak_mib "$out/time-duck-ingest.txt")"
duck_rows="$(tail -1 "$out/duck-ingest.out")"
store_rows="$("$dyad" --home "$home" sql "SELECT count(*) AS n FROM flows WHERE source = 'baci'" --format csv | tail -1)"
[[ "$store_rows" == "$gen_rows" && "$duck_rows" == "$gen_rows" ]] || {
    echo "rows differ: generated $gen_rows, dyad stored $store_rows, DuckDB wrote $duck_rows" >&2; exit 1; }
store_mb="$(mb "$home/trade")"
files="$(find "$home/trade/flows" -name '*.parquet' | wc -l)"
duck_mb="$(mb "$duck")"
# The generated CSVs are not needed past this point: free the disk before the queries.
if [[ "$KEEP" != 1 ]]; then rm -rf "$gen"; fi
fi

# --- 3. query ----------------------------------------------------------------------------------
q() { "$dyad" --home "$home" sql "$1" --format csv | tail -1 | tr ',' ' '; }
store_rows="$(q "SELECT count(*) FROM flows WHERE source = 'baci'")"
store_mb="$(mb "$home/trade")"
pairs="WITH p AS (SELECT exporter, importer, count(*) AS n FROM flows WHERE year = $last AND exporter IS NOT NULL AND importer IS NOT NULL GROUP BY exporter, importer)"
read -r big_e big_i < <(q "$pairs SELECT exporter, importer FROM p ORDER BY n DESC, exporter, importer LIMIT 1")
read -r mid_e mid_i < <(q "$pairs, r AS (SELECT exporter, importer, row_number() OVER (ORDER BY n, exporter, importer) AS rn, count(*) OVER () AS total FROM p) SELECT exporter, importer FROM r WHERE rn = CAST(floor(total * 0.5) AS BIGINT) + 1")
npairs="$(q "$pairs SELECT count(*) FROM p")"
"$dyad" --home "$home" trade products "$big_e" "$big_i" --level 2 --format csv > "$out/fast.csv"
"$dyad" --home "$home" trade products "$big_e" "$big_i" --level 2 --format csv --sql > "$out/sql.csv"
cmp -s "$out/fast.csv" "$out/sql.csv" || { echo "fast path and SQL differ for $big_e -> $big_i" >&2; exit 1; }
glob="$home/trade/flows/*/*/*/*.parquet"
dyad_query() {
    local n
    n="$(nice -n 10 "$dyad" --home "$home" trade products "$1" "$2" --level 2 --repeat "$RUNS" --format csv 2> "$out/timing.txt" | tail -n +2 | wc -l)"
    echo "rows=$n $(cat "$out/timing.txt")"
}
duck_query() { nice -n 10 "$py" "$root/bench/trade/duck.py" query "$1" "$2" "$3" "$RUNS"; }
load_query="$(load)"
dyad_big="$(dyad_query "$big_e" "$big_i")"
duck_big="$(duck_query "$glob" "$big_e" "$big_i")"
dyad_mid="$(dyad_query "$mid_e" "$mid_i")"
duck_mid="$(duck_query "$glob" "$mid_e" "$mid_i")"
load_after="$(load)"

if [[ "$QUERY_ONLY" == 1 ]]; then
    result="$out/result-$ROWS-query.md"
    cat > "$result" <<MD
## Queries on the $store_rows-row store ($YEARS)

Measured by \`ROWS=$ROWS bench/scale/run.sh\` on $(date -u '+%Y-%m-%d %H:%M') UTC, $(nproc) cores,
$(free -g | awk '/Mem:/ {print $2}') GiB, dyad: $built, DuckDB $duck_version (PyPI);
every process under \`nice -n 10\`.

**"exporter -> importer, all years, by HS2"**, warm p50 over $RUNS runs in one process (store: $store_rows rows, $store_mb MB; pairs
ranked by their rows in $last among the $npairs that trade; load $load_query before, $load_after
after). dyad: \`dyad trade products E I --level 2 --repeat $RUNS\` (checked equal to \`--sql\` for
the heaviest pair); DuckDB: bench/trade/duck.py, the same answer in SQL over the same Parquet
files (dyad's store; DuckDB's own file keeps BACI's raw columns, numeric country codes and
products read as integers, so it cannot answer by ISO codes and HS2 as it stands).

| pair | result rows | dyad p50 ms | DuckDB p50 ms | DuckDB / dyad |
| --- | --- | --- | --- | --- |
| heaviest $big_e -> $big_i | $(qrows "$dyad_big") | $(p50 "$dyad_big") | $(p50 "$duck_big") | $(ratio "$(p50 "$duck_big")" "$(p50 "$dyad_big")")× |
| median $mid_e -> $mid_i | $(qrows "$dyad_mid") | $(p50 "$dyad_mid") | $(p50 "$duck_mid") | $(ratio "$(p50 "$duck_mid")" "$(p50 "$dyad_mid")")× |

Raw: dyad heaviest \`$dyad_big\`; DuckDB \`$duck_big\`; dyad median \`$dyad_mid\`; DuckDB \`$duck_mid\`.
MD
else
    result="$out/result-$ROWS.md"
    cat > "$result" <<MD
## $gen_rows rows ($YEARS, $per_year rows a year)

Measured by \`ROWS=$ROWS bench/scale/run.sh\` on $(date -u '+%Y-%m-%d %H:%M') UTC, $(nproc) cores,
$(free -g | awk '/Mem:/ {print $2}') GiB, dyad: $built, DuckDB $duck_version (PyPI);
every process under \`nice -n 10\`.

Generating the CSVs took ${gen_s} s, ${gen_cpu} CPU-s (load $load_gen).

**Ingest of the whole release** (one run each; load $load_ingest before dyad, $load_mid
between, $load_ingest_after after):

| | wall s | rows/s | CPU s (user + sys) | rows a CPU-s | peak RSS MiB | on disk MB |
| --- | --- | --- | --- | --- | --- | --- |
| input: $nyears BACI-format CSV files | | | | | | $csv_mb |
| \`dyad trade ingest DIR\` ($files Parquet files, sorted by exporter/importer/product, page index) | $dyad_s | $(rate "$gen_rows" "$dyad_s") | $dyad_cpu | $(rate "$gen_rows" "$dyad_cpu") | $dyad_mib | $store_mb |
| DuckDB \`COPY (FROM read_csv('DIR/BACI_*.csv')) TO 'x.parquet' (FORMAT parquet)\` | $duck_s | $(rate "$gen_rows" "$duck_s") | $duck_cpu | $(rate "$gen_rows" "$duck_cpu") | $duck_mib | $duck_mb |

dyad throughput / DuckDB throughput: **$(ratio "$duck_s" "$dyad_s")×** by wall time, $(ratio "$duck_cpu" "$dyad_cpu")× by CPU time; dyad peak RSS / DuckDB: $(ratio "$dyad_mib" "$duck_mib")×.

**"exporter -> importer, all years, by HS2"**, warm p50 over $RUNS runs in one process (store: $store_rows rows, $store_mb MB; pairs
ranked by their rows in $last among the $npairs that trade; load $load_query before, $load_after
after). dyad: \`dyad trade products E I --level 2 --repeat $RUNS\` (checked equal to \`--sql\` for
the heaviest pair); DuckDB: bench/trade/duck.py, the same answer in SQL over the same Parquet
files (dyad's store; DuckDB's own file keeps BACI's raw columns, numeric country codes and
products read as integers, so it cannot answer by ISO codes and HS2 as it stands).

| pair | result rows | dyad p50 ms | DuckDB p50 ms | DuckDB / dyad |
| --- | --- | --- | --- | --- |
| heaviest $big_e -> $big_i | $(qrows "$dyad_big") | $(p50 "$dyad_big") | $(p50 "$duck_big") | $(ratio "$(p50 "$duck_big")" "$(p50 "$dyad_big")")× |
| median $mid_e -> $mid_i | $(qrows "$dyad_mid") | $(p50 "$dyad_mid") | $(p50 "$duck_mid") | $(ratio "$(p50 "$duck_mid")" "$(p50 "$dyad_mid")")× |

Raw: dyad heaviest \`$dyad_big\`; DuckDB \`$duck_big\`; dyad median \`$dyad_mid\`; DuckDB \`$duck_mid\`.
MD
fi
cat "$result"
