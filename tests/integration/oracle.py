#!/usr/bin/env python3
"""oracle.py -- the fault tests' oracle (reliability.md): the per-target table of a run
with a fault must equal the calm run's, byte for byte, on id, status, veto codes,
findings and pages.

usage: oracle.py CALM/targets.csv FAULT/targets.csv"""
import csv, sys

def table(path):
    rows = csv.DictReader(open(path, encoding="utf-8-sig"))
    return [(r["id"], r["status"], r["veto_codes"], r["findings"], r["pages"]) for r in rows]

calm, fault = table(sys.argv[1]), table(sys.argv[2])
if calm == fault:
    print(f"oracle: {len(calm)} targets identical")
    sys.exit(0)
print("oracle: tables differ")
for a, b in zip(calm, fault):
    if a != b:
        print(f"  calm  {a}\n  fault {b}")
if len(calm) != len(fault):
    print(f"  {len(calm)} rows vs {len(fault)} rows")
sys.exit(1)
