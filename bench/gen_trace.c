/*
 * gen_trace: a deterministic synthetic capture for the scaling benchmarks
 * (bench/README.md, "Scaling").
 *
 *   gen_trace [--proto http|iscsi] [--flows N] [--concurrent C]
 *             [--adus K] [--adu-size S] [--ooo PCT] [--ack-every A]
 *             [--seed X] -o FILE
 *
 * N TCP connections (default 1), run C at a time (default all N): the C
 * connections of a batch are opened together, then take turns packet by
 * packet (round robin), then close together, so C connections are open
 * at once. Each connection is a real exchange, byte-exact for PNE's
 * specs, tshark and any reassembler:
 *
 *   three-way handshake (no TCP options), then
 *   iscsi: a Login Request / Login Response (no digests, full feature
 *          phase at once), then K times a SCSI Command (READ(10), 48 B)
 *          answered by one Data-In PDU of S bytes (48-byte BHS, status
 *          in it: F and S bits), S a multiple of 4, S >= 52;
 *   http:  K times a GET (45 B) answered by a response of S bytes in all
 *          ("HTTP/1.1 200 OK", a 10-digit Content-Length, the body),
 *          S >= 47, on one keep-alive connection;
 *   then FIN, FIN, ACK.
 *
 * Frames are Ethernet + IPv4 + TCP with correct checksums, at most one
 * 1,460-byte MSS of payload (1,514-byte frames: a 1,500-byte MTU). The
 * receiver of a data stretch sends a pure ACK after every A of its
 * peer's data segments (default 2, delayed ACKs). --ooo PCT swaps
 * adjacent data segments of one direction: before each segment that has
 * a successor in the same ADU, with probability PCT %, the successor is
 * sent first. The choice comes from a per-connection splitmix64 stream
 * seeded by --seed and the connection's number, so the same arguments
 * always give the same file, byte for byte. Timestamps start at
 * 2024-01-01 and advance 1 us per frame.
 *
 * On stdout, one JSON object describes the trace: frames, payload
 * frames, ADUs per direction, the payload frames that carry at least
 * one header byte of an ADU ("min_examined": the fewest a tracker can
 * examine, as bench/min_examined.py counts them), and more. The smoke
 * test (tests/bench/) checks pne-replay against it.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MSS           1460
#define HDR_LEN       54          /* Ethernet 14 + IPv4 20 + TCP 20 */
#define MAX_FLOWS     (1u << 26)
#define MAX_ADU_SIZE  (1u << 30)
#define TS_START      1704067200u /* 2024-01-01T00:00:00Z */

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_ACK 0x10
#define TH_PSH 0x08

enum proto { PROTO_HTTP, PROTO_ISCSI };
enum { C2S, S2C };

/* A connection's script: handshake, (login), K exchanges, close. */
enum phase {
	PH_SYN, PH_SYNACK, PH_ACK,
	PH_LOGIN_REQ, PH_LOGIN_RSP,
	PH_REQ, PH_RSP,
	PH_FIN1, PH_FIN2, PH_LASTACK,
	PH_DONE
};

struct gflow {
	uint64_t rng;
	uint64_t sent[2];       /* stream bytes sent (offset of the next) */
	uint64_t contig[2];     /* bytes the receiver has without a hole */
	uint32_t isn[2];
	uint32_t exch;          /* exchanges done */
	uint32_t adu_off;       /* bytes of the current ADU sent */
	uint32_t pend_off, pend_len;   /* held segment (a swap), len 0: none */
	uint32_t segs;          /* data segments of the current ADU sent */
	uint8_t phase, ack_due;
};

struct gen {
	enum proto proto;
	uint32_t flows, concurrent, adus, adu_size, ack_every;
	double ooo;             /* probability, 0..1 */
	uint64_t seed;
	FILE *out;
	uint64_t ts_us;
	uint8_t pattern[4096];
	/* what the trace holds */
	uint64_t frames, payload_frames, header_frames, wire_bytes, payload_bytes;
	uint64_t adus_dir[2], swaps, peak_open;
};

