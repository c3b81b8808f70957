#!/usr/bin/python3
"""bodies/arkime: arkime's per-session HTTP body MD5s (the .test files
under CORPUS/*/oracles/arkime-*/) against our bodies' MD5s.

Every MD5 arkime lists for a session (http.md5: one per request or
response body it hashed) must be the MD5 of one of our bodies of that
connection (same client port). Arkime hashes the bodies as sent; none of
these captures has a Content-Encoding, so decoded and raw MD5s agree
(both are accepted, the report says which matched). The capture's server
ports are taken from the sessions, so captures on other ports (4000,
40001-40010) are framed as HTTP too.

usage: arkime.py PNE_REPLAY CORPUS_DIR WORKDIR
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def sessions(path):
    d = json.load(open(path))
    for s in d.get("sessions3", d.get("sessions", [])):
        src = s.get("body", s.get("_source", s))
        md5 = src.get("http", {}).get("md5", [])
        if md5:
            yield (int(src["source"]["port"]), int(src["destination"]["port"]), md5)


def main():
    pne_replay, corpus, work = sys.argv[1:4]
    fails, checked, kinds = [], 0, {"decoded": 0, "raw": 0}
    for cat in sorted(os.listdir(corpus)):
        odir = os.path.join(corpus, cat, "oracles")
        if not os.path.isdir(odir):
            continue
        for stem in sorted(os.listdir(odir)):
            if not stem.startswith("arkime-"):
                continue
            tests = [f for f in os.listdir(os.path.join(odir, stem)) if f.endswith(".test")]
            ss = [s for t in tests for s in sessions(os.path.join(odir, stem, t))]
            pcap = os.path.join(corpus, cat, stem + ".pcap")
            if not ss or not os.path.exists(pcap):
                continue
            ports = sorted({s[1] for s in ss})
            if cat == "http2":
                # h2c: bodies in HTTP/2 frames, not HTTP/1.1 messages
                print(f"{stem}: left out (HTTP/2 bodies; the http spec frames HTTP/1.1)")
                continue
            recs = common.replay(pne_replay, pcap, os.path.join(work, stem),
                                 spec="http:" + ",".join(map(str, ports)))
            ours = {}
            for r in recs:
                if "body" in r:
                    ours.setdefault(common.client_port(r), []).append(r["body"])
            for cport, sport, md5s in ss:
                for m in md5s:
                    checked += 1
                    bodies = ours.get(cport, [])
                    if any(b["md5"] == m for b in bodies):
                        kinds["decoded"] += 1
                    elif any(b["raw_md5"] == m for b in bodies):
                        kinds["raw"] += 1
                    else:
                        fails.append(f"{stem}: session {cport}>{sport}: arkime md5 {m} "
                                     f"not among ours {[b['md5'] for b in bodies]}")
    for f in fails:
        print("FAIL", f)
    print(f"arkime: {checked - len(fails)}/{checked} body md5s match "
          f"({kinds['decoded']} decoded, {kinds['raw']} raw only)")
    if checked == 0:
        print("no arkime http md5s found")
        return 77
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
