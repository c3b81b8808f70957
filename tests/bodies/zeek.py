#!/usr/bin/python3
"""bodies/zeek: body-level facts of zeek's btest baselines.

- http.log (and http.log.cut): request_body_len and response_body_len of
  each transaction (zeek counts decoded bytes), matched to our n-th
  request / final response of the flow with that client port
  (trans_depth n); ours is the body's decoded_len, 0 without a body;
- get-gzip.out: the file analysis' total ("file #0, 197, 0") of a gzip'd
  response: our decoded_len;
- entity_gap extract_files.file0: zeek's extracted file of a body with a
  hole; our decoded bytes must be its prefix up to the hole.

KNOWN lists the transactions where zeek and we legitimately differ.

usage: zeek.py PNE_REPLAY CORPUS_DIR WORKDIR
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

# (capture stem, client port, trans_depth, "req"/"resp"): why we differ
KNOWN = {}


def zeek_rows(path):
    rows, names = [], None
    for line in open(path, encoding="utf-8", errors="replace"):
        line = line.rstrip("\n")
        if line.startswith("#fields\t"):
            names = line.split("\t")[1:]
        elif line.startswith("#") or not line:
            continue
        elif names is None and "\t" in line and "uid" in line.split("\t"):
            names = line.split("\t")    # a .cut file's header line
        elif names is not None:
            rows.append(dict(zip(names, line.split("\t"))))
    return rows


def check_http_log(stem, rows, recs, fails, counts):
    flows = common.by_flow(recs)
    for row in rows:
        if "request_body_len" not in row or "id.orig_p" not in row:
            continue
        port, depth = int(row["id.orig_p"]), int(row["trans_depth"])
        if depth > len(flows.get(port, {}).get("c2s", [])):
            # a request line that isn't HTTP/1.x (methods.pcap sends bogus
            # methods): we frame no request, and zeek, having parsed none,
            # counts the whole response, head included, as its body
            counts[2] += 1
            continue
        for key, d, col in (("req", "c2s", "request_body_len"),
                            ("resp", "s2c", "response_body_len")):
            want = int(row[col])
            msgs = flows.get(port, {}).get(d, [])
            if depth > len(msgs):
                got = None
            else:
                got = msgs[depth - 1].get("body", {}).get("decoded_len", 0)
            counts[0] += 1
            k = (stem, port, depth, key)
            if got == want:
                if k in KNOWN:
                    fails.append(f"{stem}: {k} matches but is listed in KNOWN")
                continue
            if k in KNOWN:
                counts[1] += 1
                continue
            fails.append(f"{stem}: port {port} transaction {depth} {col}: zeek {want}, "
                         f"ours {got}")


def main():
    pne_replay, corpus, work = sys.argv[1:4]
    odir = os.path.join(corpus, "http", "oracles")
    fails, counts = [], [0, 0, 0]
    for stem in sorted(os.listdir(odir)):
        if not stem.startswith("zeek-"):
            continue
        pcaps = [p for p in (os.path.join(corpus, "http", stem + ext)
                             for ext in (".pcap", ".pcap.gz")) if os.path.exists(p)]
        if not pcaps:
            continue
        files = os.listdir(os.path.join(odir, stem))
        logs = [f for f in files if f in ("http.log", "http.log.cut")]
        extract = "extract_files.file0" in files
        gz = [f for f in files if f == "get-gzip.out"]
        if not (logs or extract or gz):
            continue
        recs = common.replay(pne_replay, pcaps[0], os.path.join(work, stem),
                             bodies=extract)
        for log in logs:
            check_http_log(stem, zeek_rows(os.path.join(odir, stem, log)), recs,
                           fails, counts)
        for g in gz:
            totals = [line.split(",")[1].strip() for line in
                      open(os.path.join(odir, stem, g), errors="replace")
                      if line.startswith("file #")]
            want = int(totals[-1])
            got = [r["body"]["decoded_len"] for r in recs
                   if r["dir"] == "s2c" and "body" in r]
            counts[0] += 1
            if got != [want]:
                fails.append(f"{stem}: file total {want}, our decoded bodies {got}")
        if extract:
            zdata = open(os.path.join(odir, stem, "extract_files.file0"), "rb").read()
            bdir = os.path.join(work, stem, "bodies")
            ours = [n for n in os.listdir(bdir) if "_s2c_" in n]
            counts[0] += 1
            gaps = [r for r in recs if r["dir"] == "s2c" and "gap" in
                    r.get("body", {}).get("flags", [])]
            if len(ours) != 1 or not gaps:
                fails.append(f"{stem}: expected one response body with a gap, got "
                             f"{ours} ({len(gaps)} with a gap)")
                continue
            data = open(os.path.join(bdir, ours[0]), "rb").read()
            # zeek's file (after btest's banner line) keeps the hole as
            # gap_len zeros; ours has the bytes around it back to back
            if zdata.startswith(b"### BTest"):
                zdata = zdata[zdata.index(b"\n") + 1:]
            gap = gaps[0]["body"]["gap_len"]
            at = zdata.find(b"\0" * gap)
            if at < 0 or zdata[:at] + zdata[at + gap:] != data:
                fails.append(f"{stem}: our body ({len(data)} bytes, hole of {gap}) is not "
                             f"zeek's extracted file ({len(zdata)} bytes) without its hole")
    for f in fails:
        print("FAIL", f)
    print(f"zeek: {counts[0] - len(fails) - counts[1]}/{counts[0]} facts match, "
          f"{counts[1]} known differences, {len(fails)} failures; {counts[2]} "
          f"transactions left out (request not HTTP/1.x: no request framed)")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