static void die(const char *msg)
{
	fprintf(stderr, "gen_trace: %s\n", msg);
	exit(1);
}

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static void put32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* RFC 1071 ones' complement sum, not yet folded. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (; n > 1; p += 2, n -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (n)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* ---- ADUs: the bytes of each direction's stream ---- */

#define LOGIN_TEXT "HeaderDigest=None\0DataDigest=None\0"
#define LOGIN_TEXT_LEN 36   /* 34 bytes padded to 4 */
#define HTTP_REQ_LEN 45
#define HTTP_RSP_HEAD 47

/* Length of the ADU a phase sends, and how many of its first bytes are
 * header (what a spec parses; the rest, body data, can be skipped). */
static uint32_t adu_len(const struct gen *g, enum phase ph, uint32_t *head)
{
	uint32_t n;

	switch (ph) {
	case PH_LOGIN_REQ:
	case PH_LOGIN_RSP:
		n = 48 + LOGIN_TEXT_LEN;
		*head = n;          /* the login text is parsed too */
		return n;
	case PH_REQ:
		n = g->proto == PROTO_HTTP ? HTTP_REQ_LEN : 48;
		*head = n;
		return n;
	default:                    /* PH_RSP */
		*head = g->proto == PROTO_HTTP ? HTTP_RSP_HEAD : 48;
		return g->adu_size;
	}
}

/* An iSCSI BHS: opcode, flags, DataSegmentLength, ITT and the two
 * sequence numbers at bytes 24 and 28 (CmdSN/ExpStatSN from the
 * initiator, StatSN/ExpCmdSN from the target). */
static void iscsi_bhs(uint8_t *b, uint8_t op, uint8_t flags, uint32_t dsl, uint32_t itt,
		      uint32_t sn24, uint32_t sn28)
{
	memset(b, 0, 48);
	b[0] = op;
	b[1] = flags;
	b[5] = (uint8_t)(dsl >> 16);
	put16(b + 6, dsl);
	put32(b + 16, itt);
	put32(b + 24, sn24);
	put32(b + 28, sn28);
}

/* The header bytes of the current ADU of f in phase ph into h (<= 96
 * bytes); returns how many. */
static uint32_t adu_head(const struct gen *g, const struct gflow *f, enum phase ph,
			 uint8_t *h)
{
	uint32_t k = f->exch, body = g->adu_size - 48;
	char s[96];

	switch (ph) {
	case PH_LOGIN_REQ:
	case PH_LOGIN_RSP:
		/* T bit, CSG 1 (operational), NSG 3 (full feature phase) */
		iscsi_bhs(h, ph == PH_LOGIN_REQ ? 0x43 : 0x23, 0x87, 34, 0, 1, 1);
		h[8] = 0x40;                /* ISID: random type */
		if (ph == PH_LOGIN_RSP)
			put32(h + 32, 2);   /* MaxCmdSN */
		memcpy(h + 48, LOGIN_TEXT, 34);
		memset(h + 82, 0, 2);
		return 48 + LOGIN_TEXT_LEN;
	case PH_REQ:
		if (g->proto == PROTO_HTTP) {
			snprintf(s, sizeof(s), "GET /bench/%08" PRIx32 " HTTP/1.1\r\n"
				 "Host: bench\r\n\r\n", k);
			memcpy(h, s, HTTP_REQ_LEN);
			return HTTP_REQ_LEN;
		}
		iscsi_bhs(h, 0x01, 0xc0, 0, k + 1, k + 1, k + 1);  /* F, R */
		put32(h + 20, body);                              /* EDTL */
		h[32] = 0x28;                                     /* READ(10) */
		put32(h + 34, k * (body / 512 + 1));              /* LBA */
		put16(h + 39, (body + 511) / 512);                /* blocks */
		return 48;
	default:
		if (g->proto == PROTO_HTTP) {
			snprintf(s, sizeof(s), "HTTP/1.1 200 OK\r\nContent-Length: %010" PRIu32
				 "\r\n\r\n", g->adu_size - HTTP_RSP_HEAD);
			memcpy(h, s, HTTP_RSP_HEAD);
			return HTTP_RSP_HEAD;
		}
		iscsi_bhs(h, 0x25, 0x81, body, k + 1, k + 2, k + 2);  /* F, S */
		put32(h + 20, 0xffffffff);                        /* TTT */
		put32(h + 32, k + 2 + 16);                        /* MaxCmdSN */
		return 48;
	}
}

