#!/usr/bin/env python3
"""Times `dyad gravity` as whole processes on the two gravity benchmarks; writes JSON.

Usage: dyad_bench.py DYAD_BIN TRADE_CSV PANEL_CSV OUT_JSON REPEATS

Each run is a fresh process under `/usr/bin/time -v` (wall, user + system CPU, peak RSS), on one
and on two threads. If OUT_JSON exists, its runs are kept and these are added (run.sh times dyad
in two rounds, before and after the peers, so that a change of load during the run weighs on
both sides); medians are over all runs.
"""
import json
import os
import re
import statistics
import subprocess
import sys

dyad, trade, panel, out, reps = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
cases = {
    "fixest_trade": (trade, "Euros ~ log(dist_km) | Origin + Destination + Product + Year", "cluster:Origin"),
    "panel": (panel, "value ~ rta | exporter^year + importer^year + exporter^importer", "cluster:exporter^importer"),
}
res = json.load(open(out)) if os.path.exists(out) else {}
for name, (path, fml, vc) in cases.items():
    for th in ("1", "2"):
        r = res.setdefault(name, {}).setdefault(th, {"runs": []})
        for _ in range(reps):
            p = subprocess.run(["/usr/bin/time", "-v", dyad, "gravity", path, "--formula", fml,
                                "--vcov", vc, "--threads", th, "--format", "json"],
                               capture_output=True, text=True, check=True)
            j = json.loads(p.stdout)
            t = j["timings"]
            m = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", p.stderr)
            r["runs"].append({
                "wall": int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3)),
                "cpu": sum(float(re.search(rf"{k} time \(seconds\): ([\d.]+)", p.stderr).group(1)) for k in ("User", "System")),
                "rss_mb": int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1)) / 1024,
                "fit": t["prepare"] + t["fit"] + t["vcov"],
                "read": j["read_seconds"],
            })
        c = j["coefficients"][0]
        runs = r["runs"]
        r.update({"fit_seconds": statistics.median(x["fit"] for x in runs),
                  "read_seconds": statistics.median(x["read"] for x in runs),
                  "wall_seconds": statistics.median(x["wall"] for x in runs),
                  "cpu_seconds": statistics.median(x["cpu"] for x in runs),
                  "rss_mb": max(x["rss_mb"] for x in runs),
                  "coef": c["estimate"], "se": c["std_error"], "nobs": j["n_obs"], "iterations": j["iterations"]})
json.dump(res, open(out, "w"), indent=2)
