/*
 * specs/kafka.pne against byte streams built from the Kafka protocol
 * guide (kafka.apache.org/protocol: size-delimited frames, request header
 * v1: api_key, api_version, correlation_id, client_id; response header
 * v0: correlation_id) and one real conversation from nDPI's kafka.pcapng.
 */
#include "spec_harness.h"

#define C2S PNE_C2S
#define S2C PNE_S2C

/* An expected ADU; UNC: one found by a resync, not yet confirmed. */
#define ADU(d, off, len, type, fields) { d, off, len, type, fields, 0, 0 }
#define UNC(d, off, len, type, fields) { d, off, len, type, fields, 1, 0 }

/*
 * ApiVersions v0, Metadata v1 and a Produce v3 of 6000 bytes of records
 * split over three messages; two requests in one message; responses.
 * Request header: 4 + 2 + 2 + 4 + 2 + 1 (client_id "c") = 15 bytes.
 */
static void test_kafka_requests(void **state)
{
	(void)state;
	static uint8_t produce[15 + 6000];
	static const uint8_t two[] =
		/* ApiVersions v0, corr 1: size 11 (15) */
		"\x00\x00\x00\x0b\x00\x12\x00\x00\x00\x00\x00\x01\x00\x01" "c"
		/* Metadata v1, corr 2, all topics (-1): size 15 (19) */
		"\x00\x00\x00\x0f\x00\x03\x00\x01\x00\x00\x00\x02\x00\x01" "c"
		"\xff\xff\xff\xff";
	static const uint8_t resp[] =
		/* ApiVersions v0 response, corr 1: error 0, one key (20) */
		"\x00\x00\x00\x10\x00\x00\x00\x01\x00\x00\x00\x00\x00\x01"
		"\x00\x12\x00\x00\x00\x03"
		/* Metadata response, corr 2, 8 bytes of body (16) */
		"\x00\x00\x00\x0c\x00\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00";
	static const uint8_t presp[] =
		/* Produce response, corr 3: size 4 + 4 (12) */
		"\x00\x00\x00\x08\x00\x00\x00\x03\x00\x00\x00\x00";
	const struct sh_msg msgs[] = {
		{ C2S, two, sizeof(two) - 1 },
		{ S2C, resp, sizeof(resp) - 1 },
		{ C2S, produce, 700 },
		{ C2S, produce + 700, 3000 },
		{ C2S, produce + 3700, sizeof(produce) - 3700 },
		{ S2C, presp, sizeof(presp) - 1 },
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 15, "ApiVersions",
		  "{\"length\":11,\"api_key\":18,\"api_version\":0,\"correlation_id\":1}"),
		ADU(C2S, 15, 19, "Metadata",
		  "{\"length\":15,\"api_key\":3,\"api_version\":1,\"correlation_id\":2}"),
		ADU(C2S, 34, 6015, "Produce",
		  "{\"length\":6011,\"api_key\":0,\"api_version\":3,\"correlation_id\":3}"),
		ADU(S2C, 0, 20, "response", "{\"length\":16,\"correlation_id\":1}"),
		ADU(S2C, 20, 16, "response", "{\"length\":12,\"correlation_id\":2}"),
		ADU(S2C, 36, 12, "response", "{\"length\":8,\"correlation_id\":3}"),
	};

	/* size 11 + 6000 = 6011 = 0x177b */
	memset(produce, 0x5a, sizeof(produce));
	memcpy(produce, "\x00\x00\x17\x7b\x00\x00\x00\x03\x00\x00\x00\x03\x00\x01" "c", 15);
	sh_check("kafka", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

/*
 * A 100 MiB Produce (Kafka's default socket.request.max.bytes) and a
 * 1 GiB Fetch response: after the 12- and 8-byte headers, everything is
 * skipped unseen. An unknown api_key (100) is still framed.
 */
static void test_kafka_large(void **state)
{
	(void)state;
	static const struct sh_big p[] = {
		/* size 104857600 = 0x06400000, Produce v9, corr 7 */
		{ C2S, "\x06\x40\x00\x00\x00\x00\x00\x09\x00\x00\x00\x07", 12 },
		{ C2S, NULL, 104857600 - 8 },
		/* api_key 100, size 10: 14 bytes */
		{ C2S, "\x00\x00\x00\x0a\x00\x64\x00\x00\x00\x00\x00\x08\xff\xff", 14 },
		/* size 1 GiB = 0x40000000, corr 7 */
		{ S2C, "\x40\x00\x00\x00\x00\x00\x00\x07", 8 },
		{ S2C, NULL, 0x40000000 - 4 },
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 104857604, "Produce",
		  "{\"length\":104857600,\"api_key\":0,\"api_version\":9,\"correlation_id\":7}"),
		ADU(C2S, 104857604, 14, "request", "\"api_key\":100"),
		ADU(S2C, 0, 0x40000004, "response", "{\"length\":1073741824,\"correlation_id\":7}"),
	};

	sh_big_check("kafka", p, SH_NELEM(p), exp, SH_NELEM(exp));
}

