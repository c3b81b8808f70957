/*
 * nids_bench: libnids TCP reassembly over a capture held in memory -- the
 * peer PNE's cycles per packet are set against (bench/peers.sh).
 *
 *   nids_bench [--streams N] CAPTURE      (N: libnids n_tcp_streams, 65536)
 *
 * libnids (Debian's libnids-dev) opens the capture once to learn its link
 * type (nids_init() with nids_params.filename); the packets are then read
 * into memory with libpcap, and the timed loop hands each one to
 * nids_pcap_handler() -- libnids' own per-packet entry, which nids_run()
 * calls from pcap_loop() -- so neither file reading nor libpcap is timed,
 * as in bench_track and bench_scale. Every TCP stream's both directions
 * are collected (reassembled into libnids' buffers, in order), which is
 * the work PNE's tracker does before its specs look at the bytes; the
 * callback only counts the new bytes. Checksums are not verified
 * (nids_register_chksum_ctl: every address, NIDS_DONT_CHKSUM: PNE
 * doesn't verify them either), port-scan detection is off.
 *
 * Prints packets, streams seen and closed, bytes reassembled per
 * direction and TSC ticks per packet of the loop; one pass per process
 * (libnids keeps global state that can't be reset), peers.sh runs it
 * several times and takes the median.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nids.h>
#include <pcap/pcap.h>
#include <x86intrin.h>

#include "trace_mem.h"

struct counts {
	uint64_t streams, closed, bytes[2], data_calls;
};

static struct counts cnt;

/* Called by libnids on every stream event. Collect both directions on
 * establishment; count what each data event brings. */
static void on_tcp(struct tcp_stream *s, void **unused)
{
	switch (s->nids_state) {
	case NIDS_JUST_EST:
		s->client.collect++;
		s->server.collect++;
		cnt.streams++;
		break;
	case NIDS_DATA:
		cnt.data_calls++;
		cnt.bytes[0] += (uint64_t)s->server.count_new;   /* client to server */
		cnt.bytes[1] += (uint64_t)s->client.count_new;
		break;
	default:                    /* close, reset, timeout, exit */
		cnt.closed++;
		break;
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: nids_bench [--streams N] CAPTURE\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "streams", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	static struct nids_chksum_ctl nocheck = { .netaddr = 0, .mask = 0,
						  .action = NIDS_DONT_CHKSUM };
	static struct trace t;
	long streams = 65536;
	uint64_t c0, c1;
	struct timespec w0, w1;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 's')
			usage();
		streams = strtol(optarg, NULL, 0);
		if (streams < 1 || streams > (1l << 26))
			usage();
	}
	if (optind != argc - 1)
		usage();
	nids_params.filename = argv[optind];
	nids_params.n_tcp_streams = (int)streams;
	nids_params.scan_num_hosts = 0;         /* no port-scan detection */
	nids_params.pcap_filter = NULL;
	if (!nids_init()) {
		fprintf(stderr, "nids_bench: %s\n", nids_errbuf);
		return 1;
	}
	nids_register_chksum_ctl(&nocheck, 1);
	nids_register_tcp(on_tcp);
	trace_load(&t, argv[optind], "nids_bench");

	clock_gettime(CLOCK_MONOTONIC, &w0);
	c0 = __rdtsc();
	for (size_t i = 0; i < t.n; i++) {
		struct pcap_pkthdr h = {
			.ts = { .tv_sec = (time_t)(t.ts[i] / 1000000000ull),
				.tv_usec = (suseconds_t)(t.ts[i] % 1000000000ull / 1000) },
			.caplen = t.caplen[i],
			.len = t.wirelen[i],
		};

		nids_pcap_handler(NULL, &h, t.data + t.off[i]);
	}
	c1 = __rdtsc();
	clock_gettime(CLOCK_MONOTONIC, &w1);

	printf("capture   %s (%zu packets)\n", argv[optind], t.n);
	printf("streams   %" PRIu64 " established, %" PRIu64 " ended; %" PRIu64
	       " bytes c2s, %" PRIu64 " s2c reassembled (%" PRIu64 " data events)\n",
	       cnt.streams, cnt.closed, cnt.bytes[0], cnt.bytes[1], cnt.data_calls);
	printf("cycles/packet %.1f (TSC %.3f GHz), %.3f Mpkt/s\n",
	       (double)(c1 - c0) / (double)t.n,
	       (double)(c1 - c0) / ((double)(w1.tv_sec - w0.tv_sec) * 1e9 +
				    (double)(w1.tv_nsec - w0.tv_nsec)),
	       (double)t.n / ((double)(w1.tv_sec - w0.tv_sec) +
			      (double)(w1.tv_nsec - w0.tv_nsec) / 1e9) / 1e6);
	nids_exit();
	trace_free(&t);
	return 0;
}
