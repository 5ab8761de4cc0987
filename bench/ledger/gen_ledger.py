#!/usr/bin/env python3
"""Deterministic generator of a synthetic dyad ledger for the ledger benchmark.

Writes two CSV files into --out:

* authorities.csv -- synthetic authorities SYN-001, SYN-002, ... each claiming a real state code
  from crates/dyad-core/data/states.csv, in force from 1990-01-01. They exist only for this
  benchmark and are never shipped as data.
* acts.csv -- acts by real states (kind `state`) toward those authorities, --acts rows over
  --pairs (actor, authority) pairs, with a realistic shape: weighted act kinds, dates from
  1990 to 2025 (~80% known to the day, ~15% to the month, ~5% to the year), ~120-character
  details, synthetic source URLs. Every (actor, authority, date, act) is unique and every date
  lies inside its authority's period, so `dyad check` / `dyad import` accept the file.

Python 3.11 standard library only; the output depends only on the arguments (fixed seed).

    python3 bench/ledger/gen_ledger.py --pairs 10000 --acts 1000000 --out bench/out/ledger
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import os
import random
import sys

SEED = 20_261_129
HERE = os.path.dirname(os.path.abspath(__file__))
STATES_CSV = os.path.join(HERE, "..", "..", "crates", "dyad-core", "data", "states.csv")

FIRST_DAY = dt.date(1990, 1, 1)
LAST_DAY = dt.date(2025, 12, 31)

# Act kinds of crates/dyad-core/src/act.rs with relative weights: many statements, routine
# embassy reports and "other", few recognitions.
KINDS: list[tuple[str, float]] = [
    ("other", 30.0),
    ("statement_non_recognition", 18.0),
    ("embassy_kept_open", 15.0),
    ("trade_agreement", 8.0),
    ("envoy_accepted", 5.0),
    ("ambassador_sent", 4.0),
    ("mission_closed", 4.0),
    ("ambassador_credentials_accepted", 3.0),
    ("envoy_rejected", 3.0),
    ("embassy_handed_over", 2.0),
    ("designation_added", 2.0),
    ("designation_removed", 1.5),
    ("un_credentials_deferred", 1.5),
    ("recognition", 1.5),
    ("recognition_withdrawn", 1.0),
]

# What the detail sentence says for each kind ({a} = actor name, {u} = authority id).
PHRASES: dict[str, list[str]] = {
    "other": [
        "{a}'s deputy foreign minister met officials of the {u} to discuss transit, consular cases and humanitarian access",
        "{a} announced a technical delegation to the {u}, without saying whether it implied any change of status",
    ],
    "statement_non_recognition": [
        "{a}'s foreign ministry said it did not recognise the {u} and would decide together with its partners",
        "A spokesperson for {a} said recognition of the {u} was not on the agenda for now",
    ],
    "embassy_kept_open": [
        "{a} said its embassy accredited to the {u} kept working, with a reduced staff and consular services",
        "{a}'s mission in the capital of the {u} reopened after a pause, headed by a charge d'affaires",
    ],
    "trade_agreement": [
        "{a} signed a transit, energy and trade memorandum with the {u}, worth a reported several hundred million dollars",
    ],
    "envoy_accepted": [
        "{a} accepted a charge d'affaires appointed by the {u} at the mission in its capital",
    ],
    "ambassador_sent": [
        "{a} named an ambassador to the capital of the {u}, upgrading its representation there",
    ],
    "mission_closed": [
        "{a} suspended the work of its mission accredited to the {u}, citing security, and moved staff abroad",
    ],
    "ambassador_credentials_accepted": [
        "{a}'s head of state accepted the credentials of an ambassador of the {u} at a ceremony in the capital",
    ],
    "envoy_rejected": [
        "{a} declined to accept envoys appointed by the {u} and ended the accreditation of their staff",
    ],
    "embassy_handed_over": [
        "{a} handed the embassy building in its capital to diplomats appointed by the {u}",
    ],
    "designation_added": [
        "{a} added the movement behind the {u} to its list of banned organisations",
    ],
    "designation_removed": [
        "{a}'s supreme court took the movement behind the {u} off its list of banned organisations",
    ],
    "un_credentials_deferred": [
        "The credentials committee, with {a} among its members, again deferred the question of the seat of the {u}",
    ],
    "recognition": [
        "{a} formally recognised the {u} as the government of its state, in a note handed over in the capital",
    ],
    "recognition_withdrawn": [
        "{a} withdrew its recognition of the {u} and announced that it would switch its relations",
    ],
}

TAILS = ["", "", ", per the ministry", ", a news agency reported", "; no follow-up date was given"]

DOMAINS = [
    "https://news.example.org",
    "https://www.example.com/world",
    "https://mfa.example.net/press",
    "https://wire.example.org/politics",
]

# Levels 0-5 that a curator might note; about 40% of rows give one.
LEVELS = ["", "", "", "", "", "", "1", "2", "2", "3"]


def read_states(path: str) -> list[tuple[str, str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return [(r["code"], r["name"], r["kind"]) for r in csv.DictReader(f)]


def shape(pairs: int) -> tuple[int, int]:
    """Authorities and actors per authority: a near-square grid with at least `pairs` cells."""
    n_auth = max(1, math.isqrt(pairs))
    n_actors = -(-pairs // n_auth)
    return n_auth, n_actors


def allocate(total: int, weights: list[float]) -> list[int]:
    """Splits `total` in proportion to `weights` (largest remainder), every share at least 1."""
    n = len(weights)
    if total < n:
        sys.exit(f"--acts ({total}) must be at least --pairs ({n})")
    rest = total - n
    s = sum(weights)
    raw = [rest * w / s for w in weights]
    out = [1 + int(r) for r in raw]
    left = total - sum(out)
    order = sorted(range(n), key=lambda i: (-(raw[i] - int(raw[i])), i))
    for i in order[:left]:
        out[i] += 1
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--pairs", type=int, default=10_000)
    p.add_argument("--acts", type=int, default=1_000_000)
    p.add_argument("--out", required=True)
    p.add_argument("--states", default=STATES_CSV, help="states.csv of dyad-core")
    args = p.parse_args()

    rng = random.Random(SEED)
    states = read_states(args.states)
    names = {code: name for code, name, _ in states}
    state_codes = sorted(code for code, _, kind in states if kind == "state")
    n_auth, n_actors = shape(args.pairs)
    if n_actors > len(state_codes) or n_auth > len(state_codes):
        sys.exit(f"--pairs {args.pairs} needs {n_actors} actors; states.csv has {len(state_codes)} states")

    actors = sorted(rng.sample(state_codes, n_actors))
    claimed = rng.sample(state_codes, n_auth)
    width = max(3, len(str(n_auth)))
    authorities = []
    for i, state in enumerate(claimed, start=1):
        aid = f"SYN-{i:0{width}d}"
        # About one authority in ten lost its capital at some point (exercises the exile rule).
        exile = ""
        if rng.random() < 0.1:
            exile = (FIRST_DAY + dt.timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days))).isoformat()
        authorities.append((aid, state, f"Synthetic Authority {i:0{width}d} ({names[state]})", exile))

    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "authorities.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "state", "name", "from", "until", "exile_from", "source_url", "note"])
        for aid, state, name, exile in authorities:
            w.writerow([aid, state, name, FIRST_DAY.isoformat(), "", exile,
                        f"https://example.org/synthetic/{aid}",
                        "Synthetic benchmark authority (bench/ledger); not real data."])

    # Pairs: authority-major grid, truncated to --pairs. Some pairs are much busier than others.
    pair_list = [(actor, a[0]) for a in authorities for actor in actors][: args.pairs]
    counts = allocate(args.acts, [rng.lognormvariate(0.0, 0.75) for _ in pair_list])

    kinds = [k for k, _ in KINDS]
    cum = []
    acc = 0.0
    for _, wgt in KINDS:
        acc += wgt
        cum.append(acc)
    lo, hi = FIRST_DAY.toordinal(), LAST_DAY.toordinal()
    n_kinds = len(kinds)

    # Pass 1: each act as one packed int (start ordinal, pair, precision, kind), unique per pair.
    packed: list[int] = []
    for pair_no, n in enumerate(counts):
        seen: set[int] = set()
        while len(seen) < n:
            r = rng.random()
            prec = 2 if r < 0.80 else (1 if r < 0.95 else 0)  # 2 day, 1 month, 0 year
            day = dt.date.fromordinal(rng.randint(lo, hi))
            if prec == 1:
                day = day.replace(day=1)
            elif prec == 0:
                day = day.replace(month=1, day=1)
            kind = rng.choices(range(n_kinds), cum_weights=cum)[0]
            key = (day.toordinal() * 4 + prec) * 16 + kind
            seen.add(key)
        for key in seen:
            kind = key % 16
            prec = (key // 16) % 4
            ordinal = key // 64
            packed.append(((ordinal << 20 | pair_no) << 2 | prec) << 4 | kind)
    packed.sort()

    # Pass 2: render in date order with details, URLs, levels and source dates.
    path = os.path.join(args.out, "acts.csv")
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["date", "actor", "counterpart", "act", "level", "detail", "source_url", "source_date"])
        serial = 0
        for v in packed:
            kind = kinds[v & 15]
            prec = (v >> 4) & 3
            pair_no = (v >> 6) & ((1 << 20) - 1)
            day = dt.date.fromordinal(v >> 26)
            actor, aid = pair_list[pair_no]
            if prec == 2:
                date = day.isoformat()
            elif prec == 1:
                date = f"{day.year:04d}-{day.month:02d}"
            else:
                date = f"{day.year:04d}"
            phrase = rng.choice(PHRASES[kind]).format(a=names[actor], u=aid)
            detail = phrase + rng.choice(TAILS) + "."
            serial += 1
            slug = kind.replace("_", "-")
            url = f"{rng.choice(DOMAINS)}/{day.year}/{day.month:02d}/{actor.lower()}-{aid.lower()}-{slug}-{serial}"
            source_date = ""
            if rng.random() < 0.6:
                sd = day + dt.timedelta(days=rng.randrange(0, 30))
                source_date = sd.isoformat() if rng.random() < 0.9 else f"{sd.year:04d}-{sd.month:02d}"
            w.writerow([date, actor, aid, kind, rng.choice(LEVELS), detail, url, source_date])

    print(
        f"wrote {len(authorities)} authorities, {len(packed)} acts over {len(pair_list)} pairs "
        f"({n_actors} actors) to {args.out}",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
