#!/usr/bin/env bash
# The longer runs of the reliability tests: more SIGKILLs, larger imports and ingests, more fuzz
# cases. Each size is an environment variable of the tests (see crates/dyad/tests/it/crash.rs
# and crates/dyad-testkit/src/fuzz.rs); the tests print what held, which goes into
# docs/reliability.md with the command that produced it.
#
#   bench/reliability/crash.sh                      # 100 kills each, 100k fuzz cases per target
#   KILLS=40 CASES=20000 bench/reliability/crash.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export DYAD_CRASH_KILLS="${KILLS:-100}"
export DYAD_CRASH_ACTS="${ACTS:-20000}"
export DYAD_CRASH_ROWS="${ROWS:-100000}"
export DYAD_CRASH_SEED="${SEED:-$RANDOM}"
echo "== crash: $DYAD_CRASH_KILLS kills, $DYAD_CRASH_ACTS acts, $DYAD_CRASH_ROWS rows/year, seed $DYAD_CRASH_SEED"
cargo test -p dyad --test it crash:: -- --nocapture --test-threads 1 2>&1 | grep -E '^(import|trade ingest|curator|reads)|test result'
export DYAD_FUZZ_CASES="${CASES:-100000}"
echo "== fuzz: $DYAD_FUZZ_CASES cases per target"
cargo test -p dyad-core --test it fuzz_inputs 2>&1 | grep -E 'test |test result'
cargo test -p dyad-analysis --test it fuzz_parsers 2>&1 | grep -E 'test |test result'
cargo test -p dyad-trade --test it fuzz_readers 2>&1 | grep -E 'test |test result'
cargo test -p dyad-web --test it fuzz_api -- --nocapture 2>&1 | grep -E 'test |test result|api queries|curator bodies'