/*
 * Invalid headers: a request with api_key 0x1234 (and api_version
 * 0xffff), one with a size under the 10-byte minimum, a negative
 * response size. Each fails the leading test, so the scan restarts at
 * its second byte; every candidate inside the bad frame claims a
 * negative size or an api_key over 255 (the 0xff / 0x80 bytes), so
 * framing resumes at the next real frame, confirmed after three.
 */
static void test_kafka_resync(void **state)
{
	(void)state;
	static const struct sh_msg msgs[] = {
		/* api_key 0x1234: 0..15 */
		SH_C2S("\x00\x00\x00\x0b\x12\x34\xff\xff\xff\xff\xff\xff\xff\xff\xff"),
		/* Heartbeat v4, corr 10..12, size 10: 14 bytes each, 15..57 */
		SH_C2S("\x00\x00\x00\x0a\x00\x0c\x00\x04\x00\x00\x00\x0a\xff\xff"
		       "\x00\x00\x00\x0a\x00\x0c\x00\x04\x00\x00\x00\x0b\xff\xff"
		       "\x00\x00\x00\x0a\x00\x0c\x00\x04\x00\x00\x00\x0c\xff\xff"),
		/* size 9: 57..71 */
		SH_C2S("\x00\x00\x00\x09\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"),
		/* four more Heartbeats, corr 14..17: 71..127 */
		SH_C2S("\x00\x00\x00\x0a\x00\x0c\x00\x04\x00\x00\x00\x0e\xff\xff"
		       "\x00\x00\x00\x0a\x00\x0c\x00\x04\x00\x00\x00\x0f\xff\xff"
		       "\x00\x00\x00\x0a\x00\x0c\x00\x04\x00\x00\x00\x10\xff\xff"
		       "\x00\x00\x00\x0a\x00\x0c\x00\x04\x00\x00\x00\x11\xff\xff"),
		/* size 0x80808080 (negative): 0..10 */
		SH_S2C("\x80\x80\x80\x80\x80\x80\x80\x80\x90\x90"),
		/* Heartbeat responses, corr 10, 11: size 6 (10 each), 10..30 */
		SH_S2C("\x00\x00\x00\x06\x00\x00\x00\x0a\x00\x00"
		       "\x00\x00\x00\x06\x00\x00\x00\x0b\x00\x00"),
		SH_S2C("\x00\x00\x00\x06\x00\x00\x00\x0c\x00\x00"      /* 30..40 */
		       "\x00\x00\x00\x06\x00\x00\x00\x0e\x00\x00"),    /* 40..50 */
	};
	static const struct sh_expect exp[] = {
		UNC(C2S, 15, 14, "Heartbeat", "\"correlation_id\":10"),
		UNC(C2S, 29, 14, "Heartbeat", "\"correlation_id\":11"),
		UNC(C2S, 43, 14, "Heartbeat", "\"correlation_id\":12"),
		UNC(C2S, 71, 14, "Heartbeat", "\"correlation_id\":14"),
		UNC(C2S, 85, 14, "Heartbeat", "\"correlation_id\":15"),
		UNC(C2S, 99, 14, "Heartbeat", "\"correlation_id\":16"),
		ADU(C2S, 113, 14, "Heartbeat", "\"correlation_id\":17"),
		UNC(S2C, 10, 10, "response", "\"correlation_id\":10"),
		UNC(S2C, 20, 10, "response", "\"correlation_id\":11"),
		UNC(S2C, 30, 10, "response", "\"correlation_id\":12"),
		ADU(S2C, 40, 10, "response", "\"correlation_id\":14"),
	};
	struct sh_conv conv = { .spec = pne_builtin_spec("kafka"), .msgs = msgs,
				.nmsgs = SH_NELEM(msgs) };
	struct sh_result res;

	sh_check_conv(&conv, exp, SH_NELEM(exp), &res);
	assert_int_equal(res.stats.invalid, 3);
	assert_int_equal(res.stats.resyncs, 3);
	sh_result_free(&res);
}

