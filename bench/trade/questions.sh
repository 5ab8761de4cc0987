#!/usr/bin/env bash
# dyad's trade questions other than the products of a pair: series, mirror and partners, warm p50
# in one process, against DataFusion SQL (the same answers, `*_sql`) and DuckDB on the same
# Parquet files, in the same run.
#
#   bench/trade/questions.sh HOME [RUNS]
#
# HOME is a home with the 25-year benchmark store (bench/trade/run.sh builds it in
# bench/out/trade/home-years-v4-2000000-2000-2024 and calls this script). The pairs are the
# heaviest and the median pair of 2024 (as run.sh picks them); the countries the heaviest and
# the median exporter, and importer, of 2024 by rows. dyad's side is
# `cargo bench -p dyad-trade --bench questions` (TradeDb's calls: one untimed, then RUNS timed).
# Prints a Markdown section (for RESULTS.md) on stdout.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
home="$1"
runs="${2:-50}"
out="$root/bench/out/trade"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target-trade}"
py="$out/venv/bin/python"
if [[ ! -x "$py" ]]; then
    python3 -m venv "$out/venv"
    "$out/venv/bin/pip" install --quiet duckdb
fi
bin="$(cd "$root" && cargo bench -p dyad-trade --bench questions --no-run --message-format=json 2> /dev/null |
    python3 -c 'import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "questions" and m.get("executable"):
        print(m["executable"])')"
dyad="$CARGO_TARGET_DIR/release/dyad"
glob="$home/trade/flows/*/*/*/*.parquet"
sql() { "$dyad" --home "$home" sql "$1" --format csv | tail -n +2; }
read -r big_e big_i < <(sql "SELECT exporter, importer FROM flows WHERE year = 2024 AND exporter IS NOT NULL AND importer IS NOT NULL GROUP BY exporter, importer ORDER BY count(*) DESC, exporter, importer LIMIT 1" | tr ',' ' ')
read -r mid_e mid_i < <(sql "WITH p AS (SELECT exporter, importer, count(*) AS n FROM flows WHERE year = 2024 AND exporter IS NOT NULL AND importer IS NOT NULL GROUP BY exporter, importer), r AS (SELECT exporter, importer, row_number() OVER (ORDER BY n, exporter, importer) AS rn, count(*) OVER () AS total FROM p) SELECT exporter, importer FROM r WHERE rn = CAST(floor(total * 0.5) AS BIGINT) + 1" | tr ',' ' ')
# The heaviest and the median country on one side (2024, by rows).
country_at() {
    if [[ "$2" == top ]]; then
        sql "SELECT $1 FROM flows WHERE year = 2024 AND $1 IS NOT NULL GROUP BY $1 ORDER BY count(*) DESC, $1 LIMIT 1"
    else
        sql "WITH p AS (SELECT $1 AS c, count(*) AS n FROM flows WHERE year = 2024 AND $1 IS NOT NULL GROUP BY $1), r AS (SELECT c, row_number() OVER (ORDER BY n, c) AS rn, count(*) OVER () AS total FROM p) SELECT c FROM r WHERE rn = CAST(floor(total * 0.5) AS BIGINT) + 1"
    fi
}
big_x="$(country_at exporter top)"; mid_x="$(country_at exporter mid)"
big_m="$(country_at importer top)"; mid_m="$(country_at importer mid)"

p50() { sed -n 's/.*p50_ms=\([0-9.]*\).*/\1/p' <<< "$1"; }
first() { sed -n 's/.*first_ms=\([0-9.]*\).*/\1/p' <<< "$1"; }
rows() { sed -n 's/rows=\([0-9]*\).*/\1/p' <<< "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
load_before="$(uptime | sed 's/.*load average: //')"
table=""
line() {
    local what="$1" fast slow duck
    shift
    fast="$("$bin" "$home" "$runs" "$@")"
    slow="$("$bin" "$home" "$runs" "$1-sql" "${@:2}")"
    duck="$("$py" "$here/duck.py" "${duck_args[@]}" "$runs")"
    table+="| $what | $(rows "$fast") | $(p50 "$fast") | $(first "$fast") | $(p50 "$slow") | $(rows "$duck") | $(p50 "$duck") | $(ratio "$(p50 "$duck")" "$(p50 "$fast")")× |"$'\n'
    raw+="$what: dyad \`$fast\`; dyad SQL \`$slow\`; DuckDB \`$duck\`."$'\n'
}
raw=""
duck_args=(series "$glob" "$big_e" "$big_i"); line "series, heaviest pair $big_e, $big_i" series "$big_e" "$big_i"
duck_args=(series "$glob" "$mid_e" "$mid_i"); line "series, median pair $mid_e, $mid_i" series "$mid_e" "$mid_i"
duck_args=(mirror "$glob" "$big_e" "$big_i"); line "mirror, heaviest pair $big_e -> $big_i" mirror "$big_e" "$big_i"
duck_args=(mirror "$glob" "$mid_e" "$mid_i"); line "mirror, median pair $mid_e -> $mid_i" mirror "$mid_e" "$mid_i"
for spec in "export $big_x heaviest exporter" "export $mid_x median exporter" "import $big_m heaviest importer" "import $mid_m median importer"; do
    read -r dir c label <<< "$spec"
    duck_args=(partners "$glob" "$c" "$dir" 2024 2024 baci)
    line "partners 2024 ($dir), $label $c" partners "$c" "$dir" 2024 2024 baci
done
# A country's trade with every partner by year, all years (the peers' series of a brief).
for spec in "import $big_m heaviest importer" "import $mid_m median importer" "export $big_x heaviest exporter"; do
    read -r dir c label <<< "$spec"
    duck_args=(partner-series "$glob" "$c" "$dir")
    line "partner series, all years ($dir), $label $c" partner-series "$c" "$dir"
done
load_after="$(uptime | sed 's/.*load average: //')"
cat <<MD
## Series, mirror, partners and partner series on the same store

\`bench/trade/questions.sh\`: \`TradeDb\`'s calls in one process (\`cargo bench -p dyad-trade --bench
questions\`: one untimed call, then $runs timed), the fast path against the same answers through
DataFusion SQL (\`series_sql\`, \`mirror_sql\`, \`partners_sql\`, \`partner_series_sql\`) and DuckDB (\`duck.py\`: one
connection, the same SQL over \`read_parquet\`; partners without the names, which DuckDB has no
table of). Series: both directions, every year, by source and reporter; mirror: the pair's
Comtrade declarations (none in this generated BACI store, so no rows on any side: the time is
the reading) with BACI's value; partners: the top 10 of 2024 from BACI; partner series: the
country's BACI trade with every partner, every year (what a brief compares peers with). dyad's
series also holds the bundled reported figures (none for these pairs). dyad reads the pair
totals its ingest wrote beside each flow file (DuckDB and dyad's SQL sum the flows); "first" is
the first call in the process, which reads the footers and the totals of the files it needs. Load average: $load_before before,
$load_after after.

| question | dyad rows | dyad p50 ms | dyad first ms | dyad SQL p50 ms | DuckDB rows | DuckDB p50 ms | DuckDB / dyad |
| --- | --- | --- | --- | --- | --- | --- | --- |
$table
Raw lines:
$raw
MD
