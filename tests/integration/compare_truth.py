#!/usr/bin/env python3
"""compare_truth.py -- compare govsweep's findings with the simulated province's truth.

usage: compare_truth.py TRUTH.jsonl CLEAN.txt FINDINGS.jsonl TARGETS.csv CODES...

For each code given, two levels:
  targets   recall (targets planted with the code that got it) and precision (targets
            that got it and were planted with it);
  findings  for codes whose truth names the thing found (a column, a URL, a wrong form,
            a cause: see KEYS), each planted (target, key) must be found once with the
            planted veto, and each finding must be planted.
Fails (exit 1) on any miss or unexpected finding of a covered code, a veto that differs
from the truth, a veto finding on a target planted clean, or a clean target that is not
合格. Prints recall and precision per code."""
import csv, json, sys

truth_path, clean_path, findings_path, targets_path, *codes = sys.argv[1:]
codes = list(dict.fromkeys(codes))  # each code once, in the order given
truth = [json.loads(l) for l in open(truth_path, encoding="utf-8") if l.strip()]
clean = {l.strip() for l in open(clean_path, encoding="utf-8") if l.strip()}
found = [json.loads(l) for l in open(findings_path, encoding="utf-8") if l.strip()]
rows = list(csv.DictReader(open(targets_path, encoding="utf-8-sig")))
status = {r["id"]: r["status"] for r in rows}

# The detail field that names what a finding is about, where the truth has one line per
# such thing (the simulated province's README lists the truth's detail fields).
KEYS = {
    "W-COLUMN-STALE": "column",
    "W-COLUMN-BLANK": "column",
    "W-LINK-BROKEN": "url",
    "W-WORDING": "wrong",
    "M-WORDING": "wrong",
    "M-MENU-LINK": "url",
    "M-FILING": "cause",
    "W-POLICY-INTERP": "url",
    "W-SERVICE": "url",
    "W-DUP-POST": "title",
}


def key_of(f):
    k = KEYS.get(f["code"])
    if not k:
        return None
    d = f.get("detail") or {}
    v = d.get(k)
    if v is None and k == "url":
        v = f.get("url")
    return v


bad = 0
for code in codes:
    want = {t["target"] for t in truth if t["code"] == code}
    got = {f["target"] for f in found if f["code"] == code}
    tp = len(want & got)
    recall = tp / len(want) if want else 1.0
    precision = tp / len(got) if got else 1.0
    line = (f"{code:16s} targets: planted {len(want):3d}  found {len(got):3d}  "
            f"recall {recall:6.1%}  precision {precision:6.1%}")
    for t in sorted(want - got):
        line += f"\n  missed: {t} ({status.get(t, '?')})"
        bad += 1
    for t in sorted(got - want):
        line += f"\n  unexpected: {t}"
        bad += 1
    if code in KEYS:
        tw = {}
        for t in truth:
            if t["code"] == code:
                tw[(t["target"], key_of(t))] = t["veto"]
        fw = {}
        for f in found:
            if f["code"] == code:
                k = (f["target"], key_of(f))
                if k in fw:
                    line += f"\n  found twice: {k[0]} {k[1]}"
                    bad += 1
                fw[k] = f["veto"]
        both = set(tw) & set(fw)
        r2 = len(both) / len(tw) if tw else 1.0
        p2 = len(both) / len(fw) if fw else 1.0
        line += (f"\n{'':16s} findings: planted {len(tw):3d}  found {len(fw):3d}  "
                 f"recall {r2:6.1%}  precision {p2:6.1%}")
        for k in sorted(set(tw) - set(fw), key=str):
            line += f"\n  missed finding: {k[0]} {k[1]}"
            bad += 1
        for k in sorted(set(fw) - set(tw), key=str):
            line += f"\n  unexpected finding: {k[0]} {k[1]}"
            bad += 1
        for k in sorted(both, key=str):
            if tw[k] != fw[k]:
                line += f"\n  veto differs: {k[0]} {k[1]}: planted {tw[k]}, found {fw[k]}"
                bad += 1
    else:
        # one veto for the target's findings of the code
        for t in sorted(want & got):
            tv = any(x["veto"] for x in truth if x["code"] == code and x["target"] == t)
            fv = any(x["veto"] for x in found if x["code"] == code and x["target"] == t)
            if tv != fv:
                line += f"\n  veto differs: {t}: planted {tv}, found {fv}"
                bad += 1
    print(line)
for f in found:
    if f["target"] in clean and f["veto"]:
        print(f"  veto finding on a clean target: {f['target']} {f['code']} {f['evidence']}")
        bad += 1
for t in sorted(clean):
    if status.get(t) != "合格":
        print(f"  clean target {t} is {status.get(t)}")
        bad += 1
print(f"compare_truth: {len(codes)} codes, {bad} differences")
sys.exit(1 if bad else 0)
