/*
 * specs/tls.pne against TLS record streams (RFC 8446 5.1, RFC 5246 6.2):
 * a TLS 1.2 handshake shaped like zeek's tls/tls1.2.pcap (record sizes
 * and versions from it, payloads filled), records split and coalesced
 * across segments, and resync after an invalid record.
 */
#include "spec_harness.h"

#define MAXMSG 4096

struct conv {
	uint8_t buf[12][MAXMSG];
	struct sh_msg msgs[12];
	size_t n;
};

static struct conv cv;

static void msg(enum pne_dir d)
{
	assert_true(cv.n < 12);
	cv.msgs[cv.n] = (struct sh_msg){ d, cv.buf[cv.n], 0 };
	cv.n++;
}

/* Append a record: 5-byte header then len bytes of filler. */
static void record(uint8_t type, uint16_t version, uint16_t len)
{
	struct sh_msg *m = &cv.msgs[cv.n - 1];
	uint8_t *p = cv.buf[cv.n - 1] + m->len;

	assert_true(m->len + 5u + len <= MAXMSG);
	p[0] = type;
	p[1] = version >> 8;
	p[2] = version;
	p[3] = len >> 8;
	p[4] = len;
	for (uint16_t i = 0; i < len; i++)
		p[5 + i] = (uint8_t)(0x30 + i % 40);
	m->len += 5u + len;
}

static void raw(const void *p, size_t len)
{
	struct sh_msg *m = &cv.msgs[cv.n - 1];

	assert_true(m->len + len <= MAXMSG);
	memcpy(cv.buf[cv.n - 1] + m->len, p, len);
	m->len += len;
}

/* Move the last k bytes of the current message to a new one. */
static void cut_last(size_t k, enum pne_dir d)
{
	struct sh_msg *m = &cv.msgs[cv.n - 1];
	const uint8_t *tail = cv.buf[cv.n - 1] + m->len - k;

	m->len -= k;
	msg(d);
	raw(tail, k);
}

#define F(t, v, l) "{\"content_type\":" #t ",\"version\":" #v ",\"length\":" #l "}"

static void check(const struct sh_expect *exp, size_t nexp, struct sh_result *res)
{
	struct sh_conv conv = { pne_builtin_spec("tls"), cv.msgs, cv.n, NULL, { 0, 0 } };

	sh_check_conv(&conv, exp, nexp, res);
}

static void test_tls12_handshake(void **state)
{
	(void)state;
	memset(&cv, 0, sizeof(cv));
	msg(PNE_C2S);
	record(22, 0x0301, 317);          /* ClientHello, record version 1.0 */
	msg(PNE_S2C);
	record(22, 0x0303, 81);           /* ServerHello */
	record(22, 0x0303, 1200);         /* Certificate (shortened) */
	record(22, 0x0303, 4);            /* ServerHelloDone */
	cut_last(5 + 4 + 100, PNE_S2C);   /* split inside the Certificate */
	msg(PNE_C2S);
	record(22, 0x0303, 262);          /* ClientKeyExchange */
	record(20, 0x0303, 1);            /* ChangeCipherSpec */
	record(22, 0x0303, 32);           /* Finished */
	msg(PNE_S2C);
	record(20, 0x0303, 1);
	record(22, 0x0303, 32);
	msg(PNE_C2S);
	record(23, 0x0303, 31);           /* application data */
	record(23, 0x0303, 17);
	cut_last(3, PNE_C2S);             /* split inside the 2nd header */
	msg(PNE_S2C);
	record(23, 0x0303, 1464);
	record(24, 0x0303, 19);           /* heartbeat (RFC 6520) */
	record(21, 0x0303, 2);            /* alert */
	msg(PNE_C2S);
	record(23, 0x0303, 0);            /* empty application data is legal */

	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 0, 322, "handshake", F(22, 769, 317)),
		SH_EXP(PNE_C2S, 322, 267, "handshake", F(22, 771, 262)),
		SH_EXP(PNE_C2S, 589, 6, "change_cipher_spec", F(20, 771, 1)),
		SH_EXP(PNE_C2S, 595, 37, "handshake", F(22, 771, 32)),
		SH_EXP(PNE_C2S, 632, 36, "application_data", F(23, 771, 31)),
		SH_EXP(PNE_C2S, 668, 22, "application_data", F(23, 771, 17)),
		SH_EXP(PNE_C2S, 690, 5, "application_data", F(23, 771, 0)),
		SH_EXP(PNE_S2C, 0, 86, "handshake", F(22, 771, 81)),
		SH_EXP(PNE_S2C, 86, 1205, "handshake", F(22, 771, 1200)),
		SH_EXP(PNE_S2C, 1291, 9, "handshake", F(22, 771, 4)),
		SH_EXP(PNE_S2C, 1300, 6, "change_cipher_spec", F(20, 771, 1)),
		SH_EXP(PNE_S2C, 1306, 37, "handshake", F(22, 771, 32)),
		SH_EXP(PNE_S2C, 1343, 1469, "application_data", F(23, 771, 1464)),
		SH_EXP(PNE_S2C, 1343 + 1469, 24, "heartbeat", F(24, 771, 19)),
		SH_EXP(PNE_S2C, 1343 + 1469 + 24, 7, "alert", F(21, 771, 2)),
	};
	struct sh_result res;

	check(exp, SH_NELEM(exp), &res);
	/* record bodies are skipped unseen on the fast path */
	assert_true(res.fast_advanced > 0);
	assert_int_equal(res.advanced, 0);
	sh_result_free(&res);
}

