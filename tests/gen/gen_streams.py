#!/usr/bin/python3
"""Generated-stream tests: random but valid conversations of every shipped
protocol, built from the protocols' own specifications (RFCs, vendor
documents; tests/gen/protos/), segmented at random and framed by pne-frame;
the ADUs it reports must be exactly the ones the generator knows are there.

Each seed runs three variants of its conversation:
  plain    random segmentation only: every ADU, exactly, all synced;
  bodygap  a gap strictly inside an opaque payload (a known-length skip):
           absorbed, the same ADUs, all synced;
  hdrgap   a gap over the first bytes of an ADU (in a conversation without
           state the other direction depends on past that point): the ADUs
           before it are exact, the ones after the resync a run of expected
           ADUs up to the last, the first unsynced; the other direction is
           exact.

usage: gen_streams.py --pne-frame EXE --spec NAME [--seeds N] [--first S]
                      [--seed S] [--variant V] [--workdir DIR] [--keep]
"""

import argparse
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from convo import C2S, S2C, DIRS, Conversation, new_rng  # noqa: E402
import protos  # noqa: E402

VARIANTS = ("plain", "bodygap", "hdrgap")


class Failure(Exception):
	pass


def build(spec, seed, simple):
	rng = new_rng(seed, spec)
	conv = Conversation(rng)
	protos.GENERATORS[spec](conv, rng, simple)
	return conv


# ---------------------------------------------------------------- segmenting

def seg_size(rng, huge):
	r = rng.random()
	if huge and r < 0.7:
		return rng.randint(1461, 65536)       # keep multi-MiB streams quick
	if r < 0.15:
		return rng.randint(1, 16)
	if r < 0.95:
		return rng.randint(1, 1460)
	return rng.randint(1461, 65536)


def direction_items(conv, d, rng, gap):
	"""The events of direction d: ('data', bytes, need) and ('gap', n,
	need), cut at random sizes and at every message boundary where the
	causal need grows. gap: (start, end) of the lost bytes, or None."""
	items = []
	msgs = [m for m in conv.msgs if m.dir == d]
	huge = conv.size[d] > (4 << 20)
	i = 0
	while i < len(msgs):
		# a run of messages with the same need may share segments
		j = i
		while j + 1 < len(msgs) and msgs[j + 1].need == msgs[i].need:
			j += 1
		start = msgs[i].start
		data = b"".join(m.data for m in msgs[i:j + 1])
		need = msgs[i].need
		pos = 0
		while pos < len(data):
			n = min(seg_size(rng, huge), len(data) - pos)
			a, b = start + pos, start + pos + n
			if gap and a < gap[1] and b > gap[0]:
				if a < gap[0]:
					items.append(("data", data[pos:gap[0] - start], need))
				if a <= gap[0]:
					items.append(("gap", gap[1] - gap[0], need))
				if b > gap[1]:
					items.append(("data", data[gap[1] - start:pos + n], need))
			else:
				items.append(("data", data[pos:pos + n], need))
			pos += n
		i = j + 1
	return items


def merge(conv, rng, gap_dir, gap):
	"""Interleaves both directions' events at random, respecting causality;
	returns the conversation file's text."""
	items = {d: direction_items(conv, d, rng, gap if d == gap_dir else None)
		 for d in DIRS}
	idx = {C2S: 0, S2C: 0}
	sent = {C2S: 0, S2C: 0}
	closed = {C2S: False, S2C: False}
	early = rng.random() < 0.3
	lines = []
	while True:
		ready = []
		for d in DIRS:
			o = S2C if d == C2S else C2S
			if idx[d] < len(items[d]) and items[d][idx[d]][2] <= sent[o]:
				ready.append(d)
		if not ready:
			break
		d = rng.choice(ready)
		kind, val, _ = items[d][idx[d]]
		idx[d] += 1
		if kind == "data":
			lines.append("%s %s" % (d, val.hex()))
			sent[d] += len(val)
		else:
			lines.append("gap %s %d" % (d, val))
			sent[d] += val
		if (d == C2S and early and idx[d] == len(items[d])):
			lines.append("close c2s")
			closed[C2S] = True
	for d in DIRS:
		if idx[d] != len(items[d]):
			raise Failure("generator bug: causal deadlock in %s" % d)
	ends = [d for d in DIRS if not closed[d]]
	rng.shuffle(ends)
	lines.extend("close %s" % d for d in ends)
	return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- checking

def adu_repr(a):
	return json.dumps(a, sort_keys=True)


def same(exp, got, synced=True):
	"""None when got is the expected ADU, else why not."""
	for k, v in (("dir", exp.dir), ("off", exp.off), ("len", exp.len),
		     ("type", exp.type)):
		if got.get(k) != v:
			return "%s: expected %r, got %r" % (k, v, got.get(k))
	if synced is not None and got.get("synced") != synced:
		return "synced: expected %r, got %r" % (synced, got.get("synced"))
	if bool(got.get("closed", False)) != exp.closed:
		return "closed: expected %r" % exp.closed
	fields = got.get("fields", {})
	for k, v in exp.fields.items():
		if k not in fields:
			return "field %s missing (expected %r)" % (k, v)
		if fields[k] != v:
			return "field %s: expected %r, got %r" % (k, v, fields[k])
	return None


