"""Shared helpers of the bodies/* oracle tests: running pne-replay with
--body-hash (and --bodies) and indexing its records by flow."""
import json
import os
import shutil
import subprocess


def replay(pne_replay, pcap, work, spec="http", bodies=False):
    """The ADU records of pcap (a list of dicts); decoded bodies under
    work/bodies when asked."""
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    cmd = [pne_replay, "-q", "--body-hash", "--spec", spec, "--adus",
           os.path.join(work, "adus.jsonl")]
    if bodies:
        os.makedirs(os.path.join(work, "bodies"))
        cmd += ["--bodies", os.path.join(work, "bodies")]
    subprocess.run(cmd + [pcap], check=True)
    with open(os.path.join(work, "adus.jsonl")) as f:
        return [json.loads(line) for line in f]


def client_port(rec):
    return int(rec["flow"].split(">")[0].rsplit(":", 1)[1])


def body_file(rec):
    lab = rec["flow"]
    for a, b in ((":", "_"), (">", "-"), ("[", "."), ("]", ".")):
        lab = lab.replace(a, b)
    return f"{lab}_{rec['dir']}_{rec['off']}"


def by_flow(recs):
    """{client port: {"c2s": [requests], "s2c": [final responses]}}; 1xx
    interim responses are left out (they answer no request)."""
    flows = {}
    for r in recs:
        d = flows.setdefault(client_port(r), {"c2s": [], "s2c": []})
        if r["dir"] == "s2c" and r["fields"].get("status", 200) < 200:
            continue
        d[r["dir"]].append(r)
    return flows
