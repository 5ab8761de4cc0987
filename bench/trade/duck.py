"""DuckDB side of the trade benchmark (bench/trade/run.sh); DuckDB comes from PyPI.

  duck.py ingest CSV OUT.parquet      -> prints seconds for COPY (FROM read_csv(...)) TO parquet
  duck.py query GLOB EXP IMP RUNS     -> prints rows and warm p50/p90/min in ms
"""
import sys
import time

import duckdb


def ingest(csv, out):
    con = duckdb.connect()
    t = time.perf_counter()
    con.execute(f"COPY (FROM read_csv('{csv}')) TO '{out}' (FORMAT parquet)")
    print(f"seconds={time.perf_counter() - t:.3f}")


def query(glob, exp, imp, runs):
    con = duckdb.connect()
    # The same query as run.sh gives `dyad sql --repeat`, on the same Parquet files.
    sql = (
        f"SELECT year, substr(product, 1, 2) AS hs2, sum(value_usd) AS value_usd "
        f"FROM read_parquet('{glob}') WHERE exporter = '{exp}' AND importer = '{imp}' "
        f"GROUP BY year, substr(product, 1, 2) ORDER BY year, hs2"
    )
    rows = len(con.execute(sql).fetchall())  # untimed warm-up
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        n = len(con.execute(sql).fetchall())
        times.append((time.perf_counter() - t) * 1000)
        assert n == rows
    times.sort()
    pct = lambda p: times[round((len(times) - 1) * p)]
    print(f"rows={rows} p50_ms={pct(0.5):.3f} p90_ms={pct(0.9):.3f} min_ms={times[0]:.3f}")


if __name__ == "__main__":
    if sys.argv[1] == "ingest":
        ingest(sys.argv[2], sys.argv[3])
    else:
        query(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
