/*
 * specs/iscsi.pne against hand-built iSCSI conversations (RFC 7143) and
 * the first PDUs of a real CHAP + HeaderDigest=CRC32C login (tgt target,
 * libiscsi initiator: corpus iscsi/gen-tgt-libiscsi-chap-hdrdigest.pcap).
 * PDU lengths in the expected lists are worked out by hand from
 * RFC 7143 section 11.2: 48 + 4*TotalAHSLength + HD + pad4(DSL) + DD.
 */
#include "spec_harness.h"

#define MAXCONV 4096

/* A conversation under construction: one buffer per message. */
struct conv {
	uint8_t buf[16][MAXCONV];
	struct sh_msg msgs[16];
	size_t n;
};

static struct conv cv;

static void conv_reset(void)
{
	memset(&cv, 0, sizeof(cv));
}

/* Start a new message in direction d. */
static void msg(enum pne_dir d)
{
	assert_true(cv.n < 16);
	cv.msgs[cv.n].dir = d;
	cv.msgs[cv.n].data = cv.buf[cv.n];
	cv.msgs[cv.n].len = 0;
	cv.n++;
}

static void put(const void *p, size_t len)
{
	struct sh_msg *m = &cv.msgs[cv.n - 1];

	assert_true(m->len + len <= MAXCONV);
	memcpy(cv.buf[cv.n - 1] + m->len, p, len);
	m->len += len;
}

/*
 * Append a PDU: BHS with byte 0 b0, byte 1 b1, the AHS length in words,
 * DSL, LUN and ITT, then AHS bytes, a header digest if hd, the data
 * segment and its padding, a data digest if dd and dsl > 0. Returns the
 * PDU's length so tests can check their own arithmetic.
 */
static size_t pdu(uint8_t b0, uint8_t b1, uint8_t ahs, const void *data, uint32_t dsl,
		  uint64_t lun, uint32_t itt, int hd, int dd)
{
	uint8_t bhs[48] = { 0 };
	static const uint8_t zero[4], digest[4] = { 0xde, 0xad, 0xbe, 0xef };
	uint8_t ahsbuf[1020];
	size_t before = cv.msgs[cv.n - 1].len;

	bhs[0] = b0;
	bhs[1] = b1;
	bhs[4] = ahs;
	bhs[5] = dsl >> 16;
	bhs[6] = dsl >> 8;
	bhs[7] = dsl;
	for (int i = 0; i < 8; i++)
		bhs[8 + i] = lun >> (56 - 8 * i);
	for (int i = 0; i < 4; i++)
		bhs[16 + i] = itt >> (24 - 8 * i);
	put(bhs, sizeof(bhs));
	memset(ahsbuf, 0xa5, sizeof(ahsbuf));
	put(ahsbuf, 4u * ahs);
	if (hd)
		put(digest, 4);
	put(data, dsl);
	put(zero, (4 - dsl % 4) % 4);
	if (dd && dsl > 0)
		put(digest, 4);
	return cv.msgs[cv.n - 1].len - before;
}

/* Append the bytes of a hex string. */
static void put_hex(const char *hex)
{
	for (; hex[0] != '\0' && hex[1] != '\0'; hex += 2) {
		unsigned v;

		assert_int_equal(sscanf(hex, "%2x", &v), 1);
		put(&(uint8_t){ (uint8_t)v }, 1);
	}
}

static void check(const uint64_t *params, const int unsynced[2],
		  const struct sh_expect *exp, size_t nexp, struct sh_result *res)
{
	struct sh_conv conv = {
		.spec = pne_builtin_spec("iscsi"), .msgs = cv.msgs, .nmsgs = cv.n,
		.params = params,
	};

	assert_non_null(conv.spec);
	if (unsynced != NULL) {
		conv.unsynced_start[0] = unsynced[0];
		conv.unsynced_start[1] = unsynced[1];
	}
	sh_check_conv(&conv, exp, nexp, res);
}

#define TEXT(s) (s), (sizeof(s) - 1)
#define LUN1 0x0001000000000000ull
#define F(op, itt, lun, dsl) "{\"opcode\":" #op ",\"itt\":" #itt ",\"lun\":" #lun ",\"dsl\":" #dsl "}"

/*
 * Login negotiating both digests (RFC 7143 13.1), then Full Feature
 * Phase PDUs that carry them. The initiator sends a SCSI Command before
 * the Login Response arrives: it must wait to learn the digests.
 */
