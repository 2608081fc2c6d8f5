#!/usr/bin/env python3
"""compare_truth.py -- compare govsweep's findings with the simulated province's truth.

usage: compare_truth.py TRUTH.jsonl CLEAN.txt FINDINGS.jsonl TARGETS.csv CODES...

For each code given: recall (planted defects found) and precision (findings that match a
planted defect), printed per code. Fails (exit 1) when a planted defect of a covered code
is missed, when a finding of a covered code is raised on a target planted without it, or
when a target planted clean gets any veto finding."""
import csv, json, sys

truth_path, clean_path, findings_path, targets_path, *codes = sys.argv[1:]
truth = [json.loads(l) for l in open(truth_path, encoding="utf-8") if l.strip()]
clean = {l.strip() for l in open(clean_path, encoding="utf-8") if l.strip()}
found = [json.loads(l) for l in open(findings_path, encoding="utf-8") if l.strip()]
rows = list(csv.DictReader(open(targets_path, encoding="utf-8-sig")))
status = {r["id"]: r["status"] for r in rows}

bad = 0
for code in codes:
    want = {t["target"] for t in truth if t["code"] == code}
    got = {f["target"] for f in found if f["code"] == code}
    tp = len(want & got)
    recall = tp / len(want) if want else 1.0
    precision = tp / len(got) if got else 1.0
    print(f"{code:16s} planted {len(want):3d}  found {len(got):3d}  "
          f"recall {recall:6.1%}  precision {precision:6.1%}")
    for t in sorted(want - got):
        print(f"  missed: {t} ({status.get(t, '?')})")
        bad += 1
    for t in sorted(got - want):
        print(f"  unexpected: {t}")
        bad += 1
for f in found:
    if f["target"] in clean and f["veto"]:
        print(f"  veto finding on a clean target: {f['target']} {f['code']} {f['evidence']}")
        bad += 1
for t in clean:
    if status.get(t) != "合格":
        print(f"  clean target {t} is {status.get(t)}")
        bad += 1
sys.exit(1 if bad else 0)