/* Bytes [off, off + n) of the current ADU of f into p. */
static void adu_bytes(const struct gen *g, const struct gflow *f, enum phase ph,
		      uint32_t off, uint32_t n, uint8_t *p)
{
	uint8_t h[128];
	uint32_t hl = adu_head(g, f, ph, h);

	if (off < hl) {
		uint32_t c = hl - off < n ? hl - off : n;

		memcpy(p, h + off, c);
		off += c;
		p += c;
		n -= c;
	}
	while (n > 0) {             /* body: a repeating pattern */
		uint32_t at = off % 2048, c = n < 2048 ? n : 2048;

		memcpy(p, g->pattern + at, c);
		off += c;
		p += c;
		n -= c;
	}
}

/* ---- frames ---- */

/* Addresses: client i is 10.x.y.z (60,000 ports per address), the
 * server 192.168.0.1. */
static void flow_addr(uint32_t i, int side, uint8_t *ip, uint16_t *port)
{
	if (side == C2S) {
		uint32_t host = i / 60000 + 1;

		ip[0] = 10;
		ip[1] = (uint8_t)(host >> 16);
		ip[2] = (uint8_t)(host >> 8);
		ip[3] = (uint8_t)host;
		*port = (uint16_t)(1024 + i % 60000);
	} else {
		ip[0] = 192;
		ip[1] = 168;
		ip[2] = 0;
		ip[3] = 1;
	}
}

/* One frame of connection i from side dir, with sequence and
 * acknowledgement numbers seq and ack; header: its payload holds a
 * header byte. */
static void emit(struct gen *g, uint32_t i, int dir, uint8_t flags, uint32_t seq,
		 uint32_t ack, const uint8_t *payload, uint32_t len, int header)
{
	uint8_t fr[HDR_LEN + MSS], rec[16];
	uint8_t *ip = fr + 14, *tcp = fr + 34;
	uint8_t cip[4], sip[4];
	uint16_t cport, sport = g->proto == PROTO_HTTP ? 80 : 3260;
	uint32_t sum;

	flow_addr(i, C2S, cip, &cport);
	flow_addr(i, S2C, sip, NULL);
	memset(fr, 0, HDR_LEN);
	/* Ethernet: locally administered MACs, client 02:00:.., server 02:01:.. */
	fr[0] = fr[6] = 0x02;
	fr[dir == C2S ? 1 : 7] = 0x01;
	put16(fr + 12, 0x0800);
	ip[0] = 0x45;
	put16(ip + 2, 40 + len);
	put16(ip + 6, 0x4000);      /* DF */
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, dir == C2S ? cip : sip, 4);
	memcpy(ip + 16, dir == C2S ? sip : cip, 4);
	put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
	put16(tcp, dir == C2S ? cport : sport);
	put16(tcp + 2, dir == C2S ? sport : cport);
	put32(tcp + 4, seq);
	put32(tcp + 8, (flags & TH_ACK) ? ack : 0);
	tcp[12] = 5 << 4;
	tcp[13] = flags;
	put16(tcp + 14, 65535);
	if (len)
		memcpy(tcp + 20, payload, len);
	sum = csum_add(0, ip + 12, 8);          /* pseudo-header */
	sum += 6 + 20 + len;
	sum = csum_add(sum, tcp, 20 + len);
	put16(tcp + 16, csum_fold(sum));
	put32le(rec, (uint32_t)(TS_START + g->ts_us / 1000000));
	put32le(rec + 4, (uint32_t)(g->ts_us % 1000000));
	put32le(rec + 8, HDR_LEN + len);
	put32le(rec + 12, HDR_LEN + len);
	g->ts_us++;
	if (fwrite(rec, 16, 1, g->out) != 1 || fwrite(fr, HDR_LEN + len, 1, g->out) != 1)
		die("write error");
	g->frames++;
	g->wire_bytes += HDR_LEN + len;
	if (len) {
		g->payload_frames++;
		g->payload_bytes += len;
		g->header_frames += header != 0;
	}
}

