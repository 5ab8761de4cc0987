#!/usr/bin/env bash
# Gravity benchmark: dyad vs R fixest and pyfixest, in the same run.
# Usage (from anywhere): bench/gravity/run.sh [REPEATS]
# Env: DYAD_BIN=path to use an existing dyad binary; CARGO_TARGET_DIR (default /work/target-gravity);
#      FIXEST_REPOS=dir holding git clones fixest/, dreamerr/, stringmagic/ (see step 4).
#
# What is timed (medians):
#   dyad      the whole process (`/usr/bin/time`): start, read the CSV, fit, variance, print JSON;
#             on 1 and on 2 threads; 2 x REPEATS runs, half before and half after the peers.
#   R fixest  `fepois` alone, data already in a data.frame, after a warm-up fit, one thread.
#   pyfixest  `pf.fepois` alone after a warm-up fit (numba compiled), and `pd.read_csv` apart.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
REPS=${1:-5}
OUT=$ROOT/bench/out
mkdir -p "$OUT"
TRADE=$ROOT/../shared/data/gravity/fixest_trade.csv
PANEL=$OUT/gravity_panel.csv
VENV=$OUT/venv-gravity

# 1. pyfixest from PyPI in a venv
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import pyfixest' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q pyfixest numpy
fi
PY=$VENV/bin/python

# 2. the synthetic panel (447k rows)
if [ ! -s "$PANEL" ]; then
  "$PY" "$ROOT/../shared/bench/gravity/make_panel.py" --out "$PANEL" >/dev/null
fi

# 3. dyad in release
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/work/target-gravity}
# DYAD_DRIVER=example times the same estimator and reader through dyad-analysis's small example
# driver (same arguments, same JSON), for when the full CLI (which links DataFusion) is not built.
if [ -z "${DYAD_BIN:-}" ]; then
  if [ "${DYAD_DRIVER:-cli}" = example ]; then
    cargo build -q -p dyad-analysis --release --example gravity_cli
    DYAD_BIN=$CARGO_TARGET_DIR/release/examples/gravity_cli
  else
    cargo build -q -p dyad --release
    DYAD_BIN=$CARGO_TARGET_DIR/release/dyad
  fi
fi

# 4. R fixest 0.12.2, one thread. Needs R (Debian bookworm: apt-get install r-base-core r-base-dev
# r-cran-rcpp r-cran-formula r-cran-numderiv r-cran-sandwich r-cran-nlme r-cran-matrix). If R has
# no fixest, fixest 0.12.2 and the versions of its companions dreamerr and stringmagic it was
# released with are built from their GitHub repositories (pinned commits below; CRAN's current
# fixest needs a newer R than Debian's 4.2) into bench/out/R-lib, with MAKEFLAGS=-j1. Their code is
# GPL-3 and stays out of this repository. FIXEST_REPOS may name a directory with local clones
# (fixest/, dreamerr/, stringmagic/, bare or not) when GitHub is not reachable.
RLIB=$OUT/R-lib
R_NOTE=""
declare -A PIN=(
  [stringmagic]=87b187d40c745ea1d8496f071aee7229985da23c  # 1.2.0
  [dreamerr]=ee0086ecfeafd932a2d8600511e67862e9c02c08     # 1.5.0
  [fixest]=dbe56c5d953deb797a61dfc37f6e25fd143c68d4       # 0.12.2
)
install_fixest() {
  local src=$OUT/R-src
  mkdir -p "$RLIB" "$src"
  for pkg in stringmagic dreamerr fixest; do
    local git_dir=$src/$pkg.git
    if [ -n "${FIXEST_REPOS:-}" ] && [ -d "$FIXEST_REPOS/$pkg" ]; then
      git_dir=$FIXEST_REPOS/$pkg
    elif [ ! -d "$git_dir" ]; then
      git clone -q --bare "https://github.com/lrberge/$pkg" "$git_dir" || return 1
    fi
    rm -rf "${src:?}/$pkg" && mkdir -p "$src/$pkg"
    # Only the package itself: fixest's repository also holds large benchmark files.
    local parts
    parts=$(git -C "$git_dir" ls-tree --name-only "${PIN[$pkg]}" | grep -xE 'DESCRIPTION|NAMESPACE|R|src|man|inst|data') || return 1
    # shellcheck disable=SC2086
    git -C "$git_dir" archive "${PIN[$pkg]}" $parts | tar -x -C "$src/$pkg" || return 1
    MAKEFLAGS=-j1 R_LIBS_USER=$RLIB R CMD INSTALL --no-docs --no-multiarch -l "$RLIB" "$src/$pkg" \
      >"$OUT/R-install-$pkg.log" 2>&1 || return 1
  done
}
HAVE_R=0
if ! command -v Rscript >/dev/null; then
  R_NOTE="R is not installed here (apt-get install r-base-core r-base-dev r-cran-rcpp r-cran-formula r-cran-numderiv r-cran-sandwich r-cran-nlme r-cran-matrix), so R fixest was skipped."
elif R_LIBS_USER=$RLIB Rscript -e 'library(fixest)' >/dev/null 2>&1; then
  HAVE_R=1
elif install_fixest && R_LIBS_USER=$RLIB Rscript -e 'library(fixest)' >/dev/null 2>&1; then
  HAVE_R=1
else
  R_NOTE="R fixest could not be built from its repositories (logs: bench/out/R-install-*.log), so it was skipped."
fi
[ -n "$R_NOTE" ] && echo "$R_NOTE" >&2

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# 5. dyad, first round: REPS runs per dataset and thread count (the second round follows the peers)
rm -f "$OUT/dyad.json"
"$PY" "$ROOT/bench/gravity/dyad_bench.py" "$DYAD_BIN" "$TRADE" "$PANEL" "$OUT/dyad.json" "$REPS"

# 6. R fixest
rm -f "$OUT/fixest.json"
if [ "$HAVE_R" = 1 ]; then
  R_LIBS_USER=$RLIB Rscript "$ROOT/bench/gravity/fixest_bench.R" "$TRADE" "$PANEL" "$OUT/fixest.json" "$REPS"
fi

# 7. pyfixest
"$PY" "$ROOT/bench/gravity/pyfixest_bench.py" "$TRADE" "$PANEL" "$OUT/pyfixest.json" "$REPS" 2>/dev/null

# 8. dyad, second round
"$PY" "$ROOT/bench/gravity/dyad_bench.py" "$DYAD_BIN" "$TRADE" "$PANEL" "$OUT/dyad.json" "$REPS"

LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
COMMIT=$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)
"$PY" - "$OUT/meta.json" "$DYAD_BIN" "$LOAD_START" "$LOAD_END" "$R_NOTE" "$REPS" "$COMMIT" <<'PYEOF'
import json, sys, datetime, platform, subprocess
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.machine())
r = subprocess.run(["R", "--version"], capture_output=True, text=True).stdout.splitlines()[:1] if sys.argv[5] == "" else []
json.dump({"dyad_bin": sys.argv[2], "load_start": sys.argv[3], "load_end": sys.argv[4], "r_note": sys.argv[5],
           "reps": int(sys.argv[6]), "commit": sys.argv[7], "cpu": cpu, "r_version": r[0] if r else None,
           "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")},
          open(sys.argv[1], "w"))
PYEOF
"$PY" "$ROOT/bench/gravity/compare.py" "$OUT" "$ROOT/bench/gravity/RESULTS.md"
