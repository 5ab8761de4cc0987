#!/usr/bin/env bash
# Ledger benchmark: import of a generated 1M-act ledger and `status` for one authority.
#
#   bench/ledger/run.sh                      # 10k pairs, 1M acts (the issue's figures)
#   PAIRS=100 ACTS=5000 bench/ledger/run.sh  # quick smoke run
#
# Environment: CARGO_TARGET_DIR (default /work/target-bench), PAIRS, ACTS, RUNS (status runs,
# default 50), AUTHORITY (default: the middle one, SYN-050 at full size), ON (default 2015-06-30), REGEN=1 to regenerate data, LABEL to describe
# the build in RESULTS.md (default: git commit).
# Writes generated data and the ledger under bench/out/ledger/ (gitignored) and the figures to
# bench/ledger/RESULTS.md (only for the full-size run; smaller runs write RESULTS.smoke.md in out/).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target-bench}"
PAIRS="${PAIRS:-10000}"
ACTS="${ACTS:-1000000}"
RUNS="${RUNS:-50}"
AUTHORITY="${AUTHORITY:-}"
ON="${ON:-2015-06-30}"
out="$root/bench/out/ledger"
data="$out/data-${PAIRS}x${ACTS}"
home="$out/home-${PAIRS}x${ACTS}"

echo "== build (release, CARGO_TARGET_DIR=$CARGO_TARGET_DIR)" >&2
(cd "$root" && cargo build --release -p dyad --quiet)
dyad="$CARGO_TARGET_DIR/release/dyad"

gen_sum="$(sha256sum "$here/gen_ledger.py" | cut -c1-16)"
if [[ "${REGEN:-0}" == 1 || ! -f "$data/.done" || "$(cat "$data/.done")" != "$gen_sum" ]]; then
    echo "== generate $PAIRS pairs, $ACTS acts into $data" >&2
    rm -rf "$data"
    python3 "$here/gen_ledger.py" --pairs "$PAIRS" --acts "$ACTS" --out "$data"
    echo "$gen_sum" > "$data/.done"
else
    echo "== reuse generated data in $data" >&2
fi

rm -rf "$home"
if [[ "$PAIRS" == 10000 && "$ACTS" == 1000000 ]]; then
    results="$here/RESULTS.md"
else
    results="$out/RESULTS.smoke.md"
fi
label="commit $(cd "$root" && git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(cd "$root" && git status --porcelain -- crates/dyad crates/dyad-core crates/dyad-ledger 2>/dev/null)" ]]; then
    label="$label + uncommitted changes in crates/{dyad,dyad-core,dyad-ledger}"
fi
label="${LABEL:-$label}"

echo "== benchmark" >&2
python3 "$here/bench.py" --dyad "$dyad" --data "$data" --home "$home" \
    --pairs "$PAIRS" --acts "$ACTS" --runs "$RUNS" --authority "$AUTHORITY" --on "$ON" \
    --results "$results" --label "$label"

# The library alone, without process start: import, then one authority's stances.
echo "== in-process (library) timings" >&2
(cd "$root" && cargo build --release -p dyad-ledger --example ledger_bench --quiet)
rm -rf "$out/home-lib"
inproc="$("$CARGO_TARGET_DIR/release/examples/ledger_bench" "$data" "$out/home-lib" "${AUTHORITY:-SYN-050}" "$ON" "$RUNS")"
echo "$inproc"
printf '\n## In-process (library, no process start)\n\n`ledger_bench`: `Ledger::import` of both files into an empty home, then `Ledger::acts` + `fold_all` for one authority, %s warm runs; load average at the time: %s.\n\n```\n%s\n```\n' \
    "$RUNS" "$(cut -d' ' -f1-3 /proc/loadavg)" "$inproc" >> "$results"