def check_exact(d, exp, got):
	for i in range(max(len(exp), len(got))):
		if i >= len(got):
			raise Failure("%s ADU #%d missing: expected %s" % (d, i, exp[i].describe()))
		if i >= len(exp):
			raise Failure("%s ADU #%d unexpected: got %s" % (d, i, adu_repr(got[i])))
		why = same(exp[i], got[i])
		if why:
			raise Failure("%s ADU #%d: %s\n  expected %s\n  got      %s" %
				      (d, i, why, exp[i].describe(), adu_repr(got[i])))


def check_resync(d, exp, got, j, gap, stats):
	"""ADUs of the direction hit by a gap over the header of ADU j: the
	ones before it exact; after it, the first unsynced, then a run of
	consecutive expected ADUs up to the last one. Unsynced ADUs before
	that run may be false candidates of a confirming resync (counted in
	stats); a synced ADU must never be at a wrong boundary."""
	k = 0
	while k < len(got) and got[k]["off"] + got[k]["len"] <= gap[0]:
		k += 1
	check_exact(d, exp[:j], got[:k])
	rest = got[k:]
	if not rest:
		return
	if rest[0].get("synced") is not False:
		raise Failure("%s after the gap: first ADU not marked unsynced: %s" %
			      (d, adu_repr(rest[0])))
	by_off = {a.off: i for i, a in enumerate(exp) if i >= j and a.off >= gap[1]}
	# the final run: the longest suffix of rest that is the expected tail
	run = 0
	while run < len(rest):
		g = rest[len(rest) - 1 - run]
		i = len(exp) - 1 - run
		if i < j or by_off.get(g["off"]) != i or exp[i].len != g["len"]:
			break
		run += 1
	junk = rest[:len(rest) - run]
	# values nested in an ADU that the protocol can't tell from ADUs
	# (Redis aggregates): a resync in one frames the rest of its
	# elements, synced -- at their exact boundaries, nowhere else
	nested = set(r for a in exp[j:] for r in a.nested)
	for g in junk:
		if g.get("synced") and (g["off"], g["off"] + g["len"]) in nested:
			stats["nested"] += 1
			continue
		if g.get("synced"):
			raise Failure("%s after the gap: synced ADU at a wrong boundary "
				      "(or not followed by the expected rest): %s" %
				      (d, adu_repr(g)))
	stats["false_candidates"] += len(junk)
	stats["resynced"] += run > 0
	was = False
	first = len(exp) - run
	for i, g in enumerate(rest[len(junk):]):
		why = same(exp[first + i], g, synced=None)
		if why:
			raise Failure("%s after the gap, ADU #%d: %s\n  expected %s\n  got      %s" %
				      (d, first + i, why, exp[first + i].describe(), adu_repr(g)))
		if was and not g.get("synced"):
			raise Failure("%s after the gap: synced again then unsynced: %s" %
				      (d, adu_repr(g)))
		was = was or bool(g.get("synced"))


def run_frame(exe, spec, conv, path, text):
	with open(path, "w") as f:
		f.write(text)
	cmd = [exe, "--spec", spec, "--flow", "gen"]
	for k, v in sorted(conv.params.items()):
		cmd += ["--param", "%s.%s=%d" % (spec, k, v)]
	cmd.append(path)
	p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
	if p.returncode != 0:
		raise Failure("pne-frame exit %d: %s" % (p.returncode, p.stderr.decode().strip()))
	got = {C2S: [], S2C: []}
	for line in p.stdout.decode().splitlines():
		a = json.loads(line)
		got[a["dir"]].append(a)
	return got, cmd


def pick_bodygap(conv, rng):
	cands = [(a, b) for d in DIRS for a in conv.adus[d] for b in a.bodies
		 if b[1] - b[0] >= 3]
	if not cands:
		return None, None
	a, (s, e) = rng.choice(cands)
	gs = rng.randint(s + 1, e - 2)
	ge = rng.randint(gs + 1, e - 1)
	return a.dir, (gs, ge)


def pick_hdrgap(conv, rng):
	cands = [(d, j) for d in DIRS
		 for j in range(conv.gap_from[d], len(conv.adus[d]) - 1)]
	if not cands or not conv.gap_ok:
		return None, None, None
	d, j = rng.choice(cands)
	adus = conv.adus[d]
	a = adus[j]
	# within the framing header: before the first opaque payload byte
	hdr = min(b[0] for b in a.bodies) - a.off if a.bodies else a.len
	gs = a.off + rng.randrange(max(1, min(4, hdr)))
	k = rng.randint(j, min(len(adus) - 2, j + 2))
	end = adus[k].off + adus[k].len
	ge = rng.randint(gs + 1, max(gs + 1, end))
	return d, j, (gs, ge)


