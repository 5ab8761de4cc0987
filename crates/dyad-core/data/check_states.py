#!/usr/bin/env python3
"""Check states.csv (Python 3 standard library only).

Usage:
    python3 check_states.py [states.csv] [--events EVENTS.csv] [--baci BACI_CODES.csv]

Always checks the file itself: header, UTF-8 without BOM, LF line ends,
sorted unique codes, 193 `member` and 2 `observer` rows, allowed values of
un_status and kind, numeric as 3 digits or empty, Namibia's alpha-2 kept as
the text `NA`, the Kosovo / Taiwan / UN / EU rows.

With --events (a recognition events CSV with an `actor` column, e.g.
shared/data/recognition/afghanistan_iea_events.csv): every actor, and AFG,
must be in states.csv.

With --baci (BACI's country_codes CSV, column `iso_3digit_alpha`): every
alpha-3 code must be in states.csv, except ones listed as not ISO 3166-1
(printed for information, not a failure: `N/A` and withdrawn codes such as
CSK, DDR, SUN, ANT, SCG).

Exit status 0 when every check passes, 1 otherwise.
"""

import argparse
import csv
import os
import sys

HEADER = ["code", "numeric", "alpha2", "name", "un_status", "kind"]
UN_STATUS = {"member", "observer", "none"}
KINDS = {"state", "territory", "organisation"}


def read_rows(path):
    raw = open(path, "rb").read()
    problems = []
    if raw.startswith(b"\xef\xbb\xbf"):
        problems.append("file starts with a BOM")
    if b"\r" in raw:
        problems.append("file has CR characters (want LF line ends)")
    if not raw.endswith(b"\n"):
        problems.append("file does not end with a newline")
    text = raw.decode("utf-8")
    reader = csv.reader(text.splitlines())
    header = next(reader)
    if header != HEADER:
        problems.append(f"header is {header}, want {HEADER}")
    rows = []
    for n, rec in enumerate(reader, start=2):
        if len(rec) != len(HEADER):
            problems.append(f"line {n}: {len(rec)} fields")
            continue
        rows.append(dict(zip(HEADER, rec)))
    return rows, problems


def check_registry(rows):
    problems = []
    codes = [r["code"] for r in rows]
    if codes != sorted(codes):
        problems.append("rows are not sorted by code")
    if len(codes) != len(set(codes)):
        problems.append("duplicate codes")
    by = {r["code"]: r for r in rows}

    count = lambda k, v: sum(r[k] == v for r in rows)
    if count("un_status", "member") != 193:
        problems.append(f"{count('un_status', 'member')} members, want 193")
    observers = sorted(r["code"] for r in rows if r["un_status"] == "observer")
    if observers != ["PSE", "VAT"]:
        problems.append(f"observers are {observers}, want PSE, VAT")

    for r in rows:
        c = r["code"]
        if r["un_status"] not in UN_STATUS:
            problems.append(f"{c}: un_status {r['un_status']!r}")
        if r["kind"] not in KINDS:
            problems.append(f"{c}: kind {r['kind']!r}")
        num = r["numeric"]
        if num and not (len(num) == 3 and num.isdigit()):
            problems.append(f"{c}: numeric {num!r} is not 3 digits")
        if not r["name"]:
            problems.append(f"{c}: empty name")
        if r["un_status"] in ("member", "observer") and r["kind"] != "state":
            problems.append(f"{c}: UN {r['un_status']} but kind {r['kind']}")
        if r["kind"] != "organisation" and not (len(c) == 3 and c.isupper()):
            problems.append(f"{c}: code is not 3 capital letters")

    expect = {
        "NAM": {"alpha2": "NA", "numeric": "516", "un_status": "member"},
        "AFG": {"numeric": "004", "un_status": "member", "kind": "state"},
        "TWN": {"numeric": "158", "un_status": "none", "kind": "state"},
        "XKX": {"numeric": "", "alpha2": "XK", "un_status": "none", "kind": "state"},
        "VAT": {"un_status": "observer", "kind": "state"},
        "PSE": {"un_status": "observer", "kind": "state"},
        "SSD": {"un_status": "member"},
        "MNE": {"un_status": "member"},
        "UN": {"numeric": "", "alpha2": "", "un_status": "none", "kind": "organisation"},
        "EU": {"numeric": "", "alpha2": "", "un_status": "none", "kind": "organisation"},
    }
    for code, fields in expect.items():
        r = by.get(code)
        if r is None:
            problems.append(f"{code} missing")
            continue
        for k, v in fields.items():
            if r[k] != v:
                problems.append(f"{code}: {k} is {r[k]!r}, want {v!r}")
    states = sorted(r["code"] for r in rows if r["kind"] == "state")
    if len(states) != 193 + 2 + 2:
        problems.append(f"{len(states)} rows of kind state, want 197")
    return problems


def check_events(codes, path):
    problems = []
    with open(path, encoding="utf-8-sig", newline="") as f:
        actors = {r["actor"] for r in csv.DictReader(f)}
    for a in sorted(actors | {"AFG"}):
        if a not in codes:
            problems.append(f"events actor {a} not in states.csv")
    print(f"events: {len(actors)} distinct actors, all present" if not problems else "events: FAIL")
    return problems


def check_baci(codes, path):
    problems = []
    with open(path, encoding="utf-8-sig", newline="") as f:
        recs = list(csv.DictReader(f))
    absent = [r for r in recs if r["iso_3digit_alpha"] not in codes]
    for r in absent:
        code = r["iso_3digit_alpha"]
        print(f"baci: not in states.csv (not a current ISO 3166-1 code): "
              f"{r['country_code']} {code} {r['country_name_full']}")
        if len(code) == 3 and code.isalpha() and code not in KNOWN_NON_ISO:
            problems.append(f"BACI code {code} not in states.csv")
    print(f"baci: {len(recs)} rows, {len(recs) - len(absent)} codes present")
    return problems


# Codes in BACI's list that are not current ISO 3166-1 alpha-3 codes:
# withdrawn (ISO 3166-3) codes of former states/groupings.
KNOWN_NON_ISO = {"CSK", "DDR", "SUN", "ANT", "SCG"}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("states", nargs="?", default=os.path.join(here, "states.csv"))
    ap.add_argument("--events")
    ap.add_argument("--baci")
    args = ap.parse_args()

    rows, problems = read_rows(args.states)
    problems += check_registry(rows)
    codes = {r["code"] for r in rows}
    print(f"states.csv: {len(rows)} rows, "
          f"{sum(r['un_status'] == 'member' for r in rows)} member, "
          f"{sum(r['un_status'] == 'observer' for r in rows)} observer")
    if args.events:
        problems += check_events(codes, args.events)
    if args.baci:
        problems += check_baci(codes, args.baci)

    for p in problems:
        print("FAIL:", p)
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