static uint32_t seq_of(const struct gflow *f, int dir, uint64_t off)
{
	return (uint32_t)(f->isn[dir] + 1 + off);
}

/* A control frame (no payload) from side dir: its next sequence number,
 * acking all the peer has sent (+1 for the peer's SYN or FIN). */
static void emit_ctl(struct gen *g, uint32_t i, struct gflow *f, int dir, uint8_t flags,
		     int peer_fin)
{
	uint32_t seq = (flags & TH_SYN) ? f->isn[dir] : seq_of(f, dir, f->sent[dir]);
	uint32_t ack = seq_of(f, !dir, f->contig[!dir]) + (peer_fin ? 1 : 0);

	if (dir == S2C && (flags & TH_SYN))
		ack = f->isn[C2S] + 1;
	emit(g, i, dir, flags, seq, ack, NULL, 0, 0);
	if (flags & TH_FIN)
		f->sent[dir]++;     /* the FIN takes a sequence number */
}

/* Side that sends in a data phase. */
static int phase_dir(enum phase ph)
{
	return ph == PH_LOGIN_RSP || ph == PH_RSP ? S2C : C2S;
}

static enum phase next_data_phase(const struct gen *g, const struct gflow *f, enum phase ph)
{
	switch (ph) {
	case PH_ACK:
		if (g->proto == PROTO_ISCSI)
			return PH_LOGIN_REQ;
		return g->adus ? PH_REQ : PH_FIN1;
	case PH_LOGIN_REQ: return PH_LOGIN_RSP;
	case PH_REQ: return PH_RSP;
	default:        /* PH_LOGIN_RSP, PH_RSP: the next exchange or the end */
		return f->exch < g->adus ? PH_REQ : PH_FIN1;
	}
}

/* One data segment (or the receiver's due ACK) of the ADU being sent. */
static void data_step(struct gen *g, uint32_t i, struct gflow *f)
{
	enum phase ph = (enum phase)f->phase;
	int d = phase_dir(ph);
	uint32_t head, len = adu_len(g, ph, &head);
	uint64_t base = f->sent[d] - f->adu_off;   /* stream offset of the ADU */
	uint8_t buf[MSS];
	uint32_t off, n;

	if (f->ack_due) {           /* the receiver's delayed ACK */
		f->ack_due = 0;
		emit(g, i, !d, TH_ACK, seq_of(f, !d, f->sent[!d]), seq_of(f, d, f->contig[d]),
		     NULL, 0, 0);
		return;
	}
	if (f->pend_len) {          /* the segment held back by a swap */
		off = f->pend_off;
		n = f->pend_len;
		f->pend_len = 0;
		f->contig[d] = f->sent[d];
	} else {
		off = f->adu_off;
		n = len - off < MSS ? len - off : MSS;
		if (off + n < len && g->ooo > 0 &&
		    (double)(splitmix64(&f->rng) >> 11) * 0x1p-53 < g->ooo) {
			uint32_t n2 = len - off - n < MSS ? len - off - n : MSS;

			f->pend_off = off;
			f->pend_len = n;
			off += n;           /* the successor goes first */
			n = n2;
			f->adu_off += f->pend_len;
			f->sent[d] += f->pend_len;
			g->swaps++;
		}
		f->adu_off += n;
		f->sent[d] += n;
		if (!f->pend_len)
			f->contig[d] = f->sent[d];
	}
	adu_bytes(g, f, ph, off, n, buf);
	emit(g, i, d, TH_ACK | (off + n == len ? TH_PSH : 0), seq_of(f, d, base + off),
	     seq_of(f, !d, f->contig[!d]), buf, n, off < head);
	if (++f->segs % g->ack_every == 0)
		f->ack_due = 1;
	if (f->adu_off == len && f->pend_len == 0) {    /* the ADU is out */
		g->adus_dir[d]++;
		if (ph == PH_RSP)
			f->exch++;
		f->adu_off = 0;
		f->segs = 0;
		f->ack_due = 0;     /* the peer's next frame acks it */
		f->phase = (uint8_t)next_data_phase(g, f, ph);
	}
}

