#!/usr/bin/env python3
"""Generate states.csv, dyad's bundled registry of states, on standard output.

Usage:
    python3 make_states.py /usr/share/iso-codes/json/iso_3166-1.json > states.csv

Inputs:
  * The ISO 3166-1 JSON file of Debian's iso-codes package (path given as the
    only argument).  Every entry in it becomes one row: alpha-3, numeric,
    alpha-2 and the English short name (the `name` field) are copied as given.
  * UN_MEMBERS below: the 193 UN member states, written by hand from the UN's
    published list, https://www.un.org/en/about-us/member-states .
  * UN_OBSERVERS below: the two non-member observer states (Holy See, State of
    Palestine), from the same UN page.
  * EXTRA_ROWS below: Kosovo (user-assigned XKX / XK, as used by the EU, IMF
    and others) and the two organisations that act in the ledger (UN, EU).

Derived columns:
  * un_status: member / observer / none.
  * kind: `state` for UN members, observers, Taiwan (TWN) and Kosovo (XKX);
    `territory` for every other ISO 3166-1 entry; `organisation` for UN, EU.

The script checks (assert) that there are exactly 193 members and 2 observers,
that every one of them exists in the ISO file, and that the two sets are
disjoint.  Output is sorted by code, UTF-8, LF line ends.  Uses the standard
library only.
"""

import csv
import io
import json
import sys

