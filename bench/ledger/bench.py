#!/usr/bin/env python3
"""Times `dyad import` and `dyad status` on a generated ledger; called by run.sh.

Python 3.11 standard library only. Prints a summary table and writes RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

IMPORT_TARGET = 200_000  # acts/s
STATUS_TARGET_MS = 50.0


def loadavg() -> str:
    """The 1-, 5- and 15-minute load averages: the machine is shared, so every timing gets one."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run_timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str, float]:
    """Runs `cmd`; returns (wall seconds, peak RSS in KiB, stdout, CPU seconds user+sys).
    Fails loudly on error."""
    gnu_time = shutil.which("time", path="/usr/bin")
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        full = [gnu_time, "-v", "-o", tf.name, *cmd] if gnu_time else cmd
        t0 = time.perf_counter()
        proc = subprocess.Popen(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        out, err = proc.communicate()
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err.decode(errors='replace')}")
        rss = 0
        cpu = float("nan")
        if gnu_time:
            report = tf.read()
            m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report)
            rss = int(m.group(1)) if m else 0
            times = re.findall(r"(?:User|System) time \(seconds\): ([0-9.]+)", report)
            cpu = sum(float(t) for t in times) if len(times) == 2 else cpu
        if not rss:
            import resource

            rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    return wall, rss, out.decode(), cpu


def time_runs(cmd: list[str], runs: int, warmup: int) -> list[float]:
    """Wall time in ms of each of `runs` runs (process start included), after `warmup` runs."""
    for _ in range(warmup):
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
        out.append((time.perf_counter() - t0) * 1000.0)
    return out