/* The next frame of connection i; returns 0 once it is closed. */
static int flow_step(struct gen *g, uint32_t i, struct gflow *f)
{
	switch (f->phase) {
	case PH_SYN:
		emit_ctl(g, i, f, C2S, TH_SYN, 0);
		f->phase = PH_SYNACK;
		return 1;
	case PH_SYNACK:
		emit_ctl(g, i, f, S2C, TH_SYN | TH_ACK, 0);
		f->phase = PH_ACK;
		return 1;
	case PH_ACK:
		emit_ctl(g, i, f, C2S, TH_ACK, 0);
		f->phase = (uint8_t)next_data_phase(g, f, PH_ACK);
		return 1;
	case PH_FIN1:
		emit_ctl(g, i, f, C2S, TH_FIN | TH_ACK, 0);
		f->phase = PH_FIN2;
		return 1;
	case PH_FIN2:
		emit_ctl(g, i, f, S2C, TH_FIN | TH_ACK, 1);
		f->phase = PH_LASTACK;
		return 1;
	case PH_LASTACK:
		f->contig[S2C] = f->sent[S2C];  /* the FIN, acked below */
		emit(g, i, C2S, TH_ACK, seq_of(f, C2S, f->sent[C2S]),
		     seq_of(f, S2C, f->sent[S2C]), NULL, 0, 0);
		f->phase = PH_DONE;
		return 1;
	case PH_DONE:
		return 0;
	default:
		data_step(g, i, f);
		return 1;
	}
}

static void flow_init(const struct gen *g, uint32_t i, struct gflow *f)
{
	memset(f, 0, sizeof(*f));
	f->rng = g->seed ^ ((uint64_t)i * 0xd1b54a32d192ed03ull);
	f->isn[C2S] = (uint32_t)splitmix64(&f->rng);
	f->isn[S2C] = (uint32_t)splitmix64(&f->rng);
	f->phase = PH_SYN;
}

/* One batch: connections first .. first + n - 1, round robin. */
static void run_batch(struct gen *g, struct gflow *fl, uint32_t first, uint32_t n)
{
	uint32_t *act = malloc((size_t)n * sizeof(*act));
	uint32_t nact = n;

	if (act == NULL)
		die("out of memory");
	for (uint32_t k = 0; k < n; k++) {
		flow_init(g, first + k, &fl[k]);
		act[k] = k;
	}
	if (n > g->peak_open)
		g->peak_open = n;
	while (nact > 0) {
		uint32_t keep = 0;

		for (uint32_t k = 0; k < nact; k++)
			if (flow_step(g, first + act[k], &fl[act[k]]) &&
			    fl[act[k]].phase != PH_DONE)
				act[keep++] = act[k];
		nact = keep;
	}
	free(act);
}

static void write_header(struct gen *g)
{
	uint8_t h[24] = { 0 };

	put32le(h, 0xa1b2c3d4);
	h[4] = 2;
	h[6] = 4;
	put32le(h + 16, 65535);     /* snaplen */
	put32le(h + 20, 1);         /* Ethernet */
	if (fwrite(h, sizeof(h), 1, g->out) != 1)
		die("write error");
}

static void usage(void)
{
	fprintf(stderr, "usage: gen_trace [--proto http|iscsi] [--flows N] [--concurrent C] "
		"[--adus K] [--adu-size S] [--ooo PCT] [--ack-every A] [--seed X] -o FILE\n");
	exit(2);
}

static uint64_t num_arg(const char *opt, const char *s, uint64_t lo, uint64_t hi)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end != '\0' || v < lo || v > hi) {
		fprintf(stderr, "gen_trace: %s: '%s' is not a number from %" PRIu64 " to %"
			PRIu64 "\n", opt, s, lo, hi);
		exit(2);
	}
	return v;
}

