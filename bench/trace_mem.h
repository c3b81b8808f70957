/*
 * A capture held in memory for the benchmarks (bench_track, bench_scale):
 * read once with libpcap, so that the timed loops touch no file.
 */
#ifndef PNE_BENCH_TRACE_MEM_H
#define PNE_BENCH_TRACE_MEM_H

#include <stddef.h>
#include <stdint.h>

/* Packet i is data[off[i] .. off[i] + caplen[i]), captured at ts[i] ns. */
struct trace {
	uint8_t *data;
	size_t size, cap;
	uint64_t *off;
	uint32_t *caplen, *wirelen;
	uint64_t *ts;
	size_t n, ncap;
	uint64_t wire_bytes;        /* sum of wirelen */
	int linktype;
};

/* Read every packet of the pcap or pcapng file at path into t (zeroed
 * by the caller). Exits with a message (prog: the program's name) when
 * the file can't be read or holds no packet. */
void trace_load(struct trace *t, const char *path, const char *prog);

void trace_free(struct trace *t);

#endif /* PNE_BENCH_TRACE_MEM_H */
