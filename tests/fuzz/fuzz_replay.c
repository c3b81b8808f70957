/*
 * libFuzzer target for pne-replay (runtime/replay/): the input is a
 * capture file (pcap or pcapng, maybe gzip'd), run through pne-replay's
 * own code -- option parsing, capture input, the per-packet pipeline
 * (parse, expiry, flow table, RST check, spec choice by port, tracker),
 * ADU and stats JSON output, HTTP body decoding -- with small caps (a
 * few flows, a small held-data pool), so eviction, a full table and the
 * hold caps are reached. Built with -DPNE_FUZZ=ON (clang); see
 * tests/fuzz_trk/tests.cmake.
 *
 * pne_replay.c is included rather than copied, its main() renamed, so
 * this runs exactly the functions pne-replay runs, on a fresh struct
 * replay each time. The capture is written to a memfd that pne-replay
 * opens by its /proc path, as it would open a file. Output goes to
 * /dev/null: the ADU records and the stats are formatted, not kept.
 *
 * The last byte of the input picks the caps (the capture parsers ignore
 * trailing bytes or stop at them as at a cut record):
 *   bit 0 max-flows 4 (else 64)   bit 1 memcap 16k (else 1m)
 *   bit 2 gap-timeout 1 ms (else 0: never)   bit 3 --body-hash
 *   bit 4 flow-hold 4k (else 64k)
 *
 * Checked beyond memory safety and leaks: the run ends with every flow
 * flushed and nothing held, every payload packet lands in exactly one of
 * the tracker's classes, and packets are accounted for.
 */
#define _GNU_SOURCE   /* memfd_create */
#define main pne_replay_main
int pne_replay_main(int argc, char **argv);
#include "../../runtime/replay/pne_replay.c"
#undef main

#include <sys/mman.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memfd = -1;
static char capture_path[64];

static void check(int ok)
{
	if (!ok)
		abort();
}

static int write_capture(const uint8_t *data, size_t size)
{
	size_t done = 0;

	if (memfd < 0) {
		memfd = memfd_create("fuzz_replay", 0);
		if (memfd < 0)
			return -1;
		snprintf(capture_path, sizeof(capture_path), "/proc/self/fd/%d", memfd);
	}
	if (ftruncate(memfd, 0) != 0)
		return -1;
	while (done < size) {
		ssize_t n = pwrite(memfd, data + done, size - done, (off_t)done);

		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

/* pne-replay's main() without its exits, on r. */
static void replay_once(struct replay *r, unsigned caps)
{
	char *argv[24];
	int argc = 0;
	struct options o;

	argv[argc++] = "pne-replay";
	argv[argc++] = "-q";
	argv[argc++] = "--max-flows";
	argv[argc++] = (caps & 1) ? "4" : "64";
	argv[argc++] = "--memcap";
	argv[argc++] = (caps & 2) ? "16k" : "1m";
	argv[argc++] = "--gap-timeout";
	argv[argc++] = (caps & 4) ? "0.001" : "0";
	argv[argc++] = "--flow-hold";
	argv[argc++] = (caps & 16) ? "4k" : "64k";
	if (caps & 8) {
		argv[argc++] = "--body-hash";
		argv[argc++] = "--body-cap";
		argv[argc++] = "256k";
	}
	argv[argc++] = "--adus";
	argv[argc++] = "/dev/null";
	argv[argc++] = "--stats-json";
	argv[argc++] = "/dev/null";
	argv[argc++] = capture_path;
	argv[argc] = NULL;

	optind = 0;   /* getopt starts afresh */
	check(parse_options(&o, argc, argv) == 0);
	r->o = &o;
	check(setup_specs(r) == 0);
	if (rpl_input_open(&r->in, o.capture, r->errbuf, sizeof(r->errbuf)) != 0)
		goto out;   /* not a capture libpcap reads: fine */
	r->linktype = pcap_datalink(r->in.pcap);
	check(setup_runtime(r) == 0);
	check(open_adus(r) == 0);
	run(r);
	check(close_adus(r) == 0);
	check(write_stats(r, o.stats) == 0);
	{
		const struct pne_tracker_stats *ts = pne_pipe_tracker_stats(r->pipe);
		const struct pne_pipe_stats *st = pne_pipe_stats(r->pipe);

		check(pne_pipe_flow_count(r->pipe) == 0);
		check(st->state_bytes == 0);
		check(ts->held_bytes == 0);
		check(ts->examined + ts->skipped + ts->ignored + ts->delivered ==
		      ts->payload_packets);
		check(ts->payload_packets + st->untracked_payload_packets <= st->payload_packets);
		check(st->segments <= st->packets && st->parse[PNE_PKT_OK] == st->segments);
	}
out:
	cleanup(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct replay rep;   /* 64 KiB port map: not on the stack */

	if (size == 0 || write_capture(data, size) != 0)
		return 0;
	memset(&rep, 0, sizeof(rep));
	replay_once(&rep, data[size - 1]);
	return 0;
}
