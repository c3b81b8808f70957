/*
 * specs/rpc.pne against byte streams built from RFC 5531 (section 9, the
 * RPC message; section 11, record marking: a 4-byte fragment header,
 * high bit = last fragment, low 31 bits = length) and zeek's
 * nfs/nfs_base.pcap (NFSv3 over TCP).
 */
#include "spec_harness.h"

#define C2S PNE_C2S
#define S2C PNE_S2C

/* An expected ADU; UNC: one found by a resync, not yet confirmed. */
#define ADU(d, off, len, type, fields) { d, off, len, type, fields, 0, 0 }
#define UNC(d, off, len, type, fields) { d, off, len, type, fields, 1, 0 }

/*
 * A conversation piece too big to build in memory: bytes, or (data NULL)
 * n bytes of payload that the interpreter must pass over unseen (all but
 * the last, which is fed) through the fast path.
 */
struct big_piece {
	enum pne_dir dir;
	const void *data;
	uint64_t len;
};

static void big_check(const char *name, const struct big_piece *p, size_t n,
		      const struct sh_expect *exp, size_t nexp)
{
	struct sh_conv conv = { .spec = pne_builtin_spec(name) };
	struct sh_result res;
	struct sh_run run;
	int synced[2] = { 1, 1 };
	static const uint8_t zero;
	uint64_t skipped = 0;
	size_t size;
	long bad;

	assert_non_null(conv.spec);
	memset(&run, 0, sizeof(run));
	memset(&res, 0, sizeof(res));
	run.conv = &conv;
	run.res = &res;
	size = pne_interp_conn_size(conv.spec);
	run.conn = aligned_alloc(64, (size + 63) / 64 * 64);
	assert_non_null(run.conn);
	pne_interp_init(run.conn, conv.spec, NULL, synced);
	for (size_t i = 0; i < n; i++) {
		if (p[i].data != NULL) {
			assert_int_equal(pne_interp_feed(run.conn, p[i].dir, p[i].data,
							 (size_t)p[i].len, sh_on_adu, &run),
					 p[i].len);
			continue;
		}
		/* skippable() stops one byte short of a skip's end: that byte
		 * is fed, so the operations after the skip run in a feed */
		assert_true(p[i].len > 0);
		assert_int_equal(pne_interp_skippable(run.conn, p[i].dir), p[i].len - 1);
		pne_interp_advance(run.conn, p[i].dir, p[i].len - 1);
		skipped += p[i].len - 1;
		assert_int_equal(pne_interp_feed(run.conn, p[i].dir, &zero, 1, sh_on_adu, &run), 1);
	}
	pne_interp_close(run.conn, PNE_C2S, sh_on_adu, &run);
	pne_interp_close(run.conn, PNE_S2C, sh_on_adu, &run);
	res.stats = *pne_interp_stats(run.conn);
	sh_sort(&res);
	bad = sh_mismatch(&res, exp, nexp);
	if (bad >= 0 || res.bad_callback) {
		sh_print_expect(exp, nexp);
		sh_print("got", &res);
		fail_msg("ADU %ld differs from the expected list", bad);
	}
	assert_int_equal(res.stats.invalid, 0);
	assert_true(res.stats.bytes_skipped >= skipped);
	sh_result_free(&res);
	free(run.conn);
}

#define LAST 0x80000000u

static size_t put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return 4;
}

/* A CALL with AUTH_NULL credentials and verifier (40 bytes), then args
 * bytes of arguments, all in one fragment headed by mark | (40 + args).
 * Returns the bytes written: 4 + 40 + args. */
static size_t rpc_call(uint8_t *p, uint32_t mark, uint32_t xid, uint32_t prog,
		       uint32_t vers, uint32_t proc, size_t args)
{
	size_t n = 0;

	n += put_be32(p + n, mark | (uint32_t)(40 + args));
	n += put_be32(p + n, xid);
	n += put_be32(p + n, 0);     /* CALL */
	n += put_be32(p + n, 2);     /* rpcvers */
	n += put_be32(p + n, prog);
	n += put_be32(p + n, vers);
	n += put_be32(p + n, proc);
	for (int i = 0; i < 4; i++)  /* cred, verf: AUTH_NULL, length 0 */
		n += put_be32(p + n, 0);
	memset(p + n, 0x42, args);
	return n + args;
}