/*
 * nDPI's kafka.pcapng (tests/cfgs/default/pcap), TCP stream 0, as
 * tshark's "follow,tcp,raw" shows it: librdkafka's ApiVersions v0 and
 * Metadata v2 requests (tshark: kafka.len 21 and 40, correlation ids
 * 129, 130) and three responses (kafka.len 346, 116, 116; correlation
 * ids 129, 130, 131).
 */
static void test_kafka_ndpi_capture(void **state)
{
	(void)state;
	static const struct sh_msg msgs[] = {
		SH_C2S("\x00\x00\x00\x15\x00\x12\x00\x00\x00\x00\x00\x81\x00\x07\x72\x64"
		       "\x6b\x61\x66\x6b\x61\x00\x00\x00\x00"),   /* 25 */
		SH_S2C("\x00\x00\x01\x5a\x00\x00\x00\x81\x00\x00\x00\x00\x00\x38\x00\x00"
		       "\x00\x00\x00\x09\x00\x01\x00\x00\x00\x0c\x00\x02\x00\x00\x00\x06"
		       "\x00\x03\x00\x00\x00\x0b\x00\x04\x00\x00\x00\x05\x00\x05\x00\x00"
		       "\x00\x03\x00\x06\x00\x00\x00\x07\x00\x07\x00\x00\x00\x03\x00\x08"
		       "\x00\x00\x00\x08\x00\x09\x00\x00\x00\x07\x00\x0a\x00\x00\x00\x03"
		       "\x00\x0b\x00\x00\x00\x07\x00\x0c\x00\x00\x00\x04\x00\x0d\x00\x00"
		       "\x00\x04\x00\x0e\x00\x00\x00\x05\x00\x0f\x00\x00\x00\x05\x00\x10"
		       "\x00\x00\x00\x04\x00\x11\x00\x00\x00\x01\x00\x12\x00\x00\x00\x03"
		       "\x00\x13\x00\x00\x00\x07\x00\x14\x00\x00\x00\x06\x00\x15\x00\x00"
		       "\x00\x02\x00\x16\x00\x00\x00\x04\x00\x17\x00\x00\x00\x04\x00\x18"
		       "\x00\x00\x00\x03\x00\x19\x00\x00\x00\x03\x00\x1a\x00\x00\x00\x03"
		       "\x00\x1b\x00\x00\x00\x01\x00\x1c\x00\x00\x00\x03\x00\x1d\x00\x00"
		       "\x00\x02\x00\x1e\x00\x00\x00\x02\x00\x1f\x00\x00\x00\x02\x00\x20"
		       "\x00\x00\x00\x04\x00\x21\x00\x00\x00\x02\x00\x22\x00\x00\x00\x02"
		       "\x00\x23\x00\x00\x00\x02\x00\x24\x00\x00\x00\x02\x00\x25\x00\x00"
		       "\x00\x03\x00\x26\x00\x00\x00\x02\x00\x27\x00\x00\x00\x02\x00\x28"
		       "\x00\x00\x00\x02\x00\x29\x00\x00\x00\x02\x00\x2a\x00\x00\x00\x02"
		       "\x00\x2b\x00\x00\x00\x02\x00\x2c\x00\x00\x00\x01\x00\x2d\x00\x00"
		       "\x00\x00\x00\x2e\x00\x00\x00\x00\x00\x2f\x00\x00\x00\x00\x00\x30"
		       "\x00\x00\x00\x01\x00\x31\x00\x00\x00\x01\x00\x32\x00\x00\x00\x00"
		       "\x00\x33\x00\x00\x00\x00\x00\x38\x00\x00\x00\x00\x00\x39\x00\x00"
		       "\x00\x00\x00\x3c\x00\x00\x00\x00\x00\x3d\x00\x00\x00\x00"),   /* 350 */
		SH_C2S("\x00\x00\x00\x28\x00\x03\x00\x02\x00\x00\x00\x82\x00\x07\x72\x64"
		       "\x6b\x61\x66\x6b\x61\x00\x00\x00\x01\x00\x11\x4c\x42\x5f\x4d\x41"
		       "\x49\x4e\x5f\x4c\x4f\x47\x5f\x49\x4e\x50\x55\x54"),   /* 44 */
		SH_S2C("\x00\x00\x00\x74\x00\x00\x00\x82\x00\x00\x00\x01\x00\x00\x03\xe9"
		       "\x00\x0c\x31\x37\x32\x2e\x33\x30\x2e\x30\x2e\x32\x33\x37\x00\x00"
		       "\x23\x84\xff\xff\x00\x16\x51\x35\x4e\x4e\x69\x58\x50\x66\x52\x32"
		       "\x71\x54\x41\x6f\x46\x35\x69\x37\x33\x4a\x50\x67\x00\x00\x03\xe9"
		       "\x00\x00\x00\x01\x00\x00\x00\x11\x4c\x42\x5f\x4d\x41\x49\x4e\x5f"
		       "\x4c\x4f\x47\x5f\x49\x4e\x50\x55\x54\x00\x00\x00\x00\x01\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x03\xe9\x00\x00\x00\x01\x00\x00\x03\xe9"
		       "\x00\x00\x00\x01\x00\x00\x03\xe9"),   /* 120 */
		SH_S2C("\x00\x00\x00\x74\x00\x00\x00\x83\x00\x00\x00\x01\x00\x00\x03\xe9"
		       "\x00\x0c\x31\x37\x32\x2e\x33\x30\x2e\x30\x2e\x32\x33\x37\x00\x00"
		       "\x23\x84\xff\xff\x00\x16\x51\x35\x4e\x4e\x69\x58\x50\x66\x52\x32"
		       "\x71\x54\x41\x6f\x46\x35\x69\x37\x33\x4a\x50\x67\x00\x00\x03\xe9"
		       "\x00\x00\x00\x01\x00\x00\x00\x11\x4c\x42\x5f\x4d\x41\x49\x4e\x5f"
		       "\x4c\x4f\x47\x5f\x49\x4e\x50\x55\x54\x00\x00\x00\x00\x01\x00\x00"
		       "\x00\x00\x00\x00\x00\x00\x03\xe9\x00\x00\x00\x01\x00\x00\x03\xe9"
		       "\x00\x00\x00\x01\x00\x00\x03\xe9"),   /* 120 */
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 25, "ApiVersions",
		  "{\"length\":21,\"api_key\":18,\"api_version\":0,\"correlation_id\":129}"),
		ADU(C2S, 25, 44, "Metadata",
		  "{\"length\":40,\"api_key\":3,\"api_version\":2,\"correlation_id\":130}"),
		ADU(S2C, 0, 350, "response", "{\"length\":346,\"correlation_id\":129}"),
		ADU(S2C, 350, 120, "response", "{\"length\":116,\"correlation_id\":130}"),
		ADU(S2C, 470, 120, "response", "{\"length\":116,\"correlation_id\":131}"),
	};

	sh_check("kafka", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

/*
 * Both directions picked up mid-stream, a few bytes before a frame
 * starts. Each earlier candidate header claims a negative size, so
 * framing resumes at the first real frame, unconfirmed.
 */
static void test_kafka_midstream(void **state)
{
	(void)state;
	static const struct sh_msg msgs[] = {
		/* the last 4 bytes of a request, then a 14-byte Heartbeat */
		SH_C2S("\xff\xff\xff\xff"
		       "\x00\x00\x00\x0a\x00\x0c\x00\x04\x00\x00\x00\x0e\xff\xff"),
		SH_S2C("\xff\xfe\xfd"
		       "\x00\x00\x00\x06\x00\x00\x00\x0a\x00\x00"),
	};
	static const struct sh_expect exp[] = {
		UNC(C2S, 4, 14, "Heartbeat", "\"correlation_id\":14"),
		UNC(S2C, 3, 10, "response", "\"correlation_id\":10"),
	};
	struct sh_conv conv = { .spec = pne_builtin_spec("kafka"), .msgs = msgs,
				.nmsgs = SH_NELEM(msgs), .unsynced_start = { 1, 1 } };

	sh_check_conv(&conv, exp, SH_NELEM(exp), NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kafka_requests),
		cmocka_unit_test(test_kafka_large),
		cmocka_unit_test(test_kafka_resync),
		cmocka_unit_test(test_kafka_ndpi_capture),
		cmocka_unit_test(test_kafka_midstream),
	};

	return cmocka_run_group_tests_name("spec_kafka", tests, NULL, NULL);
}
