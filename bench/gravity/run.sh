#!/usr/bin/env bash
# Gravity benchmark: dyad vs pyfixest (and R fixest when installed), in the same run.
# Usage (from anywhere): bench/gravity/run.sh [REPEATS]
# Env: DYAD_BIN=path to use an existing dyad binary; CARGO_TARGET_DIR (default /work/target-gravity).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
REPS=${1:-3}
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
# DYAD_DRIVER=example times the same estimator through dyad-analysis's small example driver
# (same arguments, same JSON), for when the full CLI (which links DataFusion) is not built yet.
if [ -z "${DYAD_BIN:-}" ]; then
  if [ "${DYAD_DRIVER:-cli}" = example ]; then
    cargo build -q -p dyad-analysis --release --example gravity_cli
    DYAD_BIN=$CARGO_TARGET_DIR/release/examples/gravity_cli
  else
    cargo build -q -p dyad --release
    DYAD_BIN=$CARGO_TARGET_DIR/release/dyad
  fi
fi

LOAD=$(cut -d' ' -f1-3 /proc/loadavg)

# 4. dyad: REPS runs per dataset and thread count; median wall, max RSS
"$PY" - "$DYAD_BIN" "$TRADE" "$PANEL" "$OUT/dyad.json" "$REPS" <<'PYEOF'
import json, statistics, subprocess, sys, re
dyad, trade, panel, out, reps = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
cases = {
    "fixest_trade": (trade, "Euros ~ log(dist_km) | Origin + Destination + Product + Year", "cluster:Origin"),
    "panel": (panel, "value ~ rta | exporter^year + importer^year + exporter^importer", "cluster:exporter^importer"),
}
res = {}
for name, (path, fml, vc) in cases.items():
    res[name] = {}
    for th in ("1", "2"):
        walls, rss, fits, cpus = [], [], [], []
        for _ in range(reps):
            p = subprocess.run(["/usr/bin/time", "-v", dyad, "gravity", path, "--formula", fml,
                                "--vcov", vc, "--threads", th, "--format", "json"],
                               capture_output=True, text=True, check=True)
            j = json.loads(p.stdout)
            t = j["timings"]
            fits.append(t["prepare"] + t["fit"] + t["vcov"])
            m = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", p.stderr)
            walls.append(int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3)))
            cpus.append(sum(float(re.search(rf"{k} time \(seconds\): ([\d.]+)", p.stderr).group(1)) for k in ("User", "System")))
            rss.append(int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1)) / 1024)
        c = j["coefficients"][0]
        res[name][th] = {"fit_seconds": statistics.median(fits), "wall_seconds": statistics.median(walls),
                         "rss_mb": max(rss), "cpu_seconds": statistics.median(cpus), "coef": c["estimate"], "se": c["std_error"],
                         "nobs": j["n_obs"], "iterations": j["iterations"]}
json.dump(res, open(out, "w"), indent=2)
print(json.dumps(res, indent=2))
PYEOF

# 5. pyfixest
"$PY" "$ROOT/bench/gravity/pyfixest_bench.py" "$TRADE" "$PANEL" "$OUT/pyfixest.json" "$REPS" 2>/dev/null

# 6. R fixest, if installed
rm -f "$OUT/fixest.json"
R_NOTE="R fixest is not installed here: Debian bookworm has no r-cran-fixest package, CRAN's current fixest requires a newer R than Debian's 4.2.2, and the archived fixest 0.12.1 source could not be downloaded from this machine (CRAN archive host not resolvable). The issue quotes about 1.0 s single-threaded for the panel model on this machine; compare it with dyad's CPU seconds above."
if command -v Rscript >/dev/null && Rscript -e 'library(fixest)' >/dev/null 2>&1; then
  Rscript "$ROOT/bench/gravity/fixest_bench.R" "$TRADE" "$PANEL" "$OUT/fixest.json" "$REPS"
fi

"$PY" - "$OUT/meta.json" "$DYAD_BIN" "$LOAD" "$R_NOTE" <<'PYEOF'
import json, sys, datetime
json.dump({"dyad_bin": sys.argv[2], "load": sys.argv[3], "r_note": sys.argv[4],
           "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")},
          open(sys.argv[1], "w"))
PYEOF
"$PY" "$ROOT/bench/gravity/compare.py" "$OUT" "$ROOT/bench/gravity/RESULTS.md"
