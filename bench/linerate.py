#!/usr/bin/python3
"""Line-rate budget (bench/README.md): each measured cycles-per-packet
figure as the share of one core it needs at 10, 40 and 100 GbE, with
64-byte frames (14.88 / 59.52 / 148.8 Mpps) and 1,500-byte frames
(0.8127 / 3.251 / 8.127 Mpps), at the TSC rate the measurements ran at.

  linerate.py --ghz GHZ [--md] [--dat OUT] RESULT...

RESULT: a bench_scale --dat file (column 6: median cycles/packet), a
bench_track results.dat (column 8: full median), or a peers.log of
bench/peers.sh (column 5, pne and nids rows, median per capture); the
kind is told by the first line. A share above 1 means that many cores
(at perfect scaling) for line rate. --dat writes "label share..." lines
for bench/plot_linerate.gnuplot.
"""
import argparse
import statistics
import sys

RATES = [("10G 64B", 14.88e6), ("40G 64B", 59.52e6), ("100G 64B", 148.8e6),
         ("10G 1500B", 0.8127e6), ("40G 1500B", 3.251e6), ("100G 1500B", 8.127e6)]


def results(path):
    """(label, cycles/packet) pairs of one result file."""
    with open(path) as f:
        lines = [l.split() for l in f if l.strip()]
    head = " ".join(lines[0]) if lines else ""
    rows = [l for l in lines if not l[0].startswith("#")]
    if "cpp_med" in head:                                  # bench_scale --dat
        return [("scale " + l[0], float(l[5])) for l in rows]
    if "full_med" in head:                                 # bench_track --dat
        return [("track " + l[0], float(l[7])) for l in rows]
    runs = {}                                              # peers.log
    for tool, cap, _, _, cpp in rows:
        if tool in ("pne", "nids"):
            runs.setdefault(("pne-replay" if tool == "pne" else "libnids") + " " + cap,
                            []).append(float(cpp))
    return [(k, statistics.median(v)) for k, v in runs.items()]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ghz", type=float, required=True)
    ap.add_argument("--dat")
    ap.add_argument("results", nargs="+")
    o = ap.parse_args()
    hz = o.ghz * 1e9
    rows = [r for p in o.results for r in results(p)]
    print("| result | cycles/pkt | " + " | ".join(n for n, _ in RATES) + " |")
    print("|---|---:|" + "---:|" * len(RATES))
    for label, cpp in rows:
        print("| %s | %.0f | %s |" % (label, cpp, " | ".join(
            "%.2f" % (cpp * pps / hz) for _, pps in RATES)))
    if o.dat:
        with open(o.dat, "w") as f:
            f.write("# label cycles " + " ".join(n.replace(" ", "_") for n, _ in RATES) + "\n")
            for label, cpp in rows:
                f.write("%s %.1f %s\n" % (label.replace(" ", ":"), cpp, " ".join(
                    "%.4f" % (cpp * pps / hz) for _, pps in RATES)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