/* An accepted SUCCESS REPLY (24 bytes) and res bytes of results. */
static size_t rpc_reply(uint8_t *p, uint32_t xid, uint32_t stat, size_t res)
{
	size_t n = 0;

	n += put_be32(p + n, LAST | (uint32_t)(24 + res));
	n += put_be32(p + n, xid);
	n += put_be32(p + n, 1);     /* REPLY */
	n += put_be32(p + n, stat);  /* reply_stat */
	for (int i = 0; i < 3; i++)  /* verf AUTH_NULL, accept_stat SUCCESS */
		n += put_be32(p + n, 0);
	memset(p + n, 0x24, res);
	return n + res;
}

/*
 * NFSv3 NULL and GETATTR calls, the GETATTR (32 bytes of file handle)
 * sent as three fragments of 40 + 20, 8 and 4 bytes; an accepted reply
 * (4 bytes of results) and a denied one (RPC_MISMATCH 2..2).
 */
static void test_rpc_records(void **state)
{
	(void)state;
	static uint8_t c[44 + 64 + 12 + 8], s[32 + 28];
	const struct sh_msg msgs[] = {
		{ C2S, c, 44 + 30 },
		{ C2S, c + 74, sizeof(c) - 74 },
		{ S2C, s, sizeof(s) },
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 44, "CALL",
		    "{\"xid\":1,\"msg_type\":0,\"program\":100003,\"version\":3,"
		    "\"procedure\":0,\"fragments\":1}"),
		ADU(C2S, 44, 64 + 12 + 8, "CALL",
		    "{\"xid\":2,\"msg_type\":0,\"program\":100003,\"version\":3,"
		    "\"procedure\":1,\"fragments\":3}"),
		ADU(S2C, 0, 32, "REPLY",
		    "{\"xid\":1,\"msg_type\":1,\"program\":0,\"version\":0,"
		    "\"procedure\":0,\"fragments\":1}"),
		ADU(S2C, 32, 28, "REPLY", "\"xid\":2,\"msg_type\":1,"),
	};
	size_t n;

	n = rpc_call(c, LAST, 1, 100003, 3, 0, 0);
	/* first fragment: header and 20 of the 32 handle bytes */
	n += rpc_call(c + n, 0, 2, 100003, 3, 1, 20);
	n += put_be32(c + n, 8);
	memset(c + n, 0x43, 8);
	n += 8;
	n += put_be32(c + n, LAST | 4);
	memset(c + n, 0x44, 4);
	n += 4;
	assert_int_equal(n, sizeof(c));
	n = rpc_reply(s, 1, 0, 4);
	/* MSG_DENIED, RPC_MISMATCH, low 2, high 2: 24 bytes */
	n += put_be32(s + n, LAST | 24);
	n += put_be32(s + n, 2);
	n += put_be32(s + n, 1);
	n += put_be32(s + n, 1);
	n += put_be32(s + n, 0);
	n += put_be32(s + n, 2);
	n += put_be32(s + n, 2);
	assert_int_equal(n, sizeof(s));
	sh_check("rpc", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

/*
 * A 1 MiB NFS WRITE in one fragment, and a 4 MiB READ reply in four 1 MiB
 * fragments: only the headers are examined.
 */
static void test_rpc_large(void **state)
{
	(void)state;
	static uint8_t call[28], reply[16], frag[3][4];
	const struct big_piece p[] = {
		{ C2S, call, sizeof(call) },
		{ C2S, NULL, 40 + (1 << 20) - 24 },
		{ S2C, reply, sizeof(reply) },
		{ S2C, NULL, (1 << 20) - 12 },
		{ S2C, frag[0], 4 },
		{ S2C, NULL, 1 << 20 },
		{ S2C, frag[1], 4 },
		{ S2C, NULL, 1 << 20 },
		{ S2C, frag[2], 4 },
		{ S2C, NULL, 1 << 20 },
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 4 + 40 + (1 << 20), "CALL",
		    "{\"xid\":9,\"msg_type\":0,\"program\":100003,\"version\":3,"
		    "\"procedure\":7,\"fragments\":1}"),
		ADU(S2C, 0, 4 * (4 + (1 << 20)), "REPLY",
		    "{\"xid\":9,\"msg_type\":1,\"program\":0,\"version\":0,"
		    "\"procedure\":0,\"fragments\":4}"),
	};
	uint8_t tmp[44];

	rpc_call(tmp, LAST, 9, 100003, 3, 7, 0);
	put_be32(tmp, LAST | (40 + (1 << 20)));
	memcpy(call, tmp, sizeof(call));
	put_be32(reply, 1 << 20);
	put_be32(reply + 4, 9);
	put_be32(reply + 8, 1);
	put_be32(reply + 12, 0);
	put_be32(frag[0], 1 << 20);
	put_be32(frag[1], 1 << 20);
	put_be32(frag[2], LAST | (1 << 20));
	big_check("rpc", p, SH_NELEM(p), exp, SH_NELEM(exp));
}

