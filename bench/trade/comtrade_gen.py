"""Writes one generated Comtrade reporter-year as a data-API JSON response and as the web CSV.

    python3 comtrade_gen.py RECORDS OUT_DIR

Both files hold the same records: the 47 fields of FORMATS.md 2.1 in order, typed in the JSON as
the API types them (codes, years and values as numbers, mosCode and cmdCode as strings, flags as
booleans, empty values as null) and written on one line, as the API sends it. Reporter 398
declares exports and imports with 25 partners, in distinct generated HS6 codes ("generated
product NNNNNN"): synthetic data for timing, never to be taken for trade figures.
"""

import csv
import json
import random
import sys

FIELDS = (
    "typeCode,freqCode,refPeriodId,refYear,refMonth,period,reporterCode,reporterISO,reporterDesc,"
    "flowCode,flowDesc,partnerCode,partnerISO,partnerDesc,partner2Code,partner2ISO,partner2Desc,"
    "classificationCode,classificationSearchCode,isOriginalClassification,cmdCode,cmdDesc,aggrLevel,"
    "isLeaf,customsCode,customsDesc,mosCode,motCode,motDesc,qtyUnitCode,qtyUnitAbbr,qty,isQtyEstimated,"
    "altQtyUnitCode,altQtyUnitAbbr,altQty,isAltQtyEstimated,netWgt,isNetWgtEstimated,grossWgt,"
    "isGrossWgtEstimated,cifvalue,fobvalue,primaryValue,legacyEstimationFlag,isReported,isAggregate"
).split(",")

# ISO 3166 numeric codes of 25 countries in dyad's registry.
PARTNERS = [4, 8, 12, 32, 36, 40, 50, 56, 76, 124, 156, 276, 356, 392, 410, 484, 528, 586, 643,
            682, 710, 764, 792, 804, 860]


def records(n):
    rng = random.Random(7)
    per_flow = len(PARTNERS) * 2
    products = (n + per_flow - 1) // per_flow
    for k in range(n):
        flow = "X" if k % 2 == 0 else "M"
        partner = PARTNERS[(k // 2) % len(PARTNERS)]
        code = "%06d" % (10000 + (k // per_flow) * (989999 // max(products, 1)))
        value = round(rng.uniform(1, 1e8), 1)
        kg = float(rng.randrange(1, 10**9))
        yield {
            "typeCode": "C", "freqCode": "A", "refPeriodId": 20230101, "refYear": 2023,
            "refMonth": 52, "period": "2023", "reporterCode": 398, "reporterISO": "KAZ",
            "reporterDesc": "Kazakhstan", "flowCode": flow,
            "flowDesc": "Export" if flow == "X" else "Import", "partnerCode": partner,
            "partnerISO": None, "partnerDesc": None, "partner2Code": 0, "partner2ISO": "W00",
            "partner2Desc": "World", "classificationCode": "H6",
            "classificationSearchCode": "HS", "isOriginalClassification": True,
            "cmdCode": code, "cmdDesc": "generated product " + code, "aggrLevel": 6,
            "isLeaf": True, "customsCode": "C00", "customsDesc": "TOTAL CPC", "mosCode": "0",
            "motCode": 0, "motDesc": "TOTAL MOT", "qtyUnitCode": 8, "qtyUnitAbbr": "kg",
            "qty": kg, "isQtyEstimated": False, "altQtyUnitCode": -1, "altQtyUnitAbbr": "N/A",
            "altQty": None, "isAltQtyEstimated": False, "netWgt": kg,
            "isNetWgtEstimated": False, "grossWgt": None, "isGrossWgtEstimated": False,
            "cifvalue": value if flow == "M" else None,
            "fobvalue": value if flow == "X" else None, "primaryValue": value,
            "legacyEstimationFlag": 0, "isReported": True, "isAggregate": False,
        }


def cell(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "True" if v else "False"
    return str(v)


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    data = list(records(n))
    with open(f"{out}/response.json", "w") as f:
        json.dump({"elapsedTime": "0.00 secs", "count": n, "data": data, "error": ""}, f,
                  separators=(",", ":"))
    with open(f"{out}/TradeData.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(FIELDS)
        for r in data:
            w.writerow(cell(r[k]) for k in FIELDS)


if __name__ == "__main__":
    main()
