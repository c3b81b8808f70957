"""Sums that pne-replay's --stats-json must satisfy for any capture
(used by test_cli.py and compare_corpus.py)."""


def stats_errors(st, nlines):
    """The broken identities of stats document st, whose ADU log had
    nlines lines; empty when everything adds up."""
    tr, fl, tcp, ad = st["tracker"], st["flows"], st["tcp"], st["adus"]
    rules = [
        (sum(st["parse"].values()) == st["pcap"]["packets"], "parse outcomes sum to packets"),
        (st["parse"]["ok"] == tcp["segments"], "parse ok == tcp segments"),
        (tr["examined"] + tr["skipped"] + tr["ignored"] == tr["payload_packets"],
         "examined + skipped + ignored == tracked payload packets"),
        (tr["payload_packets"] + tcp["untracked_payload_packets"] <= tcp["payload_packets"],
         "tracked + untracked payload packets <= payload packets"),
        (ad["total"] == nlines, "adus.total %d == %d log lines" % (ad["total"], nlines)),
        (tr["adus"] == ad["total"], "tracker adus == adus.total"),
        (sum(p["total"] for p in ad["by_proto"].values()) == ad["total"],
         "ADUs by proto sum to the total"),
        (fl["total"] == fl["tracked"] + fl["untracked"], "flows total == tracked + untracked"),
        (tr["flows"] == fl["tracked"], "tracker flows == tracked flows"),
        (fl["inserts"] + fl["reopens"] == fl["total"], "inserts + reopens == flows"),
        (sum(fl["evicted"].values()) == fl["inserts"] - fl["removes"],
         "every flow left the table by the end"),
        (sum(s["flows"] for s in st["specs"]) == fl["tracked"], "flows by spec sum"),
        (st["examined"] == tr["examined"] and st["skipped"] == tr["skipped"],
         "top-level examined/skipped"),
        (st["held_peak_bytes"] == tr["held_peak"], "held peak"),
        (tr["held_bytes"] == 0, "nothing held after the end"),
        (tr["hdr_pool_in_use"] == 0, "no header buffer lent after the end"),
        (tr["hdr_pool_peak"] <= tr["hdr_pool_borrows"], "header buffers lent at once <= lent"),
        (st["cycles"]["per_packet"] > 0 or st["pcap"]["packets"] == 0, "cycles per packet"),
    ]
    if tcp["no_flow_packets"] == 0:
        rules += [
            (tr["payload_packets"] + tcp["untracked_payload_packets"] == tcp["payload_packets"],
             "tracked + untracked payload packets == payload packets"),
            (tr["packets"] + tcp["untracked_segments"] == tcp["segments"],
             "tracked + untracked segments == segments"),
        ]
    for name, p in ad["by_proto"].items():
        rules.append((sum(p["types"].values()) == p["total"], "%s types sum to its total" % name))
    return [what for ok, what in rules if not ok]