/*
 * A CALL whose msg_type is 2 and a REPLY whose reply_stat is 5: each
 * fails the leading test, so the scan restarts at its second byte; no
 * candidate inside the bad record (its header, then 0xff / 0xee bytes)
 * passes, so resync confirms three records from the next one.
 */
static void test_rpc_resync(void **state)
{
	(void)state;
	static uint8_t c[44 + 28 + 4 * 44], s[28 + 4 * 28];
	const struct sh_msg msgs[] = {
		{ C2S, c, sizeof(c) },
		{ S2C, s, sizeof(s) },
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 44, "CALL", "\"xid\":287454020,"),
		UNC(C2S, 72, 44, "CALL", "\"xid\":287454022,"),
		UNC(C2S, 116, 44, "CALL", "\"xid\":287454023,"),
		UNC(C2S, 160, 44, "CALL", "\"xid\":287454024,"),
		ADU(C2S, 204, 44, "CALL", "\"xid\":287454025,"),
		UNC(S2C, 28, 28, "REPLY", "\"xid\":287454022,"),
		UNC(S2C, 56, 28, "REPLY", "\"xid\":287454023,"),
		UNC(S2C, 84, 28, "REPLY", "\"xid\":287454024,"),
		ADU(S2C, 112, 28, "REPLY", "\"xid\":287454025,"),
	};
	struct sh_conv conv = { .spec = pne_builtin_spec("rpc"), .msgs = msgs,
				.nmsgs = SH_NELEM(msgs) };
	struct sh_result res;
	size_t n;

	n = rpc_call(c, LAST, 0x11223344, 100003, 3, 0, 0);
	n += put_be32(c + n, LAST | 24);
	n += put_be32(c + n, 0x11223345);
	n += put_be32(c + n, 2);              /* msg_type 2: invalid */
	n += put_be32(c + n, 2);
	memset(c + n, 0xff, 12);
	n += 12;
	for (uint32_t x = 0x11223346; x <= 0x11223349; x++)
		n += rpc_call(c + n, LAST, x, 100003, 3, 0, 0);
	assert_int_equal(n, sizeof(c));
	n = rpc_reply(s, 0x11223344, 5, 0);   /* reply_stat 5: invalid */
	memset(s + 16, 0xee, 12);
	for (uint32_t x = 0x11223346; x <= 0x11223349; x++)
		n += rpc_reply(s + n, x, 0, 0);
	assert_int_equal(n, sizeof(s));
	sh_check_conv(&conv, exp, SH_NELEM(exp), &res);
	assert_int_equal(res.stats.invalid, 2);
	assert_int_equal(res.stats.resyncs, 2);
	sh_result_free(&res);
}

/*
 * zeek's nfs/nfs_base.pcap, TCP stream 1, its first 20 messages as
 * tshark's "follow,tcp,raw" shows them: NFSv3 calls (NULL, FSINFO,
 * PATHCONF, GETATTR, ACCESS, READDIRPLUS, LOOKUP, READ) and replies, one
 * record each. The expected list follows tshark's rpc.fraglen, rpc.xid,
 * rpc.msgtyp, rpc.program, rpc.programversion and rpc.procedure (the
 * spec reports the last three for calls only).
 */
