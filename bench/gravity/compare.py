#!/usr/bin/env python3
"""Reads the bench outputs in bench/out/ and writes bench/gravity/RESULTS.md."""
import json
import os
import platform
import sys

out_dir, results_md = sys.argv[1], sys.argv[2]


def load(name):
    p = os.path.join(out_dir, name)
    return json.load(open(p)) if os.path.exists(p) else None


dyad = load("dyad.json")
py = load("pyfixest.json")
r = load("fixest.json")
meta = load("meta.json") or {}

lines = ["# Gravity benchmark: dyad vs pyfixest (vs R fixest)", ""]
lines.append(f"Run: {meta.get('date', '?')} on {platform.machine()}, {os.cpu_count()} cores; "
             f"load average at start {meta.get('load', '?')} (a shared machine: absolute times are noisy, "
             "the ratios come from the same run).")
lines.append(f"dyad binary: `{meta.get('dyad_bin', '?')}`; pyfixest {py['pyfixest_version'] if py else '—'}; "
             + (f"R fixest {r['fixest_version']}" if r else "R fixest: not available (see below)") + ".")
lines.append("")
lines.append("Times are medians of repeated runs. *fit* = estimation with the data already in memory "
             "(dyad: its prepare + fit + variance phases; pyfixest/fixest: the `fepois` call after a warm-up). "
             "*total* = dyad's whole process (read CSV, fit, print) vs pyfixest's `read_csv` + fit. "
             "*CPU* = user + system CPU seconds (less sensitive to the machine's load than wall time): dyad's whole process, pyfixest's fit. "
             "Peak RSS: dyad process (`/usr/bin/time -v`), Python/R process (`resource` / VmHWM, whole session).")
lines.append("")
ok_all = True
for ds, label in (("fixest_trade", "fixest_trade.csv — `Euros ~ log(dist_km) | Origin + Destination + Product + Year`, SE by Origin"),
                  ("panel", "synthetic panel (447,000 rows) — `value ~ rta | exporter^year + importer^year + exporter^importer`, SE by pair")):
    d = dyad[ds]
    lines.append(f"## {label}")
    lines.append("")
    lines.append("| tool | threads | fit (s) | total (s) | CPU (s) | peak RSS (MB) | coefficient | SE | obs |")
    lines.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for th, v in sorted(d.items()):
        lines.append(f"| dyad | {th} | {v['fit_seconds']:.3f} | {v['wall_seconds']:.3f} | {v['cpu_seconds']:.3f} (process) | {v['rss_mb']:.0f} | {v['coef']:.12g} | {v['se']:.9g} | {v['nobs']} |")
    if py:
        p = py[ds]
        lines.append(f"| pyfixest | default | {p['fit_seconds']:.3f} | {p['fit_seconds'] + p['read_seconds']:.3f} | {p['fit_cpu_seconds']:.3f} (fit) | {py['peak_rss_mb']:.0f} (session) | {p['coef']:.12g} | {p['se']:.9g} | {p['nobs']} |")
    if r:
        q = r[ds]
        lines.append(f"| R fixest | 1 | {q['fit_seconds']:.3f} | {q['fit_seconds'] + q['read_seconds']:.3f} | — | {r['peak_rss_mb']:.0f} (session) | {q['coef']:.12g} | {q['se']:.9g} | {q['nobs']} |")
    lines.append("")
    if py:
        p = py[ds]
        for th, v in sorted(d.items()):
            rel = abs(v["coef"] - p["coef"]) / abs(p["coef"])
            ok = rel < 1e-8
            ok_all &= ok
            lines.append(f"- dyad ({th} thread{'s' if th != '1' else ''}) vs pyfixest: coefficient relative difference {rel:.2e} "
                         f"({'OK' if ok else 'FAIL'} at 1e-8); fit {p['fit_seconds'] / v['fit_seconds']:.1f}× faster, "
                         f"total {(p['fit_seconds'] + p['read_seconds']) / v['wall_seconds']:.1f}× faster; "
                         f"CPU: dyad's whole process {v['cpu_seconds']:.2f} s vs pyfixest's fit {p['fit_cpu_seconds']:.2f} s "
                         f"({p['fit_cpu_seconds'] / v['cpu_seconds']:.1f}×).")
    if r:
        q = r[ds]
        for th, v in sorted(d.items()):
            rel = abs(v["coef"] - q["coef"]) / abs(q["coef"])
            lines.append(f"- dyad ({th}) vs R fixest: coefficient relative difference {rel:.2e}; fit {q['fit_seconds'] / v['fit_seconds']:.2f}× faster.")
    lines.append("")
if not r:
    lines.append("## R fixest")
    lines.append("")
    lines.append(meta.get("r_note", "R fixest was not available on this machine."))
    lines.append("")
lines.append(f"Coefficient agreement with pyfixest at 1e-8 relative: {'all OK' if ok_all else 'FAILED'}.")
open(results_md, "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
