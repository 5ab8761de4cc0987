"""DuckDB side of the trade benchmark (bench/trade/run.sh, questions.sh); DuckDB comes from PyPI.

  duck.py ingest CSV OUT.parquet      -> prints seconds for COPY (FROM read_csv(...)) TO parquet
  duck.py query GLOB EXP IMP RUNS     -> prints rows and warm p50/p90/min in ms
  duck.py series GLOB A B RUNS        -> the same for dyad's other questions, as dyad's SQL
  duck.py mirror GLOB E I RUNS           asks them (`series_sql`, `mirror_sql`,
  duck.py partners GLOB C DIR FROM TO SOURCE RUNS   `partners_sql`, without the names;
  duck.py partner-series GLOB C DIR RUNS            `partner_series_sql`, BACI)
"""
import sys
import time

import duckdb


def ingest(csv, out):
    con = duckdb.connect()
    t = time.perf_counter()
    con.execute(f"COPY (FROM read_csv('{csv}')) TO '{out}' (FORMAT parquet)")
    print(f"seconds={time.perf_counter() - t:.3f}")


def products_sql(glob, exp, imp):
    # The same query as run.sh gives `dyad sql --repeat`, on the same Parquet files.
    return (
        f"SELECT year, substr(product, 1, 2) AS hs2, sum(value_usd) AS value_usd "
        f"FROM read_parquet('{glob}') WHERE exporter = '{exp}' AND importer = '{imp}' "
        f"GROUP BY year, substr(product, 1, 2) ORDER BY year, hs2"
    )


def series_sql(glob, a, b):
    return f"""
        WITH g AS (
          SELECT year, source, classification, reporter, flow, exporter, importer,
                 product_level, source_url, sum(value_usd) AS value_usd
          FROM read_parquet('{glob}')
          WHERE ((exporter = '{a}' AND importer = '{b}') OR (exporter = '{b}' AND importer = '{a}'))
            AND month IS NULL
          GROUP BY year, source, classification, reporter, flow, exporter, importer,
                   product_level, source_url),
        m AS (
          SELECT *, min(product_level) OVER (PARTITION BY year, source, classification,
                   reporter, flow, exporter, importer, source_url) AS lowest
          FROM g)
        SELECT year, exporter, importer, flow, value_usd, source, classification, reporter,
               source_url
        FROM m WHERE product_level = lowest
        ORDER BY year, source, exporter, flow, reporter, source_url"""


def mirror_sql(glob, e, i):
    return f"""
        WITH g AS (
          SELECT year, flow, product_level, sum(value_usd) AS value_usd
          FROM read_parquet('{glob}')
          WHERE exporter = '{e}' AND importer = '{i}' AND month IS NULL AND source = 'comtrade'
            AND ((reporter = '{e}' AND flow = 'X') OR (reporter = '{i}' AND flow = 'M'))
          GROUP BY year, flow, product_level),
        m AS (SELECT *, min(product_level) OVER (PARTITION BY year, flow) AS lowest FROM g),
        x AS (SELECT year,
                     sum(CASE WHEN flow = 'X' THEN value_usd END) AS exports_reported,
                     sum(CASE WHEN flow = 'M' THEN value_usd END) AS imports_reported
              FROM m WHERE product_level = lowest GROUP BY year),
        b AS (SELECT year, sum(value_usd) AS baci FROM read_parquet('{glob}')
              WHERE exporter = '{e}' AND importer = '{i}' AND source = 'baci'
              GROUP BY year)
        SELECT x.year, x.exports_reported, x.imports_reported,
               x.imports_reported / x.exports_reported AS ratio,
               x.imports_reported - x.exports_reported AS gap, b.baci
        FROM x LEFT JOIN b ON b.year = x.year
        WHERE x.exports_reported IS NOT NULL AND x.imports_reported IS NOT NULL
        ORDER BY x.year"""


def partners_sql(glob, c, direction, y0, y1, source):
    own, other, flow = ("exporter", "importer", "X") if direction == "export" else ("importer", "exporter", "M")
    who = "" if source == "baci" else f"AND reporter = '{c}' AND flow = '{flow}'"
    return f"""
        WITH g AS (
          SELECT year, {other} AS partner, {other}_code AS partner_code, product_level,
                 sum(value_usd) AS value_usd
          FROM read_parquet('{glob}')
          WHERE {own} = '{c}' AND source = '{source}' AND month IS NULL
            AND year BETWEEN {y0} AND {y1} {who}
          GROUP BY year, {other}, {other}_code, product_level),
        m AS (SELECT *, min(product_level) OVER (PARTITION BY year, partner, partner_code)
                AS lowest FROM g),
        p AS (SELECT partner, partner_code, sum(value_usd) AS value_usd FROM m
              WHERE product_level = lowest GROUP BY partner, partner_code),
        t AS (SELECT partner, max(partner_code) AS partner_code, sum(value_usd) AS value_usd
              FROM p GROUP BY partner)
        SELECT coalesce(partner, 'area ' || CAST(partner_code AS VARCHAR)) AS partner, value_usd,
               value_usd / sum(value_usd) OVER () AS share
        FROM t ORDER BY value_usd DESC, partner LIMIT 10"""


def partner_series_sql(glob, c, direction):
    own, other = ("exporter", "importer") if direction == "export" else ("importer", "exporter")
    return f"""
        WITH g AS (
          SELECT {other} AS partner, year, product_level, sum(value_usd) AS value_usd
          FROM read_parquet('{glob}')
          WHERE {own} = '{c}' AND {other} IS NOT NULL AND source = 'baci' AND month IS NULL
          GROUP BY {other}, year, product_level),
        m AS (SELECT *, min(product_level) OVER (PARTITION BY partner, year) AS lowest FROM g)
        SELECT partner, year, value_usd FROM m WHERE product_level = lowest
        ORDER BY partner, year"""


def timed(sql, runs):
    con = duckdb.connect()
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
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "ingest":
        ingest(args[0], args[1])
    elif cmd == "query":
        timed(products_sql(args[0], args[1], args[2]), int(args[3]))
    elif cmd == "series":
        timed(series_sql(args[0], args[1], args[2]), int(args[3]))
    elif cmd == "mirror":
        timed(mirror_sql(args[0], args[1], args[2]), int(args[3]))
    elif cmd == "partners":
        timed(partners_sql(*args[:6]), int(args[6]))
    elif cmd == "partner-series":
        timed(partner_series_sql(*args[:3]), int(args[3]))
    else:
        sys.exit(f"duck.py: unknown command {cmd}")