/*
 * Each validity rule once: content type 25, version 0x0305, a length of
 * 2^14 + 2049. resync confirm 3 finds the next record and needs three in
 * a row before it reports them synced.
 */
static void test_resync(void **state)
{
	struct sh_result res;

	(void)state;
	memset(&cv, 0, sizeof(cv));
	msg(PNE_C2S);
	raw("\x19\x03\x03\x00\x01" "x", 6);         /* type 25 */
	record(23, 0x0303, 10);
	record(23, 0x0303, 11);
	record(23, 0x0303, 12);
	record(23, 0x0303, 13);
	msg(PNE_S2C);
	raw("\x16\x03\x05\x00\x01" "y", 6);         /* version 0x0305 */
	record(22, 0x0303, 20);
	record(22, 0x0303, 21);
	record(22, 0x0303, 22);
	raw("\x17\x03\x03\x48\x01", 5);             /* 18433 bytes */
	record(21, 0x0303, 2);
	record(21, 0x0303, 2);
	record(21, 0x0303, 2);

	/* the filler bytes 0x30.. are never a valid content type, so no
	 * candidate inside a record passes */
	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 6, 15, "application_data", F(23, 771, 10), 1),
		SH_EXP(PNE_C2S, 21, 16, "application_data", F(23, 771, 11), 1),
		SH_EXP(PNE_C2S, 37, 17, "application_data", F(23, 771, 12), 1),
		SH_EXP(PNE_C2S, 54, 18, "application_data", F(23, 771, 13)),
		SH_EXP(PNE_S2C, 6, 25, "handshake", F(22, 771, 20), 1),
		SH_EXP(PNE_S2C, 31, 26, "handshake", F(22, 771, 21), 1),
		SH_EXP(PNE_S2C, 57, 27, "handshake", F(22, 771, 22), 1),
		SH_EXP(PNE_S2C, 89, 7, "alert", F(21, 771, 2), 1),
		SH_EXP(PNE_S2C, 96, 7, "alert", F(21, 771, 2), 1),
		SH_EXP(PNE_S2C, 103, 7, "alert", F(21, 771, 2), 1),
	};
	check(exp, SH_NELEM(exp), &res);
	assert_int_equal(res.stats.invalid, 3);
	sh_result_free(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tls12_handshake),
		cmocka_unit_test(test_resync),
	};

	return cmocka_run_group_tests_name("spec_tls", tests, NULL, NULL);
}