static void parse_args(struct gen *g, int argc, char **argv, const char **path)
{
	static const struct option opts[] = {
		{ "proto", required_argument, NULL, 'p' },
		{ "flows", required_argument, NULL, 'n' },
		{ "concurrent", required_argument, NULL, 'c' },
		{ "adus", required_argument, NULL, 'k' },
		{ "adu-size", required_argument, NULL, 's' },
		{ "ooo", required_argument, NULL, 'r' },
		{ "ack-every", required_argument, NULL, 'a' },
		{ "seed", required_argument, NULL, 'x' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (strcmp(optarg, "http") == 0)
				g->proto = PROTO_HTTP;
			else if (strcmp(optarg, "iscsi") == 0)
				g->proto = PROTO_ISCSI;
			else
				usage();
			break;
		case 'n': g->flows = (uint32_t)num_arg("--flows", optarg, 1, MAX_FLOWS); break;
		case 'c':
			g->concurrent = (uint32_t)num_arg("--concurrent", optarg, 1, MAX_FLOWS);
			break;
		case 'k': g->adus = (uint32_t)num_arg("--adus", optarg, 0, 1u << 24); break;
		case 's':
			g->adu_size = (uint32_t)num_arg("--adu-size", optarg, 47, MAX_ADU_SIZE);
			break;
		case 'a': g->ack_every = (uint32_t)num_arg("--ack-every", optarg, 1, 1000); break;
		case 'x': g->seed = num_arg("--seed", optarg, 0, UINT64_MAX); break;
		case 'o': *path = optarg; break;
		case 'r':
			g->ooo = strtod(optarg, &end) / 100.0;
			if (end == optarg || *end != '\0' || !(g->ooo >= 0 && g->ooo <= 1)) {
				fprintf(stderr, "gen_trace: --ooo: a percentage from 0 to 100\n");
				exit(2);
			}
			break;
		default: usage();
		}
	}
	if (optind != argc || *path == NULL)
		usage();
	if (g->concurrent == 0 || g->concurrent > g->flows)
		g->concurrent = g->flows;
	if (g->proto == PROTO_ISCSI && (g->adu_size < 52 || g->adu_size % 4))
		die("--adu-size: an iSCSI Data-In PDU is a multiple of 4 bytes, at least 52");
	if (g->flows > 60000u * 65000u)
		die("--flows: too many for the address plan");
}

int main(int argc, char **argv)
{
	static struct gen g = {
		.proto = PROTO_HTTP, .flows = 1, .adus = 1, .adu_size = 1024, .ack_every = 2,
		.seed = 1,
	};
	const char *path = NULL;
	struct gflow *fl;

	parse_args(&g, argc, argv, &path);
	for (unsigned k = 0; k < sizeof(g.pattern); k++)
		g.pattern[k] = (uint8_t)('a' + k % 26);
	g.out = strcmp(path, "-") == 0 ? stdout : fopen(path, "wb");
	if (g.out == NULL) {
		fprintf(stderr, "gen_trace: %s: %s\n", path, strerror(errno));
		return 1;
	}
	fl = calloc(g.concurrent, sizeof(*fl));
	if (fl == NULL)
		die("out of memory");
	write_header(&g);
	for (uint32_t first = 0; first < g.flows; first += g.concurrent)
		run_batch(&g, fl, first, g.flows - first < g.concurrent ? g.flows - first
									 : g.concurrent);
	free(fl);
	if (g.out != stdout ? fclose(g.out) != 0 : fflush(g.out) != 0)
		die("write error");
	if (g.out != stdout)
		printf("{\"proto\":\"%s\",\"flows\":%" PRIu32 ",\"concurrent\":%" PRIu32
		       ",\"adus_per_flow\":%" PRIu32 ",\"adu_size\":%" PRIu32 ",\"ooo_pct\":%g"
		       ",\"seed\":%" PRIu64 ",\"frames\":%" PRIu64 ",\"wire_bytes\":%" PRIu64
		       ",\"payload_frames\":%" PRIu64 ",\"payload_bytes\":%" PRIu64
		       ",\"adus\":%" PRIu64 ",\"adus_c2s\":%" PRIu64 ",\"adus_s2c\":%" PRIu64
		       ",\"min_examined\":%" PRIu64 ",\"swaps\":%" PRIu64 "}\n",
		       g.proto == PROTO_HTTP ? "http" : "iscsi", g.flows, g.concurrent, g.adus,
		       g.adu_size, g.ooo * 100, g.seed, g.frames, g.wire_bytes, g.payload_frames,
		       g.payload_bytes, g.adus_dir[C2S] + g.adus_dir[S2C], g.adus_dir[C2S],
		       g.adus_dir[S2C], g.header_frames, g.swaps);
	return 0;
}