static void test_login_then_digests(void **state)
{
	(void)state;
	conv_reset();
	msg(PNE_C2S);
	/* T=1 CSG=1 NSG=3: 48 + pad4(48) */
	assert_int_equal(pdu(0x43, 0x87, 0, TEXT("HeaderDigest=CRC32C,None\0DataDigest=CRC32C,None\0"),
			     0, 0x10, 0, 0), 96);
	/* SCSI Command, 2-word AHS, 5 data bytes: 48 + 8 + 4 + 8 + 4 */
	pdu(0x01, 0x81, 2, "abcde", 5, LUN1, 0x11, 1, 1);
	cv.msgs[0].len -= 42;           /* the command's last 42 bytes ... */
	msg(PNE_C2S);
	put(cv.buf[0] + cv.msgs[0].len, 42); /* ... go in the next message */
	msg(PNE_S2C);
	/* 48 + pad4(38) */
	assert_int_equal(pdu(0x23, 0x87, 0, TEXT("HeaderDigest=CRC32C\0DataDigest=CRC32C\0"),
			     0, 0x10, 0, 0), 88);
	/* Data-In, 10 bytes: 48 + 4 + 12 + 4 */
	assert_int_equal(pdu(0x25, 0x81, 0, "0123456789", 10, LUN1, 0x11, 1, 1), 68);
	cv.msgs[2].len -= 18;
	msg(PNE_S2C);
	put(cv.buf[2] + cv.msgs[2].len, 18);
	/* SCSI Response without data: 48 + 4, no data digest */
	assert_int_equal(pdu(0x21, 0x80, 0, "", 0, 0, 0x11, 1, 1), 52);
	msg(PNE_C2S);
	assert_int_equal(pdu(0x40, 0x80, 0, "", 0, 0, 0x12, 1, 1), 52);       /* NOP-Out */
	assert_int_equal(pdu(0x05, 0x80, 0, "xyz", 3, LUN1, 0x11, 1, 1), 60); /* Data-Out */
	assert_int_equal(pdu(0x46, 0x80, 0, "", 0, 0, 0x13, 1, 1), 52);       /* Logout */
	msg(PNE_S2C);
	assert_int_equal(pdu(0x20, 0x80, 0, "", 0, 0, 0x12, 1, 1), 52);       /* NOP-In */
	assert_int_equal(pdu(0x31, 0x80, 0, "", 0, LUN1, 0x11, 1, 1), 52);    /* R2T */
	assert_int_equal(pdu(0x26, 0x80, 0, "", 0, 0, 0x13, 1, 1), 52);       /* Logout Rsp */

	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 0, 96, "login_request", F(3, 16, 0, 48)),
		SH_EXP(PNE_C2S, 96, 72, "scsi_command", F(1, 17, 281474976710656, 5)),
		SH_EXP(PNE_C2S, 168, 52, "nop_out", F(0, 18, 0, 0)),
		SH_EXP(PNE_C2S, 220, 60, "data_out", F(5, 17, 281474976710656, 3)),
		SH_EXP(PNE_C2S, 280, 52, "logout_request", F(6, 19, 0, 0)),
		SH_EXP(PNE_S2C, 0, 88, "login_response", F(35, 16, 0, 38)),
		SH_EXP(PNE_S2C, 88, 68, "data_in", F(37, 17, 281474976710656, 10)),
		SH_EXP(PNE_S2C, 156, 52, "scsi_response", F(33, 17, 0, 0)),
		SH_EXP(PNE_S2C, 208, 52, "nop_in", F(32, 18, 0, 0)),
		SH_EXP(PNE_S2C, 260, 52, "r2t", F(49, 17, 281474976710656, 0)),
		SH_EXP(PNE_S2C, 312, 52, "logout_response", F(38, 19, 0, 0)),
	};
	check(NULL, NULL, exp, SH_NELEM(exp), NULL);
}

/*
 * A two-stage login (security, then operational) where the target turns
 * the header digest down: a HeaderDigest parameter of 1 is overridden by
 * what the login says, and the discovery Text PDUs carry no digests.
 */
