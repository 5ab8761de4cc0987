#!/usr/bin/env bash
# A Comtrade API response of RECORDS records (default 250,000, the size the issue names) through
# `dyad trade ingest`, against the same records as the web CSV, and DuckDB (from PyPI) turning
# the same response into Parquet, measured in the same run:
#
#   bench/trade/comtrade_json.sh
#   RECORDS=20000 bench/trade/comtrade_json.sh        # quick smoke run
#   DYAD_BIN=path/to/dyad RECORDS=20000 bench/trade/comtrade_json.sh   # with a binary at hand
#
# Wall time (median of RUNS alternating runs), CPU time and peak RSS from /usr/bin/time -v; the
# load average (`uptime`) is recorded before and after, as the machine is shared. The generated
# files (bench/trade/comtrade_gen.py) go to bench/out/comtrade/ (gitignored); the figures to
# bench/trade/RESULTS.md by hand, with this command.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target-trade}"
RECORDS="${RECORDS:-250000}"
RUNS="${RUNS:-3}"
out="$root/bench/out/comtrade"
mkdir -p "$out"

if [[ -n "${DYAD_BIN:-}" ]]; then
    dyad="$DYAD_BIN"  # a binary already built (a smoke run of this script with a debug build)
else
    echo "== build (release, CARGO_TARGET_DIR=$CARGO_TARGET_DIR)" >&2
    (cd "$root" && cargo build --release -p dyad --quiet)
    dyad="$CARGO_TARGET_DIR/release/dyad"
fi

venv="$root/bench/out/trade/venv"
if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet duckdb
fi
py="$venv/bin/python"

gen="$out/gen-$RECORDS"
if [[ ! -f "$gen/.done" ]]; then
    rm -rf "$gen"
    mkdir -p "$gen"
    python3 "$here/comtrade_gen.py" "$RECORDS" "$gen"
    touch "$gen/.done"
fi
json="$gen/response.json"
csv="$gen/TradeData.csv"
cat "$json" "$csv" > /dev/null  # every side starts with the files in the OS cache

wall_s() { grep 'Elapsed (wall clock)' "$1" | awk '{print $NF}' | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }'; }
cpu_s() { grep -E 'User time|System time' "$1" | awk '{s += $NF} END {printf "%.2f", s}'; }
peak_mb() { grep 'Maximum resident set size' "$1" | awk '{printf "%.0f", $NF / 1024}'; }
median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

# One timed run: NAME then the command; appends "wall cpu peak_mb" to $out/NAME.runs.
timed() {
    local name="$1"; shift
    /usr/bin/time -v "$@" > "$out/$name.out" 2> "$out/$name.time"
    echo "$(wall_s "$out/$name.time") $(cpu_s "$out/$name.time") $(peak_mb "$out/$name.time")" >> "$out/$name.runs"
}

rm -f "$out"/*.runs
load_before="$(uptime | sed 's/.*load average: //')"
for _ in $(seq 1 "$RUNS"); do
    rm -rf "$out/home-json" "$out/home-csv" "$out/duck.parquet"
    timed json "$dyad" --home "$out/home-json" trade ingest "$json"
    timed csv "$dyad" --home "$out/home-csv" trade ingest "$csv"
    timed duck "$py" -c "
import duckdb, sys
duckdb.sql(\"COPY (SELECT unnest(data, recursive := true) FROM read_json('$json', maximum_object_size = 2000000000)) TO '$out/duck.parquet' (FORMAT parquet)\")
print(duckdb.sql(\"SELECT count(*) FROM '$out/duck.parquet'\").fetchall()[0][0])
"
done
load_after="$(uptime | sed 's/.*load average: //')"

# The two dyad stores hold the same flows.
q="SELECT count(*) AS n, sum(value_usd) AS v FROM flows WHERE source = 'comtrade'"
a="$("$dyad" --home "$out/home-json" sql "$q" --format csv | tail -1)"
b="$("$dyad" --home "$out/home-csv" sql "$q" --format csv | tail -1)"
[[ "$a" == "$b" ]] || { echo "JSON and CSV stores differ: $a vs $b" >&2; exit 1; }
duck_rows="$(tail -1 "$out/duck.out")"

summary() {
    local w c m
    w="$(awk '{print $1}' "$out/$1.runs" | median)"
    c="$(awk '{print $2}' "$out/$1.runs" | median)"
    m="$(awk '{print $3}' "$out/$1.runs" | sort -g | tail -1)"
    echo "$w $c $m"
}
read -r jw jc jm < <(summary json)
read -r cw cc cm < <(summary csv)
read -r dw dc dm < <(summary duck)
cat <<EOF
records=$RECORDS json_mb=$(du -m "$json" | cut -f1) csv_mb=$(du -m "$csv" | cut -f1) stored="$a" duck_rows=$duck_rows
load before: $load_before; after: $load_after
dyad ingest JSON: wall ${jw}s cpu ${jc}s peak ${jm} MiB
dyad ingest CSV:  wall ${cw}s cpu ${cc}s peak ${cm} MiB
duckdb JSON->Parquet: wall ${dw}s cpu ${dc}s peak ${dm} MiB
EOF