def pct(xs: list[float], p: float) -> float:
    s = sorted(xs)
    k = (len(s) - 1) * p
    lo = int(k)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def hyperfine(cmd: list[str], runs: int) -> dict | None:
    hf = shutil.which("hyperfine")
    if not hf:
        return None
    with tempfile.NamedTemporaryFile("r", suffix=".json") as tf:
        # -N: no intermediate shell, so process start is all that is added; output is discarded.
        subprocess.run(
            [hf, "-N", "--warmup", "5", "--runs", str(runs), "--export-json", tf.name, " ".join(cmd)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        r = json.load(open(tf.name))["results"][0]
    return {k: r[k] * 1000.0 for k in ("mean", "stddev", "median", "min", "max")}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--dyad", required=True)
    p.add_argument("--data", required=True, help="directory with authorities.csv and acts.csv")
    p.add_argument("--home", required=True, help="ledger home to create (must not exist)")
    p.add_argument("--pairs", type=int, required=True)
    p.add_argument("--acts", type=int, required=True)
    p.add_argument("--authority", default="", help="default: the middle authority of authorities.csv")
    p.add_argument("--on", default="2015-06-30")
    p.add_argument("--runs", type=int, default=50)
    p.add_argument("--results", required=True, help="RESULTS.md to write")
    p.add_argument("--label", default="", help="free text for RESULTS.md (build, commit)")
    a = p.parse_args()

    acts_csv = os.path.join(a.data, "acts.csv")
    auth_csv = os.path.join(a.data, "authorities.csv")
    ledger = os.path.join(a.home, "ledger.sqlite")
    if not a.authority:
        with open(auth_csv, encoding="utf-8") as f:
            ids = [line.split(",", 1)[0] for line in f.read().splitlines()[1:] if line]
        a.authority = ids[max(0, len(ids) // 2 - 1)]

    subprocess.run([a.dyad, "init", a.home, "--empty"], check=True, stdout=subprocess.DEVNULL)
    print(f"importing {a.acts} acts ...", file=sys.stderr)
    imp_load = loadavg()
    imp_s, imp_rss, imp_out, imp_cpu = run_timed(
        [a.dyad, "import", "--home", a.home, "--by", "bench", "--reason", "ledger benchmark", auth_csv, acts_csv]
    )
    m = re.search(r"(\d+) acts added", imp_out)
    added = int(m.group(1)) if m else -1
    if added != a.acts:
        sys.exit(f"import added {added} acts, expected {a.acts}: {imp_out}")
    rate = a.acts / imp_s

    status_cmd = [a.dyad, "status", a.authority, "--on", a.on, "--home", a.home, "--format", "csv"]
    first = subprocess.run(status_cmd, check=True, capture_output=True, text=True).stdout
    status_rows = max(0, len(first.strip().splitlines()) - 1)
    # Acts the status query reads: every current act of the authority.
    probe = subprocess.run(
        [a.dyad, "export", "--authority", a.authority, "--home", a.home], check=True, capture_output=True, text=True
    ).stdout
    authority_acts = max(0, len(probe.strip().splitlines()) - 1)
    print(f"timing status ({a.runs} warm runs) ...", file=sys.stderr)
    st_load = loadavg()
    ms = time_runs(status_cmd, a.runs, warmup=3)
    st = {"p50": pct(ms, 0.5), "p95": pct(ms, 0.95), "min": min(ms), "mean": statistics.fmean(ms), "max": max(ms)}
    hf = hyperfine(status_cmd, a.runs)

    sizes = {
        "acts.csv": os.path.getsize(acts_csv),
        "authorities.csv": os.path.getsize(auth_csv),
        "ledger.sqlite": os.path.getsize(ledger),
    }
    for extra in ("ledger.sqlite-wal", "ledger.sqlite-shm"):
        path = os.path.join(a.home, extra)
        if os.path.exists(path):
            sizes[extra] = os.path.getsize(path)

    imp_ok = "PASS" if rate >= IMPORT_TARGET else "FAIL"
    st_ok = "PASS" if st["p50"] <= STATUS_TARGET_MS else "FAIL"
    rows = [
        ("import wall", f"{imp_s:.2f} s", ""),
        ("import rate", f"{rate:,.0f} acts/s", f"target >= {IMPORT_TARGET:,}: {imp_ok}"),
        ("import CPU", f"{imp_cpu:.2f} s", f"user+sys; load average before: {imp_load}"),
        ("import peak RSS", f"{imp_rss / 1024:,.0f} MiB", ""),
        ("status p50", f"{st['p50']:.1f} ms", f"target <= {STATUS_TARGET_MS:.0f} ms: {st_ok}"),
        ("status p95", f"{st['p95']:.1f} ms", ""),
        ("status min", f"{st['min']:.1f} ms", ""),
        ("status mean", f"{st['mean']:.1f} ms", f"{a.runs} runs after 3 warm-up runs"),
    ]
    if hf:
        rows.append(("status hyperfine", f"{hf['mean']:.1f} ± {hf['stddev']:.1f} ms",
                     f"median {hf['median']:.1f}, min {hf['min']:.1f}"))
    w = max(len(r[0]) for r in rows)
    v = max(len(r[1]) for r in rows)
    print()
    for name, val, note in rows:
        print(f"{name:<{w}}  {val:>{v}}  {note}")
    print()

    nproc = os.cpu_count()
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    md = [
        "# Ledger benchmark results",
        "",
        "Generated by `bench/ledger/run.sh` (do not edit by hand; re-run to refresh).",
        "",
        f"- Date: {when}",
        f"- Machine: {nproc} CPUs (`nproc`), {cpu_model()}; {platform.system()} {platform.release()}; "
        f"load average at the end {os.getloadavg()[0]:.1f} (wall times grow with other load)",
        f"- Build: `cargo build --release -p dyad`{(' — ' + a.label) if a.label else ''}",
        f"- Data: `gen_ledger.py --pairs {a.pairs} --acts {a.acts}` (fixed seed): "
        f"{a.pairs:,} actor–authority pairs, {a.acts:,} acts",
        f"- Sizes: acts.csv {sizes['acts.csv']:,} B, authorities.csv {sizes['authorities.csv']:,} B, "
        f"ledger.sqlite {sizes['ledger.sqlite']:,} B"
        + "".join(f", {k} {v:,} B" for k, v in sizes.items() if k.endswith(("-wal", "-shm"))),
        "",
        "## Import",
        "",
        "`dyad init --empty`, then one `dyad import authorities.csv acts.csv` (one transaction), wall clock.",
        "",
        "| metric | value | target |",
        "|---|---:|---|",
        f"| wall time | {imp_s:.2f} s | |",
        f"| rate | {rate:,.0f} acts/s | ≥ {IMPORT_TARGET:,} acts/s: **{imp_ok}** |",
        f"| CPU (user+sys) | {imp_cpu:.2f} s = {a.acts / imp_cpu:,.0f} acts per CPU-second | |",
        f"| load average before (1, 5, 15 min) | {imp_load} | 2 CPUs |",
        f"| peak RSS | {imp_rss / 1024:,.0f} MiB | |",
        "",
        "## Status",
        "",
        f"`dyad status {a.authority} --on {a.on} --home DIR --format csv > /dev/null`: "
        f"{status_rows} actors, {authority_acts:,} acts read; process start included, warm page cache, "
        f"{a.runs} runs after 3 warm-up runs.",
        "",
        "| metric | value | target |",
        "|---|---:|---|",
        f"| p50 | {st['p50']:.1f} ms | ≤ {STATUS_TARGET_MS:.0f} ms: **{st_ok}** |",
        f"| p95 | {st['p95']:.1f} ms | |",
        f"| min | {st['min']:.1f} ms | |",
        f"| mean | {st['mean']:.1f} ms | |",
        f"| max | {st['max']:.1f} ms | |",
        f"| load average before (1, 5, 15 min) | {st_load} | 2 CPUs |",
    ]
    if hf:
        md += [
            f"| hyperfine mean ± σ | {hf['mean']:.1f} ± {hf['stddev']:.1f} ms | |",
            f"| hyperfine median / min | {hf['median']:.1f} / {hf['min']:.1f} ms | |",
        ]
    else:
        md += ["", "(hyperfine not installed: Python timings only.)"]
    md.append("")
    with open(a.results, "w", encoding="utf-8") as f:
        f.write("\n".join(md))
    print(f"wrote {a.results}", file=sys.stderr)


if __name__ == "__main__":
    main()
