/* A capture held in memory (trace_mem.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include "trace_mem.h"

#define NS_PER_S 1000000000ull

static void *grow(void *p, size_t n, size_t size, const char *prog)
{
	void *q = realloc(p, n * size);

	if (q == NULL) {
		fprintf(stderr, "%s: out of memory reading the capture\n", prog);
		exit(1);
	}
	return q;
}

static void trace_add(struct trace *t, const struct pcap_pkthdr *h, const uint8_t *d,
		      const char *prog)
{
	if (t->n == t->ncap) {
		t->ncap = t->ncap ? t->ncap * 2 : 4096;
		t->off = grow(t->off, t->ncap, sizeof(*t->off), prog);
		t->caplen = grow(t->caplen, t->ncap, sizeof(*t->caplen), prog);
		t->wirelen = grow(t->wirelen, t->ncap, sizeof(*t->wirelen), prog);
		t->ts = grow(t->ts, t->ncap, sizeof(*t->ts), prog);
	}
	while (t->size + h->caplen > t->cap) {
		t->cap = t->cap ? t->cap * 2 : 1u << 20;
		t->data = grow(t->data, t->cap, 1, prog);
	}
	memcpy(t->data + t->size, d, h->caplen);
	t->off[t->n] = t->size;
	t->caplen[t->n] = h->caplen;
	t->wirelen[t->n] = h->len;
	/* nanosecond precision was asked for: tv_usec holds nanoseconds */
	t->ts[t->n] = (uint64_t)h->ts.tv_sec * NS_PER_S + (uint64_t)h->ts.tv_usec;
	t->size += h->caplen;
	t->wire_bytes += h->len;
	t->n++;
}

void trace_load(struct trace *t, const char *path, const char *prog)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
	struct pcap_pkthdr *h;
	const u_char *d;
	int rc;

	if (p == NULL) {
		fprintf(stderr, "%s: %s\n", prog, err);
		exit(1);
	}
	t->linktype = pcap_datalink(p);
	while ((rc = pcap_next_ex(p, &h, &d)) == 1)
		trace_add(t, h, d, prog);
	if (rc == PCAP_ERROR)
		fprintf(stderr, "%s: warning: %s: %s\n", prog, path, pcap_geterr(p));
	pcap_close(p);
	if (t->n == 0) {
		fprintf(stderr, "%s: %s: no packets\n", prog, path);
		exit(1);
	}
}

void trace_free(struct trace *t)
{
	free(t->data);
	free(t->off);
	free(t->caplen);
	free(t->wirelen);
	free(t->ts);
	memset(t, 0, sizeof(*t));
}
