/*
 * The packet pipeline (runtime/pipe.c) and the ADU log format
 * (runtime/adu_log.c) fed hand-built raw-IP frames: the hooks see each
 * connection start and end once, the host's bytes start zeroed, the
 * state memcap leaves connections untracked and counts them, tracker
 * state blocks are reused (the pool doesn't grow over sequential
 * connections), port reuse ends the old connection, tracker state goes
 * back to the pool once both directions closed (the entry staying), the
 * per-connection bookkeeping stays 40 bytes, and the labels (formatted
 * on demand) and log lines come out in the documented format
 * (docs/adu-log.md).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pne/adu_log.h"
#include "pne/pipe.h"
#include "pne/specs.h"

#define MS 1000000ull   /* ns */
#define USER_SIZE 40
#define MAXFLOWS 8

/* ---- frames ------------------------------------------------------------ */

static const uint8_t cli4[4] = { 10, 0, 0, 1 }, srv4[4] = { 10, 0, 0, 2 };
static const uint8_t cli6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
static const uint8_t srv6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };

static void wr16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void wr32(uint8_t *p, uint32_t v)
{
	wr16(p, v >> 16);
	wr16(p + 2, v);
}

/* One TCP segment between a client and a server, either way. */
struct conn {
	int v6;
	uint16_t cport, sport;
	uint32_t cseq, sseq;   /* next sequence number of each side */
};

/* A raw IP frame (LINKTYPE_RAW) of one segment; returns its length. */
static size_t mk_frame(uint8_t *f, const struct conn *c, int from_client, uint8_t flags,
		       uint32_t seq, uint32_t ack, const char *data)
{
	size_t dlen = data != NULL ? strlen(data) : 0, ip = c->v6 ? 40 : 20;
	const uint8_t *src = c->v6 ? (from_client ? cli6 : srv6) : (from_client ? cli4 : srv4);
	const uint8_t *dst = c->v6 ? (from_client ? srv6 : cli6) : (from_client ? srv4 : cli4);
	uint8_t *t = f + ip;

	memset(f, 0, ip + 20);
	if (c->v6) {
		f[0] = 0x60;
		wr16(f + 4, (uint32_t)(20 + dlen));
		f[6] = 6;
		f[7] = 64;
		memcpy(f + 8, src, 16);
		memcpy(f + 24, dst, 16);
	} else {
		f[0] = 0x45;
		wr16(f + 2, (uint32_t)(20 + 20 + dlen));
		f[6] = 0x40;
		f[8] = 64;
		f[9] = 6;
		memcpy(f + 12, src, 4);
		memcpy(f + 16, dst, 4);
	}
	wr16(t, from_client ? c->cport : c->sport);
	wr16(t + 2, from_client ? c->sport : c->cport);
	wr32(t + 4, seq);
	wr32(t + 8, ack);
	t[12] = 5 << 4;
	t[13] = flags;
	wr16(t + 14, 65535);
	if (dlen > 0)
		memcpy(t + 20, data, dlen);
	return ip + 20 + dlen;
}

/* Send a segment of c (data may be NULL), advancing its sequence numbers. */
static void send_seg(struct pne_pipe *p, struct conn *c, int from_client, uint8_t flags,
		     const char *data, uint64_t now)
{
	uint8_t f[2048];
	uint32_t *seq = from_client ? &c->cseq : &c->sseq;
	uint32_t ack = from_client ? c->sseq : c->cseq;
	size_t len = mk_frame(f, c, from_client, flags, *seq, ack, data);

	assert_int_equal(pne_pipe_packet(p, f, (uint32_t)len, (uint32_t)len, PNE_LINK_RAW, now),
			 PNE_PKT_OK);
	*seq += (uint32_t)(data != NULL ? strlen(data) : 0) +
		((flags & (PNE_TCP_SYN | PNE_TCP_FIN)) ? 1 : 0);
}

static void handshake(struct pne_pipe *p, struct conn *c, uint64_t now)
{
	send_seg(p, c, 1, PNE_TCP_SYN, NULL, now);
	send_seg(p, c, 0, PNE_TCP_SYN | PNE_TCP_ACK, NULL, now);
	send_seg(p, c, 1, PNE_TCP_ACK, NULL, now);
}