def mutate(conv, how):
	"""Spoils one expected ADU, for the self-check."""
	d = C2S if conv.adus[C2S] else S2C
	a = conv.adus[d][len(conv.adus[d]) // 2]
	if how == "len":
		a.len += 1
	elif how == "off":
		a.off += 1
	elif how == "type":
		a.type += "_x"
	elif how == "field":
		a.fields["no_such_field"] = 1
	elif how == "missing":
		conv.adus[d].append(a)


def run_variant(exe, spec, seed, variant, workdir, stats, keep=False, spoil=None):
	"""Returns None when the variant does not apply, else True; raises
	Failure with the reason."""
	conv = build(spec, seed, simple=(variant == "hdrgap"))
	if spoil:
		mutate(conv, spoil)
	rng = new_rng(seed, spec + "/" + variant)
	gap_dir, gap, j = None, None, None
	if variant == "bodygap":
		gap_dir, gap = pick_bodygap(conv, rng)
		if gap is None:
			return None
	elif variant == "hdrgap":
		gap_dir, j, gap = pick_hdrgap(conv, rng)
		if gap is None:
			return None
	text = merge(conv, rng, gap_dir, gap)
	path = os.path.join(workdir, "%s-%d-%s.conv" % (spec, seed, variant))
	got, cmd = run_frame(exe, spec, conv, path, text)
	try:
		for d in DIRS:
			if variant == "hdrgap" and d == gap_dir:
				check_resync(d, conv.adus[d], got[d], j, gap, stats)
			else:
				check_exact(d, conv.adus[d], got[d])
	except Failure as e:
		raise Failure("%s\n  gap: %s %s\n  conversation: %s\n  reproduce: %s" %
			      (e, gap_dir, gap, path, " ".join(cmd)))
	if not keep:
		os.unlink(path)
	return True


def main():
	ap = argparse.ArgumentParser()
	ap.add_argument("--pne-frame", required=True)
	ap.add_argument("--spec", required=True, choices=sorted(protos.GENERATORS))
	ap.add_argument("--seeds", type=int, default=200)
	ap.add_argument("--first", type=int, default=0)
	ap.add_argument("--seed", type=int)
	ap.add_argument("--variant", default=",".join(VARIANTS),
			help="comma-separated variants (default: all)")
	ap.add_argument("--workdir", default=".")
	ap.add_argument("--max-fail", type=int, default=5)
	ap.add_argument("--selfcheck", action="store_true",
			help="first check that spoilt expectations are caught")
	ap.add_argument("--keep", action="store_true", help="keep conversation files")
	ap.add_argument("--dump", action="store_true",
			help="print the expected ADUs of --seed and exit")
	args = ap.parse_args()
	os.makedirs(args.workdir, exist_ok=True)
	seeds = [args.seed] if args.seed is not None else \
		range(args.first, args.first + args.seeds)
	variants = args.variant.split(",")
	for v in variants:
		if v not in VARIANTS:
			ap.error("unknown variant %r" % v)
	if args.dump:
		conv = build(args.spec, seeds[0], variants == ["hdrgap"])
		print("params: %s" % conv.params)
		for d in DIRS:
			for a in conv.adus[d]:
				print(a.describe())
		return 0
	t0 = time.time()
	if args.selfcheck:
		# the checker must notice a spoilt expectation
		for how in ("len", "off", "type", "field", "missing"):
			try:
				run_variant(args.pne_frame, args.spec, seeds[0], "plain",
					    args.workdir, {"false_candidates": 0, "resynced": 0, "nested": 0}, spoil=how)
			except Failure:
				path = os.path.join(args.workdir, "%s-%d-plain.conv" %
						    (args.spec, seeds[0]))
				if os.path.exists(path):
					os.unlink(path)
				continue
			print("FAIL %s self-check: a spoilt expectation (%s) went unnoticed" %
			      (args.spec, how))
			return 1
	runs, skipped, failed = 0, 0, 0
	stats = {"false_candidates": 0, "resynced": 0, "nested": 0}
	for seed in seeds:
		for v in variants:
			try:
				r = run_variant(args.pne_frame, args.spec, seed, v,
						args.workdir, stats, args.keep)
			except Failure as e:
				failed += 1
				print("FAIL %s seed %d variant %s: %s" % (args.spec, seed, v, e))
				print("  regenerate: %s %s --pne-frame %s --spec %s --seed %d "
				      "--variant %s --workdir %s --keep" %
				      (sys.executable, os.path.abspath(__file__), args.pne_frame,
				       args.spec, seed, v, args.workdir))
				if failed >= args.max_fail:
					print("(stopping after %d failures)" % failed)
					return 1
				continue
			if r is None:
				skipped += 1
			else:
				runs += 1
	print("%s: %d runs, %d not applicable, %d failed; after a gap over a header: "
	      "%d resynced, %d false candidates (unsynced), %d nested values framed; "
	      "%.1f s" %
	      (args.spec, runs, skipped, failed, stats["resynced"],
	       stats["false_candidates"] - stats["nested"], stats["nested"],
	       time.time() - t0))
	return 1 if failed else 0


if __name__ == "__main__":
	sys.exit(main())