# The 193 UN member states, ISO 3166-1 alpha-3, in the order of the UN's
# "Member States" page (alphabetical by UN English short name).
UN_MEMBERS = [
    "AFG",  # Afghanistan
    "ALB",  # Albania
    "DZA",  # Algeria
    "AND",  # Andorra
    "AGO",  # Angola
    "ATG",  # Antigua and Barbuda
    "ARG",  # Argentina
    "ARM",  # Armenia
    "AUS",  # Australia
    "AUT",  # Austria
    "AZE",  # Azerbaijan
    "BHS",  # Bahamas
    "BHR",  # Bahrain
    "BGD",  # Bangladesh
    "BRB",  # Barbados
    "BLR",  # Belarus
    "BEL",  # Belgium
    "BLZ",  # Belize
    "BEN",  # Benin
    "BTN",  # Bhutan
    "BOL",  # Bolivia (Plurinational State of)
    "BIH",  # Bosnia and Herzegovina
    "BWA",  # Botswana
    "BRA",  # Brazil
    "BRN",  # Brunei Darussalam
    "BGR",  # Bulgaria
    "BFA",  # Burkina Faso
    "BDI",  # Burundi
    "CPV",  # Cabo Verde
    "KHM",  # Cambodia
    "CMR",  # Cameroon
    "CAN",  # Canada
    "CAF",  # Central African Republic
    "TCD",  # Chad
    "CHL",  # Chile
    "CHN",  # China
    "COL",  # Colombia
    "COM",  # Comoros
    "COG",  # Congo
    "CRI",  # Costa Rica
    "CIV",  # Côte d'Ivoire
    "HRV",  # Croatia
    "CUB",  # Cuba
    "CYP",  # Cyprus
    "CZE",  # Czechia
    "PRK",  # Democratic People's Republic of Korea
    "COD",  # Democratic Republic of the Congo
    "DNK",  # Denmark
    "DJI",  # Djibouti
    "DMA",  # Dominica
    "DOM",  # Dominican Republic
    "ECU",  # Ecuador
    "EGY",  # Egypt
    "SLV",  # El Salvador
    "GNQ",  # Equatorial Guinea
    "ERI",  # Eritrea
    "EST",  # Estonia
    "SWZ",  # Eswatini
    "ETH",  # Ethiopia
    "FJI",  # Fiji
    "FIN",  # Finland
    "FRA",  # France
    "GAB",  # Gabon
    "GMB",  # Gambia (Republic of The)
    "GEO",  # Georgia
    "DEU",  # Germany
    "GHA",  # Ghana
    "GRC",  # Greece
    "GRD",  # Grenada
    "GTM",  # Guatemala
    "GIN",  # Guinea
    "GNB",  # Guinea-Bissau
    "GUY",  # Guyana
    "HTI",  # Haiti
    "HND",  # Honduras
    "HUN",  # Hungary
    "ISL",  # Iceland
    "IND",  # India
    "IDN",  # Indonesia
    "IRN",  # Iran (Islamic Republic of)
    "IRQ",  # Iraq
    "IRL",  # Ireland
    "ISR",  # Israel
    "ITA",  # Italy
    "JAM",  # Jamaica
    "JPN",  # Japan
    "JOR",  # Jordan
    "KAZ",  # Kazakhstan
    "KEN",  # Kenya
    "KIR",  # Kiribati
    "KWT",  # Kuwait
    "KGZ",  # Kyrgyzstan
    "LAO",  # Lao People's Democratic Republic
    "LVA",  # Latvia
    "LBN",  # Lebanon
    "LSO",  # Lesotho
    "LBR",  # Liberia
    "LBY",  # Libya
    "LIE",  # Liechtenstein
    "LTU",  # Lithuania
    "LUX",  # Luxembourg
    "MDG",  # Madagascar
    "MWI",  # Malawi
    "MYS",  # Malaysia
    "MDV",  # Maldives
    "MLI",  # Mali
    "MLT",  # Malta
    "MHL",  # Marshall Islands
    "MRT",  # Mauritania
    "MUS",  # Mauritius
    "MEX",  # Mexico
    "FSM",  # Micronesia (Federated States of)
    "MCO",  # Monaco
    "MNG",  # Mongolia
    "MNE",  # Montenegro (admitted 2006)
    "MAR",  # Morocco
    "MOZ",  # Mozambique
    "MMR",  # Myanmar
    "NAM",  # Namibia
    "NRU",  # Nauru
    "NPL",  # Nepal
    "NLD",  # Netherlands (Kingdom of the)
    "NZL",  # New Zealand
    "NIC",  # Nicaragua
    "NER",  # Niger
    "NGA",  # Nigeria
    "MKD",  # North Macedonia
    "NOR",  # Norway
    "OMN",  # Oman
    "PAK",  # Pakistan
    "PLW",  # Palau
    "PAN",  # Panama
    "PNG",  # Papua New Guinea
    "PRY",  # Paraguay
    "PER",  # Peru
    "PHL",  # Philippines
    "POL",  # Poland
    "PRT",  # Portugal
    "QAT",  # Qatar
    "KOR",  # Republic of Korea
    "MDA",  # Republic of Moldova
    "ROU",  # Romania
    "RUS",  # Russian Federation
    "RWA",  # Rwanda
    "KNA",  # Saint Kitts and Nevis
    "LCA",  # Saint Lucia
    "VCT",  # Saint Vincent and the Grenadines
    "WSM",  # Samoa
    "SMR",  # San Marino
    "STP",  # Sao Tome and Principe
    "SAU",  # Saudi Arabia
    "SEN",  # Senegal
    "SRB",  # Serbia
    "SYC",  # Seychelles
    "SLE",  # Sierra Leone
    "SGP",  # Singapore
    "SVK",  # Slovakia
    "SVN",  # Slovenia
    "SLB",  # Solomon Islands
    "SOM",  # Somalia
    "ZAF",  # South Africa
    "SSD",  # South Sudan (admitted 2011)
    "ESP",  # Spain
    "LKA",  # Sri Lanka
    "SDN",  # Sudan
    "SUR",  # Suriname
    "SWE",  # Sweden
    "CHE",  # Switzerland
    "SYR",  # Syrian Arab Republic
    "TJK",  # Tajikistan
    "THA",  # Thailand
    "TLS",  # Timor-Leste
    "TGO",  # Togo
    "TON",  # Tonga
    "TTO",  # Trinidad and Tobago
    "TUN",  # Tunisia
    "TUR",  # Türkiye
    "TKM",  # Turkmenistan
    "TUV",  # Tuvalu
    "UGA",  # Uganda
    "UKR",  # Ukraine
    "ARE",  # United Arab Emirates
    "GBR",  # United Kingdom of Great Britain and Northern Ireland
    "TZA",  # United Republic of Tanzania
    "USA",  # United States of America
    "URY",  # Uruguay
    "UZB",  # Uzbekistan
    "VUT",  # Vanuatu
    "VEN",  # Venezuela (Bolivarian Republic of)
    "VNM",  # Viet Nam
    "YEM",  # Yemen
    "ZMB",  # Zambia
    "ZWE",  # Zimbabwe
]

