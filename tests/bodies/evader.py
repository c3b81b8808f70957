#!/usr/bin/python3
"""bodies/evader: the HTTP evader captures (suricata-verify, from
https://noxxi.de/research/http-evader.html) against suricata's verdict.

Each http-evader-NNN/input.pcap is one GET of eicar.txt from
evader.example.com whose response hides the EICAR test file behind an
HTTP framing or encoding trick that some browser accepts; suricata
(test.yaml) alerts on both EICAR strings in the decoded file data and logs
the file. Here pne-replay --bodies must yield exactly one response body
(whose decoded bytes contain both strings. A body whose message the
connection's close cut short (a chunked body without its last chunk,
say) counts too: browsers show what they received; pne-replay writes it
as NAME.incomplete.

evader_expect.txt lists the cases that fail, each with its reason; a
listed case that passes, or an unlisted one that fails, fails the test.

usage: evader.py PNE_REPLAY CORPUS_DIR WORKDIR [-v] [--case NNN]
"""
import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
EICAR = (b"X5O!P%@AP[4", b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE")


def load_expect(path):
    """{case: reason} from 'NNN  reason' lines; '#' starts a comment."""
    exp = {}
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            case, _, reason = line.partition(" ")
            if not reason.strip():
                sys.exit(f"{path}: case {case} has no reason")
            exp[case] = reason.strip()
    return exp


def label_file(rec):
    lab = rec["flow"]
    for a, b in ((":", "_"), (">", "-"), ("[", "."), ("]", ".")):
        lab = lab.replace(a, b)
    return f"{lab}_{rec['dir']}_{rec['off']}"


def run_case(replay, case_dir, work):
    """Returns (ok, why)."""
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    bodies = os.path.join(work, "bodies")
    os.makedirs(bodies)
    adus = os.path.join(work, "adus.jsonl")
    p = subprocess.run([replay, "-q", "--body-hash", "--bodies", bodies, "--adus", adus,
                        os.path.join(case_dir, "input.pcap")],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return False, f"pne-replay exit {p.returncode}: {p.stderr.strip()[:200]}"
    recs = [json.loads(line) for line in open(adus)]
    reqs = [r for r in recs if r["type"] == "request"]
    if not any("eicar.txt" in r["fields"].get("uri", "") for r in reqs):
        return False, "no request for eicar.txt"
    hits, seen = [], []
    for r in recs:
        if r["dir"] != "s2c" or "body" not in r:
            continue
        b = r["body"]
        seen.append(f"status {r['fields'].get('status')} len {b['len']} decoded "
                    f"{b['decoded_len']} enc {b.get('encoding', '-')!r} "
                    f"flags {','.join(b.get('flags', [])) or '-'}")
    # every decoded response body, also those of messages cut short by
    # the connection's end (NAME.incomplete: no ADU record)
    for name in sorted(os.listdir(bodies)):
        if "_s2c_" not in name:
            continue
        data = open(os.path.join(bodies, name), "rb").read()
        if all(s in data for s in EICAR):
            hits.append(name)
    if len(hits) == 1:
        return True, "incomplete" if hits[0].endswith(".incomplete") else ""
    resp = [r for r in recs if r["type"] == "response"]
    if not hits:
        return False, (f"no decoded body with EICAR ({len(resp)} responses"
                       + (": " + "; ".join(seen) if seen else "") + ")")
    return False, f"{len(hits)} bodies with EICAR"


def main():
    args = sys.argv[1:]
    verbose = "-v" in args
    only = None
    if "--case" in args:
        only = args[args.index("--case") + 1]
        del args[args.index("--case"):args.index("--case") + 2]
    args = [a for a in args if a != "-v"]
    replay, corpus, work = args[:3]
    root = os.path.join(corpus, "http", "sv-http-evader")
    if not os.path.isdir(root):
        print(f"no evader captures under {root}")
        return 77
    cases = sorted(d[len("http-evader-"):] for d in os.listdir(root)
                   if d.startswith("http-evader-") and
                   os.path.exists(os.path.join(root, d, "input.pcap")))
    if only:
        cases = [c for c in cases if c == only]
    expect = load_expect(os.path.join(HERE, "evader_expect.txt"))
    with ThreadPoolExecutor(max_workers=2) as ex:
        res = dict(zip(cases, ex.map(
            lambda c: run_case(replay, os.path.join(root, "http-evader-" + c),
                               os.path.join(work, c)), cases)))
    bad = 0
    npass = sum(ok for ok, _ in res.values())
    nincomplete = sum(ok and why == "incomplete" for ok, why in res.values())
    for c in cases:
        ok, why = res[c]
        if c in expect and ok:
            print(f"{c}: PASSES but is listed as failing ({expect[c]}): remove it")
            bad += 1
        elif c not in expect and not ok:
            print(f"{c}: FAIL: {why}")
            bad += 1
        elif verbose:
            print(f"{c}: {'ok' if ok else 'expected failure: ' + expect[c]}"
                  + (f" [{why}]" if why else ""))
    for c in expect:
        if c not in res and not only:
            print(f"{c}: listed in evader_expect.txt but no such case")
            bad += 1
    print(f"evader: {npass}/{len(cases)} pass ({nincomplete} through a body cut short "
          f"by the close), {len(cases) - npass} fail"
          f"{', %d unexpected results' % bad if bad else ''}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
