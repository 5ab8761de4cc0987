#!/usr/bin/env python3
"""Times pyfixest on the two gravity benchmarks and writes its coefficients as JSON.

Usage: pyfixest_bench.py TRADE_CSV PANEL_CSV OUT_JSON [REPEATS]

Each model is fitted REPEATS times after one warm-up fit (numba compilation is excluded from
the timing, as it would be from a long-running session); the reported time is the median of
the fit alone (data already in memory), and separately the CSV read time. Peak RSS of the whole
process is reported from `resource`.
"""
import json
import resource
import statistics
import sys
import time

import pandas as pd
import pyfixest as pf

MODELS = {
    "fixest_trade": {
        "fml": "Euros ~ np.log(dist_km) | Origin + Destination + Product + Year",
        "vcov": {"CRV1": "Origin"},
        "coef": "np.log(dist_km)",
    },
    "panel": {
        "fml": "value ~ rta | exporter^year + importer^year + exporter^importer",
        "vcov": {"CRV1": "exporter^importer"},
        "coef": "rta",
    },
}


def main() -> int:
    trade_csv, panel_csv, out_json = sys.argv[1:4]
    repeats = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    results = {"pyfixest_version": pf.__version__}
    for name, path in (("fixest_trade", trade_csv), ("panel", panel_csv)):
        m = MODELS[name]
        t = time.perf_counter()
        df = pd.read_csv(path)
        read_s = time.perf_counter() - t
        if name == "panel":
            # pyfixest's ^ in the cluster spec needs a column
            df["exporter^importer"] = df["exporter"].astype(str) + "_" + df["importer"].astype(str)
        fit = pf.fepois(m["fml"], data=df, vcov=m["vcov"])  # warm-up (numba JIT)
        times, cpus = [], []
        for _ in range(repeats):
            t = time.perf_counter()
            c = time.process_time()
            fit = pf.fepois(m["fml"], data=df, vcov=m["vcov"])
            times.append(time.perf_counter() - t)
            cpus.append(time.process_time() - c)
        coef = fit.coef()
        se = fit.se()
        results[name] = {
            "formula": m["fml"],
            "read_seconds": read_s,
            "fit_seconds": statistics.median(times),
            "fit_seconds_all": times,
            "fit_cpu_seconds": statistics.median(cpus),
            "coef": float(coef[m["coef"]]),
            "se": float(se[m["coef"]]),
            "nobs": int(fit._N),
        }
    results["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with open(out_json, "w") as f:
        json.dump(results, f, indent=2)
    json.dump(results, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