static void test_login_declines_digest(void **state)
{
	const struct pne_spec *spec = pne_builtin_spec("iscsi");
	uint64_t params[PNE_MAX_CVARS];

	(void)state;
	assert_non_null(spec);
	sh_params_default(spec, params);
	sh_param_set(spec, params, "HeaderDigest", 1);
	conv_reset();
	msg(PNE_C2S);   /* T=1 CSG=0 NSG=1 */
	assert_int_equal(pdu(0x43, 0x81, 0, TEXT("AuthMethod=None\0"), 0, 1, 0, 0), 64);
	msg(PNE_S2C);
	assert_int_equal(pdu(0x23, 0x81, 0, TEXT("AuthMethod=None\0"), 0, 1, 0, 0), 64);
	msg(PNE_C2S);   /* T=1 CSG=1 NSG=3, 25 bytes of text */
	assert_int_equal(pdu(0x43, 0x87, 0, TEXT("HeaderDigest=CRC32C,None\0"), 0, 1, 0, 0), 76);
	msg(PNE_S2C);   /* 18 bytes */
	assert_int_equal(pdu(0x23, 0x87, 0, TEXT("HeaderDigest=None\0"), 0, 1, 0, 0), 68);
	msg(PNE_C2S);   /* Text Request, 16 bytes */
	assert_int_equal(pdu(0x44, 0x80, 0, TEXT("SendTargets=All\0"), 0, 2, 0, 0), 64);
	msg(PNE_S2C);   /* Text Response, 30 bytes */
	assert_int_equal(pdu(0x24, 0x80, 0, TEXT("TargetName=iqn.2001-04.com.x\0\0"), 0, 2, 0, 0),
			 80);

	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 0, 64, "login_request", "\"dsl\":16}"),
		SH_EXP(PNE_C2S, 64, 76, "login_request", "\"dsl\":25}"),
		SH_EXP(PNE_C2S, 140, 64, "text_request", F(4, 2, 0, 16)),
		SH_EXP(PNE_S2C, 0, 64, "login_response", "\"dsl\":16}"),
		SH_EXP(PNE_S2C, 64, 68, "login_response", "\"dsl\":18}"),
		SH_EXP(PNE_S2C, 132, 80, "text_response", F(36, 2, 0, 30)),
	};
	check(params, NULL, exp, SH_NELEM(exp), NULL);
}

/*
 * No login seen (the flow was picked up later): the user says digests
 * are on. A header digest after every BHS, a data digest after every
 * non-empty data segment; AHS and padding in between.
 */
static void test_digest_params(void **state)
{
	const struct pne_spec *spec = pne_builtin_spec("iscsi");
	uint64_t params[PNE_MAX_CVARS];
	uint8_t cdb[1000];

	(void)state;
	assert_non_null(spec);
	memset(cdb, 0x5a, sizeof(cdb));
	sh_params_default(spec, params);
	sh_param_set(spec, params, "HeaderDigest", 1);
	sh_param_set(spec, params, "DataDigest", 1);
	conv_reset();
	msg(PNE_C2S);
	assert_int_equal(pdu(0x01, 0xa1, 0, "", 0, LUN1, 0x21, 1, 1), 52);
	/* 1-word AHS, 7 bytes: 48 + 4 + 4 + 8 + 4 */
	assert_int_equal(pdu(0x01, 0x21, 1, "1234567", 7, LUN1, 0x22, 1, 1), 68);
	/* 517 bytes: 48 + 4 + 520 + 4 */
	assert_int_equal(pdu(0x05, 0x80, 0, cdb, 517, LUN1, 0x22, 1, 1), 576);
	msg(PNE_S2C);
	assert_int_equal(pdu(0x21, 0x80, 0, "", 0, 0, 0x21, 1, 1), 52);
	/* 1 byte: 48 + 4 + 4 + 4 */
	assert_int_equal(pdu(0x25, 0x81, 0, "!", 1, LUN1, 0x22, 1, 1), 60);
	/* Reject carries the rejected BHS: 48 + 4 + 48 + 4 */
	assert_int_equal(pdu(0x3f, 0x80, 0, cdb, 48, 0, 0xffffffff, 1, 1), 104);

	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 0, 52, "scsi_command", F(1, 33, 281474976710656, 0)),
		SH_EXP(PNE_C2S, 52, 68, "scsi_command", F(1, 34, 281474976710656, 7)),
		SH_EXP(PNE_C2S, 120, 576, "data_out", F(5, 34, 281474976710656, 517)),
		SH_EXP(PNE_S2C, 0, 52, "scsi_response", F(33, 33, 0, 0)),
		SH_EXP(PNE_S2C, 52, 60, "data_in", F(37, 34, 281474976710656, 1)),
		SH_EXP(PNE_S2C, 112, 104, "reject", F(63, 4294967295, 0, 48)),
	};
	check(params, NULL, exp, SH_NELEM(exp), NULL);
}

