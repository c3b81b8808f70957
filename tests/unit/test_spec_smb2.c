/*
 * specs/smb2.pne against byte streams built from [MS-SMB2] 2.1 (direct
 * TCP transport), 2.2.1 (SMB2 header), 2.2.41 (transform header), RFC
 * 1002 4.3 (NetBIOS session service packets), [MS-CIFS] 2.2.3.1 (SMB1
 * header), and zeek's smb/smb2-multiple-pdus.pcap. ADU length = 4 + the
 * NBSS length.
 */
#include "spec_harness.h"

#define C2S PNE_C2S
#define S2C PNE_S2C

/* An expected ADU; UNC: one found by a resync, not yet confirmed. */
#define ADU(d, off, len, type, fields) { d, off, len, type, fields, 0, 0 }
#define UNC(d, off, len, type, fields) { d, off, len, type, fields, 1, 0 }

static void put_le(uint8_t *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* An NBSS session message holding an SMB2 header (fields per [MS-SMB2]
 * 2.2.1.2) and body_len bytes of body; returns its size. */
static size_t smb2_msg(uint8_t *p, uint16_t cmd, uint64_t msgid, uint32_t status,
		       uint32_t next, int response, size_t body_len)
{
	size_t len = 64 + body_len;

	memset(p, 0, 4 + len);
	p[1] = (uint8_t)(len >> 16);
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	memcpy(p + 4, "\xfeSMB", 4);
	put_le(p + 4 + 4, 64, 2);          /* StructureSize */
	put_le(p + 4 + 8, status, 4);      /* Status */
	put_le(p + 4 + 12, cmd, 2);        /* Command */
	put_le(p + 4 + 14, 1, 2);          /* CreditRequest/Response */
	put_le(p + 4 + 16, response ? 1 : 0, 4); /* Flags: SERVER_TO_REDIR */
	put_le(p + 4 + 20, next, 4);       /* NextCommand */
	put_le(p + 4 + 24, msgid, 8);      /* MessageId */
	memset(p + 4 + 64, 0x11, body_len);
	return 4 + len;
}

/*
 * NetBIOS session setup (port 139), SMB1 negotiate, SMB2 negotiate
 * response, session setup with STATUS_MORE_PROCESSING_REQUIRED, a
 * keepalive, an encrypted (transform) message.
 */
static void test_smb2_session(void **state)
{
	(void)state;
	static uint8_t c1[4 + 68], c2[4 + 47], s2[4 + 72], c3[4 + 88], s3[4 + 72];
	static uint8_t c4[4 + 4 + 68];
	const struct sh_msg msgs[] = {
		{ C2S, c1, sizeof(c1) },
		{ S2C, "\x82\x00\x00\x00", 4 },   /* positive session response */
		{ C2S, c2, sizeof(c2) },
		{ S2C, s2, sizeof(s2) },
		{ C2S, c3, sizeof(c3) },
		{ S2C, s3, sizeof(s3) },
		{ C2S, c4, sizeof(c4) },
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 72, "NBSS_SESSION_REQUEST", "\"length\":68,\"command\":0,"),
		ADU(C2S, 72, 51, "SMB1",
		  "{\"length\":47,\"command\":114,\"message_id\":1,\"status\":0,\"compounded\":false}"),
		ADU(C2S, 123, 92, "SESSION_SETUP",
		  "{\"length\":88,\"command\":1,\"message_id\":1,\"status\":0,\"compounded\":false}"),
		ADU(C2S, 215, 4, "NBSS_KEEPALIVE", "\"length\":0,"),
		ADU(C2S, 219, 72, "SMB3_TRANSFORM",
		  "{\"length\":68,\"command\":0,\"message_id\":0,\"status\":0,\"compounded\":false}"),
		ADU(S2C, 0, 4, "NBSS_POSITIVE_RESPONSE", NULL),
		ADU(S2C, 4, 76, "NEGOTIATE",
		  "{\"length\":72,\"command\":0,\"message_id\":0,\"status\":0,\"compounded\":false}"),
		ADU(S2C, 80, 76, "SESSION_SETUP",
		  "{\"length\":72,\"command\":1,\"message_id\":1,\"status\":3221225494,"
		  "\"compounded\":false}"),
	};

	/* Session request: called and calling names, 34 bytes each
	 * (RFC 1002 4.3.2: length byte 32, 32 half-ASCII bytes, 0). */
	memset(c1, 'A', sizeof(c1));
	memcpy(c1, "\x81\x00\x00\x44\x20", 5);
	c1[4 + 33] = 0;
	c1[4 + 34] = 0x20;
	c1[4 + 67] = 0;
	/* SMB1 NEGOTIATE (0x72), MID 1; no words; dialect "NT LM 0.12" */
	memset(c2, 0, sizeof(c2));
	memcpy(c2, "\x00\x00\x00\x2f\xffSMB\x72", 9);
	c2[4 + 9] = 0x18;                      /* Flags */
	put_le(c2 + 4 + 30, 1, 2);             /* MID */
	put_le(c2 + 4 + 33, 12, 2);            /* ByteCount */
	memcpy(c2 + 4 + 35, "\x02NT LM 0.12", 12);
	assert_int_equal(smb2_msg(s2, 0x0000, 0, 0, 0, 1, 8), sizeof(s2));
	assert_int_equal(smb2_msg(c3, 0x0001, 1, 0, 0, 0, 24), sizeof(c3));
	assert_int_equal(smb2_msg(s3, 0x0001, 1, 0xc0000016, 0, 1, 8), sizeof(s3));
	/* keepalive, then a transform header (52 bytes) + 16 encrypted */
	memset(c4, 0x5c, sizeof(c4));
	memcpy(c4, "\x85\x00\x00\x00" "\x00\x00\x00\x44\xfdSMB", 12);
	sh_check("smb2", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

/*
 * A 64 KiB READ response and an 8 MiB WRITE (the 24-bit length of the
 * direct TCP transport): only the first 36 bytes are examined.
 */
static void test_smb2_large(void **state)
{
	(void)state;
	static uint8_t w[36], r[36];
	const struct sh_big p[] = {
		{ C2S, w, sizeof(w) },
		{ C2S, NULL, 0x800070 - 32 },
		{ S2C, r, sizeof(r) },
		{ S2C, NULL, 0x010050 - 32 },
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 4 + 0x800070, "WRITE",
		  "{\"length\":8388720,\"command\":9,\"message_id\":77,\"status\":0,"
		  "\"compounded\":false}"),
		ADU(S2C, 0, 4 + 0x010050, "READ",
		  "{\"length\":65616,\"command\":8,\"message_id\":78,\"status\":0,"
		  "\"compounded\":false}"),
	};
	uint8_t hdr[4 + 64];

	smb2_msg(hdr, 0x0009, 77, 0, 0, 0, 0);
	memcpy(w, hdr, sizeof(w));
	w[1] = 0x80, w[2] = 0x00, w[3] = 0x70;
	smb2_msg(hdr, 0x0008, 78, 0, 0, 1, 0);
	memcpy(r, hdr, sizeof(r));
	r[1] = 0x01, r[2] = 0x00, r[3] = 0x50;
	sh_big_check("smb2", p, SH_NELEM(p), exp, SH_NELEM(exp));
}

/*
 * An unknown NBSS type (0x42), a session message that carries no SMB
 * ("GET / HTTP/1.1..."), an SMB2 header whose StructureSize is not 64:
 * each makes the stream invalid; resync confirms three messages.
 */
static void test_smb2_resync(void **state)
{
	(void)state;
	static uint8_t buf[4 + 3 * 68 + 36 + 4 * 68];
	static uint8_t bad[4 + 68], echos[4 * 68];
	const struct sh_msg msgs[] = {
		{ C2S, "\x42\x42\x42\x42\x42", 5 },
		{ C2S, buf, 4 + 3 * 68 },
		{ C2S, buf + 4 + 3 * 68, sizeof(buf) - (4 + 3 * 68) },
		{ S2C, bad, sizeof(bad) },
		{ S2C, echos, sizeof(echos) },
	};
	static const struct sh_expect exp[] = {
		/* the leading keepalive at 5 follows the bad byte run: 0x42 0x42
		 * 0x42 0x42 0x42 fail, the keepalive (0x85, length 0) passes */
		UNC(C2S, 5, 4, "NBSS_KEEPALIVE", NULL),
		UNC(C2S, 9, 68, "ECHO", "\"message_id\":1,"),
		UNC(C2S, 77, 68, "ECHO", "\"message_id\":2,"),
		ADU(C2S, 145, 68, "ECHO", "\"message_id\":3,"),
		/* 213: "GET / HTTP/1.1" in a session message: dropped after its
		 * 36 bytes, and framing resumes right after them */
		UNC(C2S, 249, 68, "ECHO", "\"message_id\":5,"),
		UNC(C2S, 317, 68, "ECHO", "\"message_id\":6,"),
		UNC(C2S, 385, 68, "ECHO", "\"message_id\":7,"),
		ADU(C2S, 453, 68, "ECHO", "\"message_id\":8,"),
		/* 0..36 dropped (StructureSize 65), 36..72 hold no candidate */
		UNC(S2C, 72, 68, "ECHO", "\"message_id\":1,"),
		UNC(S2C, 140, 68, "ECHO", "\"message_id\":2,"),
		UNC(S2C, 208, 68, "ECHO", "\"message_id\":3,"),
		ADU(S2C, 276, 68, "ECHO", "\"message_id\":4,"),
	};
	struct sh_conv conv = { .spec = pne_builtin_spec("smb2"), .msgs = msgs,
				.nmsgs = SH_NELEM(msgs) };
	struct sh_result res;
	size_t n = 0;

	memcpy(buf, "\x85\x00\x00\x00", 4);
	n = 4;
	for (int i = 1; i <= 3; i++)
		n += smb2_msg(buf + n, 0x000d, (uint64_t)i, 0, 0, 0, 0);
	/* 32 bytes of "HTTP" in a session message */
	memcpy(buf + n, "\x00\x00\x00\x20" "GET / HTTP/1.1\r\nHost: x\r\n\r\n\r\n\r\n", 36);
	n += 36;
	for (int i = 5; i <= 8; i++)
		n += smb2_msg(buf + n, 0x000d, (uint64_t)i, 0, 0, 0, 0);
	assert_int_equal(n, sizeof(buf));
	for (int i = 1; i <= 4; i++)
		smb2_msg(echos + (i - 1) * 68, 0x000d, (uint64_t)i, 0, 0, 1, 0);
	smb2_msg(bad, 0x000d, 0, 0, 0, 1, 0);
	bad[4 + 4] = 65;
	memset(bad + 36, 0x99, sizeof(bad) - 36);
	sh_check_conv(&conv, exp, SH_NELEM(exp), &res);
	assert_int_equal(res.stats.invalid, 3);
	sh_result_free(&res);
}

/*
 * zeek's smb/smb2-multiple-pdus.pcap: one NBSS message per direction
 * holding three compounded SMB2 PDUs (CREATE, QUERY_INFO, CLOSE; tshark:
 * nbss.length 440 and 464, smb2.msg_id 920..922). The ADU reports the
 * first PDU and that more are chained.
 */
static void test_smb2_zeek_compound(void **state)
{
	(void)state;
	static const struct sh_msg msgs[] = {
		SH_C2S("\x00\x00\x01\xb8\xfe\x53\x4d\x42\x40\x00\x01\x00\x00\x00\x00\x00"
		       "\x05\x00\x00\x01\x00\x00\x00\x00\xf8\x00\x00\x00\x98\x03\x00\x00"
		       "\x00\x00\x00\x00\xff\xfe\x00\x00\xb9\xb6\xe3\x17\xfb\x8c\x8d\xbc"
		       "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x39\x00\x00\xff\x02\x00\x00\x00\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x00\x11\x00"
		       "\x80\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00"
		       "\x78\x00\x18\x00\x90\x00\x00\x00\x68\x00\x00\x00\x74\x00\x65\x00"
		       "\x73\x00\x74\x00\x66\x00\x69\x00\x6c\x00\x65\x00\x2e\x00\x74\x00"
		       "\x78\x00\x74\x00\x18\x00\x00\x00\x10\x00\x04\x00\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x4d\x78\x41\x63\x00\x00\x00\x00\x00\x00\x00\x00"
		       "\x10\x00\x04\x00\x00\x00\x18\x00\x34\x00\x00\x00\x52\x71\x4c\x73"
		       "\x00\x00\x00\x00\xaa\x38\x00\x37\xc6\xde\x80\xa3\x0b\xa5\x59\xd4"
		       "\xe8\xaf\x6d\xc5\x00\x00\x00\x00\x04\x00\x00\x00\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\xdd\xca\xa1\x3c\x97\x57\x4b\x01\x89\xd4\x61\xe2"
		       "\x72\xe0\xe4\xd1\x00\x00\x00\x00\x00\x00\x00\x00\xfe\x53\x4d\x42"
		       "\x40\x00\x01\x00\x00\x00\x00\x00\x11\x00\x00\x01\x04\x00\x00\x00"
		       "\x68\x00\x00\x00\x99\x03\x00\x00\x00\x00\x00\x00\xff\xfe\x00\x00"
		       "\xb9\xb6\xe3\x17\xfb\x8c\x8d\xbc\x00\x00\x00\x00\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x21\x00\x01\x0d"
		       "\x01\x00\x00\x00\x60\x00\x00\x00\x00\x00\x00\x00\xff\xff\xff\xff"
		       "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01\x00\x00\x00"
		       "\x00\x00\x00\x00\xfe\x53\x4d\x42\x40\x00\x01\x00\x00\x00\x00\x00"
		       "\x06\x00\x00\x01\x04\x00\x00\x00\x00\x00\x00\x00\x9a\x03\x00\x00"
		       "\x00\x00\x00\x00\xff\xfe\x00\x00\xb9\xb6\xe3\x17\xfb\x8c\x8d\xbc"
		       "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x18\x00\x00\x00\x00\x00\x00\x00\xff\xff\xff\xff"
		       "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"),   /* 444 */
		SH_S2C("\x00\x00\x01\xd0\xfe\x53\x4d\x42\x40\x00\x01\x00\x00\x00\x00\x00"
		       "\x05\x00\x00\x00\x01\x00\x00\x00\x08\x01\x00\x00\x98\x03\x00\x00"
		       "\x00\x00\x00\x00\xff\xfe\x00\x00\xb9\xb6\xe3\x17\xfb\x8c\x8d\xbc"
		       "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x59\x00\xff\x00\x01\x00\x00\x00\xf0\x0e\x7c\xb6"
		       "\x75\x54\xda\x01\xea\xef\x46\xd8\x78\x54\xda\x01\x1b\x18\x7c\xb6"
		       "\x75\x54\xda\x01\x1b\x18\x7c\xb6\x75\x54\xda\x01\x00\x10\x00\x00"
		       "\x00\x00\x00\x00\x0c\x00\x00\x00\x00\x00\x00\x00\x20\x00\x00\x00"
		       "\x00\x00\x00\x00\xb3\xab\x5b\x64\x00\x00\x00\x00\xbd\x96\xb7\x51"
		       "\x00\x00\x00\x00\x98\x00\x00\x00\x6c\x00\x00\x00\x20\x00\x00\x00"
		       "\x10\x00\x04\x00\x00\x00\x18\x00\x08\x00\x00\x00\x4d\x78\x41\x63"
		       "\x00\x00\x00\x00\x00\x00\x00\x00\xff\x01\x1f\x00\x00\x00\x00\x00"
		       "\x10\x00\x04\x00\x00\x00\x18\x00\x34\x00\x00\x00\x52\x71\x4c\x73"
		       "\x00\x00\x00\x00\xaa\x38\x00\x37\xc6\xde\x80\xa3\x0b\xa5\x59\xd4"
		       "\xe8\xaf\x6d\xc5\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\xfe\x53\x4d\x42"
		       "\x40\x00\x01\x00\x00\x00\x00\x00\x11\x00\x00\x00\x05\x00\x00\x00"
		       "\x48\x00\x00\x00\x99\x03\x00\x00\x00\x00\x00\x00\xff\xfe\x00\x00"
		       "\xb9\xb6\xe3\x17\xfb\x8c\x8d\xbc\x00\x00\x00\x00\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x00\x00"
		       "\x00\x00\x00\x00\xfe\x53\x4d\x42\x40\x00\x01\x00\x00\x00\x00\x00"
		       "\x06\x00\x03\x00\x05\x00\x00\x00\x00\x00\x00\x00\x9a\x03\x00\x00"
		       "\x00\x00\x00\x00\xff\xfe\x00\x00\xb9\xb6\xe3\x17\xfb\x8c\x8d\xbc"
		       "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x3c\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
		       "\x00\x00\x00\x00"),   /* 468 */
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 444, "CREATE",
		  "{\"length\":440,\"command\":5,\"message_id\":920,\"status\":0,\"compounded\":true}"),
		ADU(S2C, 0, 468, "CREATE",
		  "{\"length\":464,\"command\":5,\"message_id\":920,\"status\":0,\"compounded\":true}"),
	};

	sh_check("smb2", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smb2_session),
		cmocka_unit_test(test_smb2_large),
		cmocka_unit_test(test_smb2_resync),
		cmocka_unit_test(test_smb2_zeek_compound),
	};

	return cmocka_run_group_tests_name("spec_smb2", tests, NULL, NULL);
}