# Non-member observer states (same UN page, "Non-member States").
UN_OBSERVERS = [
    "VAT",  # Holy See
    "PSE",  # State of Palestine
]

# ISO 3166-1 entries that are states although not UN members or observers.
OTHER_STATES = [
    "TWN",  # Taiwan (ISO 3166-1 numeric 158)
]

# Rows that are not in ISO 3166-1.
# Kosovo: XKX / XK are user-assigned codes (ISO 3166-1 reserves XA-XZ / XAA-XZZ
# for user assignment); XK/XKX is the convention of the European Commission,
# the IMF and others.  It has no numeric code.
EXTRA_ROWS = [
    # code, numeric, alpha2, name, un_status, kind
    ("XKX", "", "XK", "Kosovo", "none", "state"),
    ("UN", "", "", "United Nations", "none", "organisation"),
    ("EU", "", "", "European Union", "none", "organisation"),
]

HEADER = ["code", "numeric", "alpha2", "name", "un_status", "kind"]


def build_rows(iso_entries):
    members = set(UN_MEMBERS)
    observers = set(UN_OBSERVERS)
    others = set(OTHER_STATES)

    assert len(UN_MEMBERS) == 193, f"expected 193 UN members, got {len(UN_MEMBERS)}"
    assert len(members) == 193, "duplicate code in UN_MEMBERS"
    assert len(UN_OBSERVERS) == 2 and len(observers) == 2
    assert not (members & observers), "a code is both member and observer"
    assert not (others & (members | observers))

    by_a3 = {}
    for e in iso_entries:
        a3 = e["alpha_3"]
        assert a3 not in by_a3, f"duplicate alpha-3 in ISO file: {a3}"
        by_a3[a3] = e

    missing = sorted((members | observers | others) - set(by_a3))
    assert not missing, f"codes not in ISO 3166-1: {missing}"

    rows = []
    for a3, e in by_a3.items():
        numeric = e.get("numeric", "")
        assert numeric == "" or (len(numeric) == 3 and numeric.isdigit()), (a3, numeric)
        if a3 in members:
            un_status, kind = "member", "state"
        elif a3 in observers:
            un_status, kind = "observer", "state"
        elif a3 in others:
            un_status, kind = "none", "state"
        else:
            un_status, kind = "none", "territory"
        rows.append((a3, numeric, e["alpha_2"], e.get("common_name", e["name"]), un_status, kind))

    for r in EXTRA_ROWS:
        assert r[0] not in by_a3, f"extra row {r[0]} clashes with ISO 3166-1"
        rows.append(r)

    rows.sort(key=lambda r: r[0])
    codes = [r[0] for r in rows]
    assert len(codes) == len(set(codes))
    assert sum(r[4] == "member" for r in rows) == 193
    assert sum(r[4] == "observer" for r in rows) == 2
    return rows


def main(argv):
    if len(argv) != 2:
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1], encoding="utf-8") as f:
        iso_entries = json.load(f)["3166-1"]
    rows = build_rows(iso_entries)

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(HEADER)
    w.writerows(rows)
    out = sys.stdout.buffer if hasattr(sys.stdout, "buffer") else None
    data = buf.getvalue().encode("utf-8")
    if out is not None:
        out.write(data)
        out.flush()
    else:
        sys.stdout.write(buf.getvalue())
    sys.stderr.write(
        f"states.csv: {len(rows)} rows ({len(iso_entries)} from ISO 3166-1, "
        f"{len(EXTRA_ROWS)} extra)\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
