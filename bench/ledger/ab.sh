#!/usr/bin/env bash
# A/B of the in-process import between two revisions of the ledger, in alternating runs so that
# both see the same load; how a change to the import is shown to beat noise (or not).
#
#   bench/ledger/ab.sh REV_A REV_B                 # e.g. bench/ledger/ab.sh HEAD~1 HEAD
#   RUNS=9 NAME=prefetch bench/ledger/ab.sh 2f24717 aac7d73
#
# Each revision is exported with `git archive` into bench/out/ledger/ab/ and its `ledger_bench`
# example built in release (CARGO_TARGET_DIR as run.sh: default /work/target-bench). Data: the
# generated files of run.sh (PAIRS, ACTS as there; generated here if missing). Writes
# bench/ledger/AB-$NAME.md (default NAME: the two short hashes; only for the full-size data,
# smaller runs write out/AB.smoke.md).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target-bench}"
PAIRS="${PAIRS:-10000}"
ACTS="${ACTS:-1000000}"
RUNS="${RUNS:-7}"
[[ $# == 2 ]] || { echo "usage: $0 REV_A REV_B" >&2; exit 2; }
out="$root/bench/out/ledger"
data="$out/data-${PAIRS}x${ACTS}"
ab="$out/ab"
mkdir -p "$ab"

gen_sum="$(sha256sum "$here/gen_ledger.py" | cut -c1-16)"
if [[ ! -f "$data/.done" || "$(cat "$data/.done")" != "$gen_sum" ]]; then
    echo "== generate $PAIRS pairs, $ACTS acts into $data" >&2
    rm -rf "$data"
    python3 "$here/gen_ledger.py" --pairs "$PAIRS" --acts "$ACTS" --out "$data"
    echo "$gen_sum" > "$data/.done"
fi

build() {
    local sha="$1" src="$ab/src-$1"
    rm -rf "$src"
    mkdir -p "$src"
    # `-m`: the files get the time of extraction, not of the commit. Cargo's fingerprint of a
    # workspace crate does not depend on its directory, so with the commit's times a revision
    # built after another whose build is newer than its files was taken as fresh, and the
    # first revision's binary was used for both.
    git -C "$root" archive "$sha" | tar -x -m -C "$src"
    echo "== build ledger_bench of $sha (release)" >&2
    (cd "$src" && cargo build --release -p dyad-ledger --example ledger_bench --quiet)
    cp "$CARGO_TARGET_DIR/release/examples/ledger_bench" "$ab/ledger_bench-$sha"
}
sha_a="$(git -C "$root" rev-parse --short "$1")"
sha_b="$(git -C "$root" rev-parse --short "$2")"
build "$sha_a"
build "$sha_b"
if cmp -s "$ab/ledger_bench-$sha_a" "$ab/ledger_bench-$sha_b"; then
    echo "error: $sha_a and $sha_b built to the same binary; nothing to compare" >&2
    exit 1
fi

if [[ "$PAIRS" == 10000 && "$ACTS" == 1000000 ]]; then
    results="$here/AB-${NAME:-$sha_a-$sha_b}.md"
else
    results="$out/AB.smoke.md"
fi
subject() { git -C "$root" log -1 --format=%s "$1" | cut -c1-100 | sed 's/ [^ ]*$/ .../'; }
python3 "$here/ab.py" --a "$ab/ledger_bench-$sha_a" --b "$ab/ledger_bench-$sha_b" \
    --label-a "\`$1\` = $sha_a ($(subject "$sha_a"))" --label-b "\`$2\` = $sha_b ($(subject "$sha_b"))" \
    --data "$data" --home "$ab/home" --runs "$RUNS" --out "$results"