static void test_rpc_zeek_nfs(void **state)
{
	(void)state;
	static const struct sh_msg msgs[] = {
		SH_C2S("\x80\x00\x00\x28\xf6\x1f\x87\xdc\x00\x00\x00\x00\x00\x00\x00\x02"
		       "\x00\x01\x86\xa3\x00\x00\x00\x03\x00\x00\x00\x00\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"),   /* 44 */
		SH_S2C("\x80\x00\x00\x18\xf6\x1f\x87\xdc\x00\x00\x00\x01\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"),   /* 28 */
		SH_C2S("\x80\x00\x00\x70\xf7\x1f\x87\xdc\x00\x00\x00\x00\x00\x00\x00\x02"
		       "\x00\x01\x86\xa3\x00\x00\x00\x03\x00\x00\x00\x13\x00\x00\x00\x01"
		       "\x00\x00\x00\x30\x01\x23\x1c\xc5\x00\x00\x00\x0b\x70\x64\x64\x65"
		       "\x76\x62\x61\x6c\x38\x30\x32\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		       "\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00\x00\x05\x00\x00\x00\x0a"
		       "\x00\x00\x00\x18\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x14"
		       "\x01\x00\x06\x00\xea\x2c\xbb\x4a\x9e\xf7\x49\x95\xa5\x36\x56\x28"
		       "\xce\xda\x60\xa2"),   /* 116 */
		SH_S2C("\x80\x00\x00\x50\xf7\x1f\x87\xdc\x00\x00\x00\x01\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x10\x00\x00\x00\x10\x00\x00\x00\x00\x10\x00"
		       "\x00\x10\x00\x00\x00\x10\x00\x00\x00\x00\x10\x00\x00\x00\x10\x00"
		       "\x7f\xff\xff\xff\xff\xff\xff\xff\x00\x00\x00\x01\x00\x00\x00\x00"
		       "\x00\x00\x00\x1b"),   /* 84 */
		SH_C2S("\x80\x00\x00\x70\xf8\x1f\x87\xdc\x00\x00\x00\x00\x00\x00\x00\x02"
		       "\x00\x01\x86\xa3\x00\x00\x00\x03\x00\x00\x00\x14\x00\x00\x00\x01"
		       "\x00\x00\x00\x30\x01\x23\x1c\xc5\x00\x00\x00\x0b\x70\x64\x64\x65"
		       "\x76\x62\x61\x6c\x38\x30\x32\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		       "\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00\x00\x05\x00\x00\x00\x0a"
		       "\x00\x00\x00\x18\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x14"
		       "\x01\x00\x06\x00\xea\x2c\xbb\x4a\x9e\xf7\x49\x95\xa5\x36\x56\x28"
		       "\xce\xda\x60\xa2"),   /* 116 */
		SH_S2C("\x80\x00\x00\x38\xf8\x1f\x87\xdc\x00\x00\x00\x01\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\xff\x00\x00\x00\xff\x00\x00\x00\x00"
		       "\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01"),   /* 60 */
		SH_C2S("\x80\x00\x00\x70\xf9\x1f\x87\xdc\x00\x00\x00\x00\x00\x00\x00\x02"
		       "\x00\x01\x86\xa3\x00\x00\x00\x03\x00\x00\x00\x01\x00\x00\x00\x01"
		       "\x00\x00\x00\x30\x01\x23\x1c\xc5\x00\x00\x00\x0b\x70\x64\x64\x65"
		       "\x76\x62\x61\x6c\x38\x30\x32\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		       "\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00\x00\x05\x00\x00\x00\x0a"
		       "\x00\x00\x00\x18\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x14"
		       "\x01\x00\x06\x00\xea\x2c\xbb\x4a\x9e\xf7\x49\x95\xa5\x36\x56\x28"
		       "\xce\xda\x60\xa2"),   /* 116 */
		SH_S2C("\x80\x00\x00\x70\xf9\x1f\x87\xdc\x00\x00\x00\x01\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		       "\x00\x00\x00\x02\x00\x00\x43\xff\x00\x00\x00\x0f\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x10\x00\x00\x00\x00\x00"
		       "\x00\x00\x10\x00\x00\x00\x00\x00\x00\x00\x00\x00\x37\x29\x2d\x50"
		       "\x62\xed\x1a\x4f\x00\x00\x00\x00\x00\x00\x00\x80\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x5a\x46\x79\x9c\x23\x52\xa7\x3b\x5a\x46\x79\x9c"
		       "\x23\x52\xa7\x3b"),   /* 116 */
		SH_C2S("\x80\x00\x00\x70\xfa\x1f\x87\xdc\x00\x00\x00\x00\x00\x00\x00\x02"
		       "\x00\x01\x86\xa3\x00\x00\x00\x03\x00\x00\x00\x13\x00\x00\x00\x01"
		       "\x00\x00\x00\x30\x01\x23\x1c\xc5\x00\x00\x00\x0b\x70\x64\x64\x65"
		       "\x76\x62\x61\x6c\x38\x30\x32\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		       "\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00\x00\x05\x00\x00\x00\x0a"
		       "\x00\x00\x00\x18\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x14"
		       "\x01\x00\x06\x00\xea\x2c\xbb\x4a\x9e\xf7\x49\x95\xa5\x36\x56\x28"
		       "\xce\xda\x60\xa2"),   /* 116 */
		SH_S2C("\x80\x00\x00\x50\xfa\x1f\x87\xdc\x00\x00\x00\x01\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x10\x00\x00\x00\x10\x00\x00\x00\x00\x10\x00"
		       "\x00\x10\x00\x00\x00\x10\x00\x00\x00\x00\x10\x00\x00\x00\x10\x00"
		       "\x7f\xff\xff\xff\xff\xff\xff\xff\x00\x00\x00\x01\x00\x00\x00\x00"
		       "\x00\x00\x00\x1b"),   /* 84 */
		SH_C2S("\x80\x00\x00\x70\xfb\x1f\x87\xdc\x00\x00\x00\x00\x00\x00\x00\x02"
		       "\x00\x01\x86\xa3\x00\x00\x00\x03\x00\x00\x00\x01\x00\x00\x00\x01"
		       "\x00\x00\x00\x30\x01\x23\x1c\xc5\x00\x00\x00\x0b\x70\x64\x64\x65"
		       "\x76\x62\x61\x6c\x38\x30\x32\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		       "\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00\x00\x05\x00\x00\x00\x0a"
		       "\x00\x00\x00\x18\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x14"
		       "\x01\x00\x06\x00\xea\x2c\xbb\x4a\x9e\xf7\x49\x95\xa5\x36\x56\x28"
		       "\xce\xda\x60\xa2"),   /* 116 */
		SH_S2C("\x80\x00\x00\x70\xfb\x1f\x87\xdc\x00\x00\x00\x01\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		       "\x00\x00\x00\x02\x00\x00\x43\xff\x00\x00\x00\x0f\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x10\x00\x00\x00\x00\x00"
		       "\x00\x00\x10\x00\x00\x00\x00\x00\x00\x00\x00\x00\x37\x29\x2d\x50"
		       "\x62\xed\x1a\x4f\x00\x00\x00\x00\x00\x00\x00\x80\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x5a\x46\x79\x9c\x23\x52\xa7\x3b\x5a\x46\x79\x9c"
		       "\x23\x52\xa7\x3b"),   /* 116 */
		SH_C2S("\x80\x00\x00\x74\xfc\x1f\x87\xdc\x00\x00\x00\x00\x00\x00\x00\x02"
		       "\x00\x01\x86\xa3\x00\x00\x00\x03\x00\x00\x00\x04\x00\x00\x00\x01"
		       "\x00\x00\x00\x30\x01\x23\x1c\xc5\x00\x00\x00\x0b\x70\x64\x64\x65"
		       "\x76\x62\x61\x6c\x38\x30\x32\x00\x00\x00\x0c\x35\x00\x00\x00\xc8"
		       "\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00\x00\x0a\x00\x00\x00\x18"
		       "\x00\x00\x00\xc8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x14"
		       "\x01\x00\x06\x00\xea\x2c\xbb\x4a\x9e\xf7\x49\x95\xa5\x36\x56\x28"
		       "\xce\xda\x60\xa2\x00\x00\x00\x1f"),   /* 120 */
		SH_S2C("\x80\x00\x00\x78\xfc\x1f\x87\xdc\x00\x00\x00\x01\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		       "\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x43\xff\x00\x00\x00\x0f"
		       "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x10\x00"
		       "\x00\x00\x00\x00\x00\x00\x10\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		       "\x37\x29\x2d\x50\x62\xed\x1a\x4f\x00\x00\x00\x00\x00\x00\x00\x80"
		       "\x00\x00\x00\x00\x00\x00\x00\x00\x5a\x46\x79\x9c\x23\x52\xa7\x3b"
		       "\x5a\x46\x79\x9c\x23\x52\xa7\x3b\x00\x00\x00\x1f"),   /* 124 */
		SH_C2S("\x80\x00\x00\x98\xfd\x1f\x87\xdc\x00\x00\x00\x00\x00\x00\x00\x02"
		       "\x00\x01\x86\xa3\x00\x00\x00\x03\x00\x00\x00\x09\x00\x00\x00\x01"
		       "\x00\x00\x00\x30\x01\x23\x1c\xc5\x00\x00\x00\x0b\x70\x64\x64\x65"
		       "\x76\x62\x61\x6c\x38\x30\x32\x00\x00\x00\x0c\x35\x00\x00\x00\xc8"
		       "\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00\x00\x0a\x00\x00\x00\x18"
		       "\x00\x00\x00\xc8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x14"
		       "\x01\x00\x06\x00\xea\x2c\xbb\x4a\x9e\xf7\x49\x95\xa5\x36\x56\x28"
		       "\xce\xda\x60\xa2\x00\x00\x00\x07\x62\x72\x6f\x2d\x6e\x66\x73\x00"
		       "\x00\x00\x00\x01\x00\x00\x01\xed\x00\x00\x00\x00\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"),   /* 156 */
		SH_S2C("\x80\x00\x01\x10\xfd\x1f\x87\xdc\x00\x00\x00\x01\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		       "\x00\x00\x00\x01\x00\x00\x00\x20\x01\x00\x06\x81\xea\x2c\xbb\x4a"
		       "\x9e\xf7\x49\x95\xa5\x36\x56\x28\xce\xda\x60\xa2\xf7\xdf\xa3\x40"
		       "\x00\x00\x00\x00\x1a\x35\x6e\x66\x00\x00\x00\x01\x00\x00\x00\x02"
		       "\x00\x00\x41\xed\x00\x00\x00\x02\x00\x00\x0c\x35\x00\x00\x00\xc8"
		       "\x00\x00\x00\x00\x00\x00\x00\x06\x00\x00\x00\x00\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x00\x37\x29\x2d\x50\x62\xed\x1a\x4f"
		       "\x00\x00\x00\x00\x40\xa3\xdf\xf7\x5a\x46\x79\xc3\x25\x46\xa5\xbd"
		       "\x5a\x46\x79\xc3\x25\x46\xa5\xbd\x5a\x46\x79\xc3\x25\x46\xa5\xbd"
		       "\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x10\x00\x5a\x46\x79\x9c"
		       "\x23\x52\xa7\x3b\x5a\x46\x79\x9c\x23\x52\xa7\x3b\x00\x00\x00\x01"
		       "\x00\x00\x00\x02\x00\x00\x43\xff\x00\x00\x00\x10\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x10\x00\x00\x00\x00\x00"
		       "\x00\x00\x10\x00\x00\x00\x00\x00\x00\x00\x00\x00\x37\x29\x2d\x50"
		       "\x62\xed\x1a\x4f\x00\x00\x00\x00\x00\x00\x00\x80\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x5a\x46\x79\xc3\x25\x46\xa5\xbd\x5a\x46\x79\xc3"
		       "\x25\x46\xa5\xbd"),   /* 276 */
		SH_C2S("\x80\x00\x00\x80\xfe\x1f\x87\xdc\x00\x00\x00\x00\x00\x00\x00\x02"
		       "\x00\x01\x86\xa3\x00\x00\x00\x03\x00\x00\x00\x04\x00\x00\x00\x01"
		       "\x00\x00\x00\x30\x01\x23\x1c\xc5\x00\x00\x00\x0b\x70\x64\x64\x65"
		       "\x76\x62\x61\x6c\x38\x30\x32\x00\x00\x00\x0c\x35\x00\x00\x00\xc8"
		       "\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00\x00\x0a\x00\x00\x00\x18"
		       "\x00\x00\x00\xc8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x20"
		       "\x01\x00\x06\x81\xea\x2c\xbb\x4a\x9e\xf7\x49\x95\xa5\x36\x56\x28"
		       "\xce\xda\x60\xa2\xf7\xdf\xa3\x40\x00\x00\x00\x00\x1a\x35\x6e\x66"
		       "\x00\x00\x00\x1f"),   /* 132 */
		SH_S2C("\x80\x00\x00\x78\xfe\x1f\x87\xdc\x00\x00\x00\x01\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		       "\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x41\xed\x00\x00\x00\x02"
		       "\x00\x00\x0c\x35\x00\x00\x00\xc8\x00\x00\x00\x00\x00\x00\x00\x06"
		       "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		       "\x37\x29\x2d\x50\x62\xed\x1a\x4f\x00\x00\x00\x00\x40\xa3\xdf\xf7"
		       "\x5a\x46\x79\xc3\x25\x46\xa5\xbd\x5a\x46\x79\xc3\x25\x46\xa5\xbd"
		       "\x5a\x46\x79\xc3\x25\x46\xa5\xbd\x00\x00\x00\x1f"),   /* 124 */
		SH_C2S("\x80\x00\x00\x88\xff\x1f\x87\xdc\x00\x00\x00\x00\x00\x00\x00\x02"
		       "\x00\x01\x86\xa3\x00\x00\x00\x03\x00\x00\x00\x03\x00\x00\x00\x01"
		       "\x00\x00\x00\x30\x01\x23\x1c\xc5\x00\x00\x00\x0b\x70\x64\x64\x65"
		       "\x76\x62\x61\x6c\x38\x30\x32\x00\x00\x00\x0c\x35\x00\x00\x00\xc8"
		       "\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00\x00\x0a\x00\x00\x00\x18"
		       "\x00\x00\x00\xc8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x20"
		       "\x01\x00\x06\x81\xea\x2c\xbb\x4a\x9e\xf7\x49\x95\xa5\x36\x56\x28"
		       "\xce\xda\x60\xa2\xf7\xdf\xa3\x40\x00\x00\x00\x00\x1a\x35\x6e\x66"
		       "\x00\x00\x00\x08\x74\x65\x73\x74\x66\x69\x6c\x65"),   /* 140 */
		SH_S2C("\x80\x00\x00\x74\xff\x1f\x87\xdc\x00\x00\x00\x01\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02"
		       "\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x41\xed\x00\x00\x00\x02"
		       "\x00\x00\x0c\x35\x00\x00\x00\xc8\x00\x00\x00\x00\x00\x00\x00\x06"
		       "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		       "\x37\x29\x2d\x50\x62\xed\x1a\x4f\x00\x00\x00\x00\x40\xa3\xdf\xf7"
		       "\x5a\x46\x79\xc3\x25\x46\xa5\xbd\x5a\x46\x79\xc3\x25\x46\xa5\xbd"
		       "\x5a\x46\x79\xc3\x25\x46\xa5\xbd"),   /* 120 */
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 44, "CALL",
		    "{\"xid\":4129261532,\"msg_type\":0,\"program\":100003,\"version\":3,\"procedure\":0,\"fragments\":1}"),
		ADU(C2S, 44, 116, "CALL",
		    "{\"xid\":4146038748,\"msg_type\":0,\"program\":100003,\"version\":3,\"procedure\":19,\"fragments\":1}"),
		ADU(C2S, 160, 116, "CALL",
		    "{\"xid\":4162815964,\"msg_type\":0,\"program\":100003,\"version\":3,\"procedure\":20,\"fragments\":1}"),
		ADU(C2S, 276, 116, "CALL",
		    "{\"xid\":4179593180,\"msg_type\":0,\"program\":100003,\"version\":3,\"procedure\":1,\"fragments\":1}"),
		ADU(C2S, 392, 116, "CALL",
		    "{\"xid\":4196370396,\"msg_type\":0,\"program\":100003,\"version\":3,\"procedure\":19,\"fragments\":1}"),
		ADU(C2S, 508, 116, "CALL",
		    "{\"xid\":4213147612,\"msg_type\":0,\"program\":100003,\"version\":3,\"procedure\":1,\"fragments\":1}"),
		ADU(C2S, 624, 120, "CALL",
		    "{\"xid\":4229924828,\"msg_type\":0,\"program\":100003,\"version\":3,\"procedure\":4,\"fragments\":1}"),
		ADU(C2S, 744, 156, "CALL",
		    "{\"xid\":4246702044,\"msg_type\":0,\"program\":100003,\"version\":3,\"procedure\":9,\"fragments\":1}"),
		ADU(C2S, 900, 132, "CALL",
		    "{\"xid\":4263479260,\"msg_type\":0,\"program\":100003,\"version\":3,\"procedure\":4,\"fragments\":1}"),
		ADU(C2S, 1032, 140, "CALL",
		    "{\"xid\":4280256476,\"msg_type\":0,\"program\":100003,\"version\":3,\"procedure\":3,\"fragments\":1}"),
		ADU(S2C, 0, 28, "REPLY",
		    "{\"xid\":4129261532,\"msg_type\":1,\"program\":0,\"version\":0,\"procedure\":0,\"fragments\":1}"),
		ADU(S2C, 28, 84, "REPLY",
		    "{\"xid\":4146038748,\"msg_type\":1,\"program\":0,\"version\":0,\"procedure\":0,\"fragments\":1}"),
		ADU(S2C, 112, 60, "REPLY",
		    "{\"xid\":4162815964,\"msg_type\":1,\"program\":0,\"version\":0,\"procedure\":0,\"fragments\":1}"),
		ADU(S2C, 172, 116, "REPLY",
		    "{\"xid\":4179593180,\"msg_type\":1,\"program\":0,\"version\":0,\"procedure\":0,\"fragments\":1}"),
		ADU(S2C, 288, 84, "REPLY",
		    "{\"xid\":4196370396,\"msg_type\":1,\"program\":0,\"version\":0,\"procedure\":0,\"fragments\":1}"),
		ADU(S2C, 372, 116, "REPLY",
		    "{\"xid\":4213147612,\"msg_type\":1,\"program\":0,\"version\":0,\"procedure\":0,\"fragments\":1}"),
		ADU(S2C, 488, 124, "REPLY",
		    "{\"xid\":4229924828,\"msg_type\":1,\"program\":0,\"version\":0,\"procedure\":0,\"fragments\":1}"),
		ADU(S2C, 612, 276, "REPLY",
		    "{\"xid\":4246702044,\"msg_type\":1,\"program\":0,\"version\":0,\"procedure\":0,\"fragments\":1}"),
		ADU(S2C, 888, 124, "REPLY",
		    "{\"xid\":4263479260,\"msg_type\":1,\"program\":0,\"version\":0,\"procedure\":0,\"fragments\":1}"),
		ADU(S2C, 1012, 120, "REPLY",
		    "{\"xid\":4280256476,\"msg_type\":1,\"program\":0,\"version\":0,\"procedure\":0,\"fragments\":1}"),
	};

	sh_check("rpc", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rpc_records),
		cmocka_unit_test(test_rpc_large),
		cmocka_unit_test(test_rpc_resync),
		cmocka_unit_test(test_rpc_zeek_nfs),
	};

	return cmocka_run_group_tests_name("spec_rpc", tests, NULL, NULL);
}