/*
 * Invalid PDUs: 61 bytes with the reserved bit set, an R2T with data
 * (its DSL is reserved, RFC 7143 11.7). resync confirm 3 finds the next
 * PDU (no candidate inside the junk or the R2T's data passes) and needs
 * three PDUs in a row before trusting it.
 */
static void test_resync(void **state)
{
	uint8_t junk[61];
	struct sh_result res;

	(void)state;
	memset(junk, 0xff, sizeof(junk));
	conv_reset();
	msg(PNE_C2S);
	put(junk, sizeof(junk));
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(pdu(0x00, 0x80, 0, "", 0, 0, 0x100 + i, 0, 0), 48);
	msg(PNE_S2C);   /* an R2T claiming 8 bytes of data: 48 + 8 */
	assert_int_equal(pdu(0x31, 0x80, 0, "abcdefgh", 8, 0, 0xffffffff, 0, 0), 56);
	for (uint32_t i = 0; i < 4; i++)
		assert_int_equal(pdu(0x20, 0x80, 0, "ping", 4, 0, 0x200 + i, 0, 0), 52);

	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 61, 48, "nop_out", F(0, 256, 0, 0), 1),
		SH_EXP(PNE_C2S, 109, 48, "nop_out", F(0, 257, 0, 0), 1),
		SH_EXP(PNE_C2S, 157, 48, "nop_out", F(0, 258, 0, 0), 1),
		SH_EXP(PNE_C2S, 205, 48, "nop_out", F(0, 259, 0, 0)),
		SH_EXP(PNE_S2C, 56, 52, "nop_in", F(32, 512, 0, 4), 1),
		SH_EXP(PNE_S2C, 108, 52, "nop_in", F(32, 513, 0, 4), 1),
		SH_EXP(PNE_S2C, 160, 52, "nop_in", F(32, 514, 0, 4), 1),
		SH_EXP(PNE_S2C, 212, 52, "nop_in", F(32, 515, 0, 4)),
	};
	check(NULL, NULL, exp, SH_NELEM(exp), &res);
	assert_int_equal(res.stats.invalid, 2);
	sh_result_free(&res);
}

/*
 * The first twelve segments of stream 0 of
 * gen-tgt-libiscsi-chap-hdrdigest.pcap: a CHAP login whose last Login
 * Response selects HeaderDigest=CRC32C, then two SCSI Commands and their
 * responses with a 4-byte header digest. DSLs from the tshark oracle
 * (oracles/gen-tgt-libiscsi-chap-hdrdigest.tshark-iscsi-pdus.psv).
 */