static void closing(struct pne_pipe *p, struct conn *c, uint64_t now)
{
	send_seg(p, c, 1, PNE_TCP_FIN | PNE_TCP_ACK, NULL, now);
	send_seg(p, c, 0, PNE_TCP_FIN | PNE_TCP_ACK, NULL, now);
	send_seg(p, c, 1, PNE_TCP_ACK, NULL, now);
}

static const char get[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";

/* ---- the pipeline under test ------------------------------------------- */

struct host {
	struct pne_pipe *p;
	uint8_t port_spec[65536];
	struct pne_pipe_spec specs[2];
	unsigned starts, ends, segments, adus;
	unsigned ends_by[PNE_PIPE_END__COUNT];
	unsigned untracked_starts;
	int user_dirty;            /* a start found non-zero host bytes */
	int user_misaligned;
	int cookie_mismatch;       /* an ADU's cookie isn't a started flow */
	struct pne_pipe_flow *last;
	char label[PNE_FLOW_LABEL_MAX];
	char end_label[PNE_FLOW_LABEL_MAX];   /* the last ended flow's */
};

static void h_start(struct pne_pipe_flow *f, uint64_t now, void *arg)
{
	struct host *h = arg;
	uint8_t *u = pne_pipe_flow_user(f);

	(void)now;
	h->starts++;
	h->untracked_starts += pne_pipe_flow_state(f) == NULL;
	h->user_misaligned |= ((uintptr_t)u & 7) != 0;
	for (unsigned i = 0; i < USER_SIZE; i++)
		h->user_dirty |= u[i] != 0;
	memset(u, 0xa5, USER_SIZE);   /* the next start must find zeros again */
	h->last = f;
	snprintf(h->label, sizeof(h->label), "%s", pne_pipe_flow_label(f));
}

static void h_segment(struct pne_pipe_flow *f, enum pne_dir dir, const struct pne_pkt *pkt,
		      uint8_t flags, const uint8_t *frame, uint32_t wire_len, uint64_t now,
		      void *arg)
{
	struct host *h = arg;

	(void)f; (void)dir; (void)pkt; (void)flags; (void)frame; (void)wire_len; (void)now;
	h->segments++;
}

static void h_end(struct pne_pipe_flow *f, enum pne_pipe_end how, enum pne_flow_state st,
		  void *arg)
{
	struct host *h = arg;

	(void)f; (void)st;
	assert_null(pne_pipe_flow_state(f));   /* closed before the hook */
	snprintf(h->end_label, sizeof(h->end_label), "%s", pne_pipe_flow_label(f));
	h->ends++;
	h->ends_by[how]++;
}

static void h_adu(void *flow, const struct pne_adu *adu, void *arg)
{
	struct host *h = arg;

	(void)adu;
	h->adus++;
	h->cookie_mismatch |= flow != h->last;
}

/* A pipeline with http on port 80 and redis on 6379. */
static struct host *host_new(size_t memcap, uint64_t tmo)
{
	struct host *h = calloc(1, sizeof(*h));
	struct pne_pipe_conf c = { 0 };

	assert_non_null(h);
	h->specs[0].spec = pne_builtin_spec("http");
	h->specs[1].spec = pne_builtin_spec("redis");
	assert_non_null(h->specs[0].spec);
	assert_non_null(h->specs[1].spec);
	memset(h->port_spec, PNE_PIPE_NO_SPEC, sizeof(h->port_spec));
	h->port_spec[80] = 0;
	h->port_spec[6379] = 1;
	c.specs = h->specs;
	c.nspecs = 2;
	c.port_spec = h->port_spec;
	c.max_flows = MAXFLOWS;
	for (int i = 0; i < PNE_FLOW_TMO__COUNT; i++)
		c.timeout[i] = tmo;
	c.state_memcap = memcap;
	c.tracker.memcap = 1u << 20;
	c.user_size = USER_SIZE;
	c.on_adu = h_adu;
	c.adu_arg = h;
	c.hooks = (struct pne_pipe_hooks){ h_start, h_segment, h_end, h };
	h->p = pne_pipe_create(&c);
	assert_non_null(h->p);
	return h;
}

static void host_free(struct host *h)
{
	pne_pipe_destroy(h->p);
	free(h);
}

static size_t spec_size(const char *name)
{
	return pne_tracker_flow_size(pne_builtin_spec(name));
}

/* ---- tests --------------------------------------------------------------- */

/* One connection: one start, one end (after flush: "fin"), every
 * segment seen, its ADUs with its cookie, the host bytes zeroed. */
static void test_hooks_once(void **state)
{
	struct host *h = host_new(0, 0);
	struct conn c = { 0, 40000, 80, 1000, 5000 };
	const struct pne_pipe_stats *st = pne_pipe_stats(h->p);

	(void)state;
	handshake(h->p, &c, 1 * MS);
	send_seg(h->p, &c, 1, PNE_TCP_ACK | PNE_TCP_PSH, get, 2 * MS);
	send_seg(h->p, &c, 0, PNE_TCP_ACK | PNE_TCP_PSH,
		 "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", 3 * MS);
	closing(h->p, &c, 4 * MS);
	assert_int_equal(h->starts, 1);
	assert_int_equal(h->ends, 0);
	assert_int_equal(h->segments, 8);
	assert_int_equal(h->adus, 2);
	assert_int_equal(h->cookie_mismatch, 0);
	assert_int_equal(h->user_dirty, 0);
	assert_int_equal(h->user_misaligned, 0);
	assert_int_equal(pne_pipe_flow_spec(h->last), 0);
	assert_string_equal(h->label, "10.0.0.1:40000>10.0.0.2:80");
	assert_int_equal(st->flows_tracked, 1);
	assert_int_equal(st->flows_by_spec[0], 1);
	assert_int_equal(st->adus, 2);
	assert_int_equal(st->adus_by_spec[0], 2);
	assert_int_equal(st->segments, 8);
	assert_int_equal(st->packets, 8);
	/* both FINs delivered: the state is back in the pool, the entry stays */
	assert_int_equal(st->state_bytes, 0);
	assert_int_equal(st->state_bytes_peak, spec_size("http"));
	assert_int_equal(pne_pipe_flow_count(h->p), 1);
	assert_int_equal(st->untracked_segments, 1);   /* the last ACK */
	pne_pipe_flush(h->p);
	assert_int_equal(h->starts, 1);
	assert_int_equal(h->ends, 1);
	assert_int_equal(h->ends_by[PNE_PIPE_END_FIN], 1);
	assert_int_equal(st->state_bytes, 0);
	assert_int_equal(st->state_bytes_pooled, spec_size("http"));
	assert_int_equal(pne_pipe_flow_count(h->p), 0);
	/* a flushed pipeline stays usable; the flow label is IPv6's now */
	c = (struct conn){ 1, 40001, 80, 1000, 5000 };
	handshake(h->p, &c, 5 * MS);
	assert_int_equal(h->starts, 2);
	assert_int_equal(h->user_dirty, 0);
	assert_string_equal(h->label, "[2001:db8::1]:40001>[2001:db8::2]:80");
	host_free(h);   /* ends it */
	assert_string_equal(pne_pipe_end_name(PNE_PIPE_END_EOF), "eof");
	assert_string_equal(pne_pipe_end_name(PNE_PIPE_END_EVICTED), "evicted");
}

/* A SYN with a new ISN on a closed four-tuple: the old connection ends
 * ("fin") and a new one starts with zeroed host bytes. A retransmitted
 * SYN (the same ISN) on an open one starts nothing. */
static void test_port_reuse(void **state)
{
	struct host *h = host_new(0, 0);
	struct conn c = { 0, 40000, 80, 1000, 5000 };
	struct conn again;
	const struct pne_pipe_stats *st = pne_pipe_stats(h->p);

	(void)state;
	handshake(h->p, &c, 1 * MS);
	again = c;
	again.cseq = 1000;
	send_seg(h->p, &again, 1, PNE_TCP_SYN, NULL, 1 * MS);   /* retransmission */
	assert_int_equal(h->starts, 1);
	closing(h->p, &c, 2 * MS);
	c.cseq += 100000;
	c.sseq += 100000;
	handshake(h->p, &c, 3 * MS);
	assert_int_equal(h->starts, 2);
	assert_int_equal(h->ends, 1);
	assert_int_equal(h->ends_by[PNE_PIPE_END_FIN], 1);
	assert_int_equal(h->user_dirty, 0);
	assert_int_equal(st->flows_tracked, 2);
	assert_int_equal(pne_pipe_flow_count(h->p), 1);
	/* the block of the first went back to the pool and came out again */
	assert_int_equal(st->state_bytes_pooled, spec_size("http"));
	/* an RST from the server ends it as "rst" */
	send_seg(h->p, &c, 0, PNE_TCP_RST | PNE_TCP_ACK, NULL, 4 * MS);
	pne_pipe_flush(h->p);
	assert_int_equal(h->ends, 2);
	assert_int_equal(h->ends_by[PNE_PIPE_END_RST], 1);
	host_free(h);
}

/* Room for two HTTP states: the third concurrent HTTP connection is
 * untracked and counted, the unclaimed port's connection is untracked
 * and not a failure. */
static void test_memcap(void **state)
{
	size_t hs = spec_size("http");
	struct host *h = host_new(2 * hs, 0);
	const struct pne_pipe_stats *st = pne_pipe_stats(h->p);

	(void)state;
	for (uint16_t i = 0; i < 3; i++) {
		struct conn c = { 0, (uint16_t)(40000 + i), 80, 1000, 5000 };

		handshake(h->p, &c, 1 * MS);
		send_seg(h->p, &c, 1, PNE_TCP_ACK | PNE_TCP_PSH, get, 1 * MS);
	}
	{
		struct conn c = { 0, 40010, 9999, 1000, 5000 };

		handshake(h->p, &c, 1 * MS);
	}
	assert_int_equal(h->starts, 4);
	assert_int_equal(h->untracked_starts, 2);
	assert_int_equal(st->state_alloc_failures, 1);
	assert_int_equal(st->flows_tracked, 2);
	assert_int_equal(st->flows_untracked, 2);
	assert_int_equal(st->state_bytes, 2 * hs);
	assert_int_equal(st->state_bytes_pooled, 2 * hs);
	assert_int_equal(h->adus, 2);   /* the untracked one's GET isn't framed */
	assert_int_equal(st->untracked_segments, 4 + 3);
	assert_int_equal(st->untracked_payload_packets, 1);
	/* the HTTP blocks, free now, make way for another spec's */
	pne_pipe_flush(h->p);
	{
		struct conn c = { 0, 40020, 6379, 1000, 5000 };

		handshake(h->p, &c, 2 * MS);
		send_seg(h->p, &c, 1, PNE_TCP_ACK | PNE_TCP_PSH, "PING\r\n", 2 * MS);
	}
	assert_int_equal(st->state_alloc_failures, 1);
	assert_int_equal(st->flows_by_spec[1], 1);
	assert_true(st->state_bytes_pooled <= 2 * hs);
	assert_int_equal(st->state_bytes, spec_size("redis"));
	host_free(h);
}

/* Many sequential connections, each aged out before the next: one
 * block serves them all. */
static void test_free_list_reuse(void **state)
{
	struct host *h = host_new(0, 1 * MS);
	const struct pne_pipe_stats *st = pne_pipe_stats(h->p);
	const unsigned n = 300;

	(void)state;
	for (unsigned i = 0; i < n; i++) {
		struct conn c = { 0, (uint16_t)(20000 + i), 80, 1000 + i, 5000 };
		uint64_t t = 10 * MS * (i + 1);

		handshake(h->p, &c, t);
		send_seg(h->p, &c, 1, PNE_TCP_ACK | PNE_TCP_PSH, get, t);
		assert_true(st->state_bytes_pooled <= spec_size("http"));
	}
	assert_int_equal(st->flows_tracked, n);
	assert_int_equal(st->state_alloc_failures, 0);
	assert_int_equal(h->ends_by[PNE_PIPE_END_TIMEOUT], n - 1);
	assert_int_equal(h->adus, n);
	assert_int_equal(st->state_bytes_pooled, spec_size("http"));
	assert_int_equal(st->state_bytes_peak, spec_size("http"));
	pne_pipe_flush(h->p);
	assert_int_equal(h->ends, n);
	assert_int_equal(h->starts, n);
	host_free(h);
}

static void test_bad_conf(void **state)
{
	uint8_t *ports = malloc(65536);
	struct pne_pipe_spec s = { pne_builtin_spec("http"), NULL };
	struct pne_pipe_conf c = { .specs = &s, .nspecs = 1, .max_flows = 4,
				   .tracker.memcap = 1u << 20 };

	(void)state;
	assert_non_null(ports);
	errno = 0;
	assert_null(pne_pipe_create(&c));   /* no port map */
	assert_int_equal(errno, EINVAL);
	memset(ports, PNE_PIPE_NO_SPEC, 65536);
	ports[80] = 1;                      /* past the specs */
	c.port_spec = ports;
	errno = 0;
	assert_null(pne_pipe_create(&c));
	assert_int_equal(errno, EINVAL);
	ports[80] = 0;
	pne_pipe_destroy(pne_pipe_create(&c));
	pne_pipe_destroy(NULL);
	free(ports);
}

static void test_label(void **state)
{
	uint8_t addr[2][16] = { { [10] = 0xff, [11] = 0xff, 192, 168, 1, 2 },
				{ [10] = 0xff, [11] = 0xff, 10, 0, 0, 1 } };
	uint8_t addr6[2][16] = { { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
				 { 0xfe, 0x80, [8] = 0x12, [9] = 0x34, [15] = 0xab } };
	uint16_t port[2] = { 80, 65535 };
	char buf[PNE_FLOW_LABEL_MAX];
	uint8_t big[2][16];
	uint16_t bigport[2] = { 65535, 65535 };

	(void)state;
	pne_flow_label(buf, (const uint8_t (*)[16])addr, port, 1);
	assert_string_equal(buf, "10.0.0.1:65535>192.168.1.2:80");
	pne_flow_label(buf, (const uint8_t (*)[16])addr, port, 0);
	assert_string_equal(buf, "192.168.1.2:80>10.0.0.1:65535");
	pne_flow_label(buf, (const uint8_t (*)[16])addr6, port, 0);
	assert_string_equal(buf, "[2001:db8::1]:80>[fe80::1234:0:0:ab]:65535");
	/* the longest label fits */
	memset(big, 0xff, sizeof(big));
	pne_flow_label(buf, (const uint8_t (*)[16])big, bigport, 0);
	assert_string_equal(buf, "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535>"
				 "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535");
}

static void test_log_line(void **state)
{
	static const char want[] =
		"{\"flow\":\"10.0.0.1:1>10.0.0.2:80\",\"dir\":\"s2c\",\"proto\":\"http\","
		"\"type\":\"a\\\"b\",\"off\":18446744073709551615,\"len\":0,"
		"\"synced\":false,\"fields\":{},\"closed\":true,\"body\":{}}\n";
	struct pne_adu adu = {
		.spec = pne_builtin_spec("http"), .dir = PNE_S2C, .unit = 0xffff,
		.type = "a\"b", .off = UINT64_MAX, .len = 0, .synced = 0, .closed = 1,
	};
	const char *label = "10.0.0.1:1>10.0.0.2:80";
	size_t n = strlen(want);
	char buf[512], js[64];

	(void)state;
	assert_int_equal(pne_adu_log_line(NULL, 0, label, &adu, "\"body\":{}"), n);
	assert_int_equal(pne_adu_log_line(buf, sizeof(buf), label, &adu, "\"body\":{}"), n);
	assert_string_equal(buf, want);
	/* cut anywhere: the same length returned, a NUL-terminated prefix */
	for (size_t cap = 1; cap <= n + 1; cap++) {
		memset(buf, 'X', sizeof(buf));
		assert_int_equal(pne_adu_log_line(buf, cap, label, &adu, "\"body\":{}"), n);
		assert_int_equal(strlen(buf), cap - 1 < n ? cap - 1 : n);
		assert_memory_equal(buf, want, strlen(buf));
		assert_int_equal(buf[cap], 'X');   /* nothing past cap */
	}
	adu.synced = 1;
	adu.closed = 0;
	adu.type = NULL;
	adu.dir = PNE_C2S;
	adu.off = 0;
	pne_adu_log_line(buf, sizeof(buf), label, &adu, NULL);
	assert_string_equal(buf, "{\"flow\":\"10.0.0.1:1>10.0.0.2:80\",\"dir\":\"c2s\","
			    "\"proto\":\"http\",\"type\":\"\",\"off\":0,\"len\":0,"
			    "\"synced\":true,\"fields\":{}}\n");
	assert_int_equal(pne_json_string(js, sizeof(js), "a\"\\\x01\x1f z"), 21);
	assert_string_equal(js, "\"a\\\"\\\\\\u0001\\u001f z\"");
	assert_int_equal(pne_json_string(js, 4, "abcdef"), 8);
	assert_string_equal(js, "\"ab");
}

/* Tracker state goes back to the pool as soon as the tracker has closed
 * both directions; the entry stays (TIME-WAIT) and what comes after the
 * close reaches the segment hook as untracked segments. */
static void test_state_released_at_close(void **state)
{
	size_t hs = spec_size("http");
	struct host *h = host_new(0, 0);
	const struct pne_pipe_stats *st = pne_pipe_stats(h->p);
	struct conn c = { 0, 40000, 80, 1000, 5000 };
	struct conn fin_again, lost, srv;
	unsigned segs;

	(void)state;
	handshake(h->p, &c, 1 * MS);
	send_seg(h->p, &c, 1, PNE_TCP_ACK | PNE_TCP_PSH, get, 2 * MS);
	send_seg(h->p, &c, 1, PNE_TCP_FIN | PNE_TCP_ACK, NULL, 3 * MS);
	assert_int_equal(st->state_bytes, hs);   /* one direction still open */
	fin_again = c;
	send_seg(h->p, &c, 0, PNE_TCP_FIN | PNE_TCP_ACK, NULL, 3 * MS);
	assert_int_equal(st->state_bytes, 0);
	assert_int_equal(st->state_bytes_pooled, hs);
	assert_null(pne_pipe_flow_state(h->last));
	assert_int_equal(pne_pipe_flow_count(h->p), 1);
	assert_int_equal(h->ends, 0);
	assert_int_equal(h->adus, 1);
	assert_int_equal(st->interp.adus, 1);   /* its counters were summed */
	/* the server's FIN again (its ACK was lost): the same connection,
	 * untracked now */
	segs = h->segments;
	send_seg(h->p, &fin_again, 0, PNE_TCP_FIN | PNE_TCP_ACK, NULL, 4 * MS);
	send_seg(h->p, &c, 1, PNE_TCP_ACK, NULL, 4 * MS);
	assert_int_equal(h->segments, segs + 2);
	assert_int_equal(st->untracked_segments, 2);
	assert_int_equal(h->starts, 1);
	assert_int_equal(st->state_bytes, 0);

	/* an RST closes both directions at once */
	c = (struct conn){ 0, 40001, 80, 1000, 5000 };
	handshake(h->p, &c, 5 * MS);
	assert_int_equal(st->state_bytes, hs);
	assert_int_equal(st->state_bytes_pooled, hs);   /* the block came back out */
	send_seg(h->p, &c, 1, PNE_TCP_ACK | PNE_TCP_PSH, get, 5 * MS);
	send_seg(h->p, &c, 0, PNE_TCP_RST | PNE_TCP_ACK, NULL, 6 * MS);
	assert_int_equal(st->state_bytes, 0);
	assert_int_equal(pne_pipe_flow_count(h->p), 2);

	/* both FINs seen but a hole before the client's (the GET is late:
	 * the server hasn't acknowledged it): the tracker closes only when
	 * the hole fills, on a segment without a FIN */
	c = (struct conn){ 0, 40002, 80, 1000, 5000 };
	handshake(h->p, &c, 7 * MS);
	lost = c;
	c.cseq += (uint32_t)strlen(get);                /* the GET comes later */
	send_seg(h->p, &c, 1, PNE_TCP_FIN | PNE_TCP_ACK, NULL, 7 * MS);
	srv = c;
	srv.cseq = lost.cseq;
	send_seg(h->p, &srv, 0, PNE_TCP_FIN | PNE_TCP_ACK, NULL, 7 * MS);
	assert_int_equal(st->state_bytes, hs);
	send_seg(h->p, &lost, 1, PNE_TCP_ACK | PNE_TCP_PSH, get, 8 * MS);
	assert_int_equal(st->state_bytes, 0);
	assert_int_equal(h->adus, 3);                   /* the late GET was framed */
	assert_int_equal(st->state_bytes_pooled, hs);
	assert_int_equal(st->state_bytes_peak, hs);     /* never two at once */

	/* the same, but the server acknowledges the GET: it reached the
	 * server and the capture missed it, so it is lost at once and the
	 * server's FIN releases the state */
	c = (struct conn){ 0, 40003, 80, 1000, 5000 };
	handshake(h->p, &c, 9 * MS);
	c.cseq += (uint32_t)strlen(get);
	send_seg(h->p, &c, 1, PNE_TCP_FIN | PNE_TCP_ACK, NULL, 9 * MS);
	assert_int_equal(st->state_bytes, hs);
	send_seg(h->p, &c, 0, PNE_TCP_FIN | PNE_TCP_ACK, NULL, 9 * MS);
	assert_int_equal(st->state_bytes, 0);
	assert_int_equal(h->adus, 3);                   /* nothing framed */

	pne_pipe_flush(h->p);
	assert_int_equal(h->ends, 4);
	assert_int_equal(h->ends_by[PNE_PIPE_END_FIN], 3);
	assert_int_equal(h->ends_by[PNE_PIPE_END_RST], 1);
	assert_int_equal(st->flows_tracked, 4);
	host_free(h);
}

/* Labels are formatted on demand: right for each of many flows asked
 * in turn, for a new connection in a reused entry, and for a connection
 * whose four-tuple a SYN from the other side took over. The pipeline's
 * bookkeeping before the host's bytes is 40 bytes. */
static void test_flow_labels(void **state)
{
	struct host *h = host_new(0, 1 * MS);
	struct pne_pipe_flow *f[MAXFLOWS];
	char want[PNE_FLOW_LABEL_MAX];
	struct conn c;

	(void)state;
	for (unsigned round = 0; round < 4; round++) {
		uint64_t t = 10 * MS * (round + 1);   /* the last round aged out */

		for (unsigned i = 0; i < MAXFLOWS; i++) {
			c = (struct conn){ (int)(round & 1), (uint16_t)(30000 + 100 * round + i), 80,
					   1000, 5000 };
			handshake(h->p, &c, t);
			f[i] = h->last;
			assert_int_equal((char *)pne_pipe_flow_user(f[i]) - (char *)f[i], 40);
		}
		for (unsigned k = 0; k < 3 * MAXFLOWS; k++) {
			unsigned i = (k * 5) % MAXFLOWS;
			const char *l = pne_pipe_flow_label(f[i]);

			if (round & 1)
				snprintf(want, sizeof(want), "[2001:db8::1]:%u>[2001:db8::2]:80",
					 30000 + 100 * round + i);
			else
				snprintf(want, sizeof(want), "10.0.0.1:%u>10.0.0.2:80",
					 30000 + 100 * round + i);
			assert_string_equal(l, want);
			assert_ptr_equal(pne_pipe_flow_label(f[i]), l);   /* cached */
		}
	}
	assert_int_equal(h->starts, 4 * MAXFLOWS);

	/* the server opens the closed four-tuple back towards the client:
	 * the old connection ends under its own label, the new one's client
	 * is the former server */
	pne_pipe_flush(h->p);
	c = (struct conn){ 0, 40000, 80, 1000, 5000 };
	handshake(h->p, &c, 100 * MS);
	send_seg(h->p, &c, 1, PNE_TCP_ACK | PNE_TCP_PSH, get, 100 * MS);
	closing(h->p, &c, 100 * MS);
	{
		struct conn other = { 0, 40001, 80, 1000, 5000 };

		handshake(h->p, &other, 100 * MS);   /* the cache holds another flow */
	}
	assert_int_equal(h->ends, 4 * MAXFLOWS);
	send_seg(h->p, &c, 0, PNE_TCP_SYN, NULL, 100 * MS);
	assert_int_equal(h->ends, 4 * MAXFLOWS + 1);
	assert_string_equal(h->end_label, "10.0.0.1:40000>10.0.0.2:80");
	assert_string_equal(h->label, "10.0.0.2:80>10.0.0.1:40000");
	assert_string_equal(pne_pipe_flow_label(h->last), "10.0.0.2:80>10.0.0.1:40000");
	host_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hooks_once),
		cmocka_unit_test(test_port_reuse),
		cmocka_unit_test(test_memcap),
		cmocka_unit_test(test_free_list_reuse),
		cmocka_unit_test(test_bad_conf),
		cmocka_unit_test(test_label),
		cmocka_unit_test(test_state_released_at_close),
		cmocka_unit_test(test_flow_labels),
		cmocka_unit_test(test_log_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