static const char *const corpus_segs[] = {
	/* c2s 196 bytes */
	"4381000000000092800ed430000000005a52b0a00000000036cb378800000001"
	"00000000000000000000000000000000496e69746961746f724e616d653d6971"
	"6e2e323032342d30312e6f72672e6578616d706c652e746573743a696e697469"
	"61746f7231005461726765744e616d653d69716e2e323030312d30342e636f6d"
	"2e6578616d706c653a73746f726167652e636861706469736b0053657373696f"
	"6e547970653d4e6f726d616c00417574684d6574686f643d434841502c4e6f6e"
	"65000000",
	/* s2c 88 bytes */
	"2300000000000027800ed430000000005a52b0a0000000000000000036cb3788"
	"36cb3789000000000000000000000000546172676574506f7274616c47726f75"
	"705461673d3100417574684d6574686f643d434841500000",
	/* c2s 60 bytes */
	"4301000000000009800ed430000000005a52b0a00000000036cb378800000001"
	"00000000000000000000000000000000434841505f413d3500000000",
	/* s2c 180 bytes */
	"2300000000000081800ed430000000005a52b0a0000000000000000136cb3788"
	"36cb3789000000000000000000000000434841505f413d3500434841505f493d"
	"313700434841505f433d30783533613436383830633561313662383266623961"
	"6235346438636539363639303865323433626662343738353038653562353964"
	"3734623963633530396662343363346237616665303964353431366431356464"
	"6435643835663162386632373031396200000000",
	/* c2s 108 bytes */
	"438100000000003a800ed430000000005a52b0a00000000036cb378800000002"
	"00000000000000000000000000000000434841505f4e3d636861707573657200"
	"434841505f523d30783243334637373933323934423734353235384245343045"
	"364144334332393046000000",
	/* s2c 48 bytes */
	"2381000000000000800ed430000000005a52b0a0000000000000000236cb3788"
	"36cb3789000000000000000000000000",
	/* c2s 364 bytes */
	"438700000000013c800ed430000000005a52b0a00000000036cb378800000003"
	"000000000000000000000000000000004865616465724469676573743d4e6f6e"
	"652c43524333324300446174614469676573743d4e6f6e6500496e697469616c"
	"5232543d4e6f00496d6d656469617465446174613d596573004d617842757273"
	"744c656e6774683d32363231343400466972737442757273744c656e6774683d"
	"3236323134340044656661756c7454696d6532576169743d320044656661756c"
	"7454696d653252657461696e3d30004d61784f75747374616e64696e67523254"
	"3d31004572726f725265636f766572794c6576656c3d300049464d61726b6572"
	"3d4e6f004f464d61726b65723d4e6f004d6178436f6e6e656374696f6e733d31"
	"004d617852656376446174615365676d656e744c656e6774683d323632313434"
	"0044617461504455496e4f726465723d596573004461746153657175656e6365"
	"496e4f726465723d59657300",
	/* s2c 328 bytes */
	"2387000000000117800ed430000025005a52b0a0000000000000000336cb3788"
	"36cb37890000000000000000000000004865616465724469676573743d435243"
	"33324300446174614469676573743d4e6f6e6500496e697469616c5232543d59"
	"657300496d6d656469617465446174613d596573004d617842757273744c656e"
	"6774683d32363231343400466972737442757273744c656e6774683d36353533"
	"360044656661756c7454696d6532576169743d320044656661756c7454696d65"
	"3252657461696e3d30004d61784f75747374616e64696e675232543d31004572"
	"726f725265636f766572794c6576656c3d300049464d61726b65723d4e6f004f"
	"464d61726b65723d4e6f004d6178436f6e6e656374696f6e733d310044617461"
	"504455496e4f726465723d596573004461746153657175656e6365496e4f7264"
	"65723d5965730000",
	/* c2s 52 bytes */
	"018100000000000000010000000000005a52b0a10000000036cb378800000004"
	"000000000000000000000000000000009725bb1b",
	/* s2c 72 bytes */
	"218000020000001400000000000000005a52b0a1000000000000000436cb3789"
	"36cb3809000000000000000000000000ed0ad5690012700006000000000a0000"
	"0000290000000000",
	/* c2s 52 bytes */
	"018100000000000000010000000000005a52b0a20000000036cb378900000005"
	"00000000000000000000000000000000bbafd554",
	/* s2c 52 bytes */
	"218000000000000000000000000000005a52b0a2000000000000000536cb378a"
	"36cb380a0000000000000000000000000b309246",
};

static void test_corpus_chap_hdrdigest(void **state)
{
	(void)state;
	conv_reset();
	for (size_t i = 0; i < SH_NELEM(corpus_segs); i++) {
		msg(i % 2 == 0 ? PNE_C2S : PNE_S2C);
		put_hex(corpus_segs[i]);
	}

	/* login PDUs: 48 + pad4(DSL); then 48 + 4 (digest) + pad4(DSL) */
	const struct sh_expect exp[] = {
		SH_EXP(PNE_C2S, 0, 196, "login_request", "\"dsl\":146}"),
		SH_EXP(PNE_C2S, 196, 60, "login_request", "\"dsl\":9}"),
		SH_EXP(PNE_C2S, 256, 108, "login_request", "\"dsl\":58}"),
		SH_EXP(PNE_C2S, 364, 364, "login_request", "\"dsl\":316}"),
		SH_EXP(PNE_C2S, 728, 52, "scsi_command", "\"itt\":1515368609,"),
		SH_EXP(PNE_C2S, 780, 52, "scsi_command", "\"itt\":1515368610,"),
		SH_EXP(PNE_S2C, 0, 88, "login_response", "\"dsl\":39}"),
		SH_EXP(PNE_S2C, 88, 180, "login_response", "\"dsl\":129}"),
		SH_EXP(PNE_S2C, 268, 48, "login_response", "\"dsl\":0}"),
		SH_EXP(PNE_S2C, 316, 328, "login_response", "\"dsl\":279}"),
		SH_EXP(PNE_S2C, 644, 72, "scsi_response", "\"dsl\":20}"),
		SH_EXP(PNE_S2C, 716, 52, "scsi_response", "\"dsl\":0}"),
	};
	check(NULL, NULL, exp, SH_NELEM(exp), NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_login_then_digests),
		cmocka_unit_test(test_login_declines_digest),
		cmocka_unit_test(test_digest_params),
		cmocka_unit_test(test_resync),
		cmocka_unit_test(test_corpus_chap_hdrdigest),
	};

	return cmocka_run_group_tests_name("spec_iscsi", tests, NULL, NULL);
}
