/*
 * specs/mqtt.pne against byte streams built from OASIS MQTT 3.1.1
 * (section 2.2 fixed header, 3.x packet layouts) and MQTT 5.0 (AUTH).
 * Expected ADUs are written from the specification: offsets are sums of
 * the packet sizes noted beside each packet.
 */
#include "spec_harness.h"

#define C2S PNE_C2S
#define S2C PNE_S2C

/* An expected ADU; UNC: one found by a resync, not yet confirmed. */
#define ADU(d, off, len, type, fields) { d, off, len, type, fields, 0, 0 }
#define UNC(d, off, len, type, fields) { d, off, len, type, fields, 1, 0 }

/* CONNECT, CONNACK, SUBSCRIBE/SUBACK, PUBLISH, ping, DISCONNECT. */
static void test_mqtt_session(void **state)
{
	(void)state;
	static const struct sh_msg msgs[] = {
		/* CONNECT: protocol name, level 4, clean session, keep alive
		 * 60, client id "abc": remaining length 10 + 5 = 15. (17) */
		SH_C2S("\x10\x0f\x00\x04" "MQTT" "\x04\x02\x00\x3c\x00\x03" "abc"),
		/* CONNACK (4) */
		SH_S2C("\x20\x02\x00\x00"),
		/* SUBSCRIBE id 1, "a/b" QoS 0 (10); PUBLISH QoS 0 "a/b"
		 * "hello" (12); PINGREQ (2) */
		SH_C2S("\x82\x08\x00\x01\x00\x03" "a/b" "\x00"
		       "\x30\x0a\x00\x03" "a/b" "hello"
		       "\xc0\x00"),
		/* SUBACK id 1 QoS 0 (5); PINGRESP (2) */
		SH_S2C("\x90\x03\x00\x01\x00" "\xd0\x00"),
		/* DISCONNECT (2) */
		SH_C2S("\xe0\x00"),
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 17, "CONNECT",
		  "{\"packet_type\":1,\"flags\":0,\"remaining_length\":15}"),
		ADU(C2S, 17, 10, "SUBSCRIBE",
		  "{\"packet_type\":8,\"flags\":2,\"remaining_length\":8}"),
		ADU(C2S, 27, 12, "PUBLISH",
		  "{\"packet_type\":3,\"flags\":0,\"remaining_length\":10}"),
		ADU(C2S, 39, 2, "PINGREQ", "\"remaining_length\":0"),
		ADU(C2S, 41, 2, "DISCONNECT", NULL),
		ADU(S2C, 0, 4, "CONNACK", "\"remaining_length\":2"),
		ADU(S2C, 4, 5, "SUBACK", "\"remaining_length\":3"),
		ADU(S2C, 9, 2, "PINGRESP", NULL),
	};

	sh_check("mqtt", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

/*
 * QoS 2 flow and MQTT 5 AUTH; PUBLISH flags DUP|QoS2|RETAIN = 0xd.
 * Remaining lengths 127 (one byte, 0x7f), 128 (two, 0x80 0x01) and 321
 * (0xc1 0x02: 65 + 2 * 128).
 */
static void test_mqtt_remaining_length(void **state)
{
	(void)state;
	static uint8_t p127[2 + 127], p128[3 + 128], p321[3 + 321];
	static const uint8_t qos2[] =
		"\x34\x06\x00\x01" "t" "\x00\x09" "x"   /* PUBLISH QoS 2 id 9 (8) */
		"\x3d\x05\x00\x01" "u" "\x00\x0a"       /* DUP QoS 2 RETAIN id 10 (7) */
		"\x62\x02\x00\x09"                      /* PUBREL id 9 (4) */
		"\xf0\x00";                             /* AUTH, no properties (2) */
	static const uint8_t acks[] =
		"\x50\x02\x00\x09"                      /* PUBREC (4) */
		"\x70\x02\x00\x09";                     /* PUBCOMP (4) */
	const struct sh_msg msgs[] = {
		{ C2S, p127, sizeof(p127) },
		{ C2S, p128, sizeof(p128) },
		{ C2S, p321, sizeof(p321) },
		{ C2S, qos2, sizeof(qos2) - 1 },
		{ S2C, acks, sizeof(acks) - 1 },
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 129, "PUBLISH", "\"remaining_length\":127"),
		ADU(C2S, 129, 131, "PUBLISH", "\"remaining_length\":128"),
		ADU(C2S, 260, 324, "PUBLISH", "\"remaining_length\":321"),
		ADU(C2S, 584, 8, "PUBLISH",
		  "{\"packet_type\":3,\"flags\":4,\"remaining_length\":6}"),
		ADU(C2S, 592, 7, "PUBLISH", "\"flags\":13"),
		ADU(C2S, 599, 4, "PUBREL", "\"flags\":2"),
		ADU(C2S, 603, 2, "AUTH", NULL),
		ADU(S2C, 0, 4, "PUBREC", NULL),
		ADU(S2C, 4, 4, "PUBCOMP", NULL),
	};

	memset(p127, 'a', sizeof(p127));
	memcpy(p127, "\x30\x7f\x00\x01" "t", 5);
	memset(p128, 'b', sizeof(p128));
	memcpy(p128, "\x30\x80\x01\x00\x01" "t", 6);
	memset(p321, 'c', sizeof(p321));
	memcpy(p321, "\x31\xc1\x02\x00\x01" "t", 6);
	sh_check("mqtt", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

/*
 * Three- and four-byte remaining lengths, up to the largest allowed
 * (268,435,455 = 0xff 0xff 0xff 0x7f); the bodies are skipped unseen.
 */
static void test_mqtt_huge(void **state)
{
	(void)state;
	static const struct sh_big p[] = {
		{ C2S, "\x30\x80\x80\x01", 4 },        /* 16384 */
		{ C2S, NULL, 16384 },
		{ C2S, "\x30\x80\x80\x80\x01", 5 },    /* 2,097,152 */
		{ C2S, NULL, 2097152 },
		{ C2S, "\x30\xff\xff\xff\x7f", 5 },    /* 268,435,455 */
		{ C2S, NULL, 268435455 },
		{ C2S, "\xc0\x00", 2 },
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 16388, "PUBLISH", "\"remaining_length\":16384"),
		ADU(C2S, 16388, 2097157, "PUBLISH", "\"remaining_length\":2097152"),
		ADU(C2S, 2113545, 268435460, "PUBLISH", "\"remaining_length\":268435455"),
		ADU(C2S, 270549005, 2, "PINGREQ", NULL),
	};

	sh_big_check("mqtt", p, SH_NELEM(p), exp, SH_NELEM(exp));
}

/*
 * Invalid packets: type 0, a SUBSCRIBE with flags 0 (must be 0b0010), a
 * PUBLISH with QoS 3, a five-byte remaining length. Each makes the
 * stream invalid; resync confirms three packets from the next offset
 * whose first byte passes the fixed-header checks.
 */
static void test_mqtt_resync(void **state)
{
	(void)state;
	static const struct sh_msg msgs[] = {
		SH_C2S("\xc0\x00"),                         /* PINGREQ 0..2 */
		SH_C2S("\x00\x01\x02"),                     /* type 0: 2..5 */
		SH_C2S("\x32\x06\x00\x01" "t" "\x00\x07" "x" /* PUBLISH QoS1 5..13 */
		       "\xc0\x00"                           /* 13..15 */
		       "\xe0\x00"),                         /* 15..17 */
		SH_C2S("\xc0\x00"),                         /* 17..19 */
		SH_S2C("\x20\x02\x00\x00"),                 /* CONNACK 0..4 */
		SH_S2C("\x80\x00"                           /* SUBSCRIBE flags 0 */
		       "\x36\x00"                           /* PUBLISH QoS 3 */
		       "\x30\x80\x80\x80\x80\x01"),         /* 5-byte length */
		SH_S2C("\xd0\x00" "\xd0\x00" "\xd0\x00" "\xd0\x00"), /* 14..22 */
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 2, "PINGREQ", NULL),
		UNC(C2S, 5, 8, "PUBLISH", "\"flags\":2"),
		UNC(C2S, 13, 2, "PINGREQ", NULL),
		UNC(C2S, 15, 2, "DISCONNECT", NULL),
		ADU(C2S, 17, 2, "PINGREQ", NULL),
		ADU(S2C, 0, 4, "CONNACK", NULL),
		UNC(S2C, 14, 2, "PINGRESP", NULL),
		UNC(S2C, 16, 2, "PINGRESP", NULL),
		UNC(S2C, 18, 2, "PINGRESP", NULL),
		ADU(S2C, 20, 2, "PINGRESP", NULL),
	};
	struct sh_conv conv = { .spec = pne_builtin_spec("mqtt"), .msgs = msgs,
				.nmsgs = SH_NELEM(msgs) };
	struct sh_result res;

	sh_check_conv(&conv, exp, SH_NELEM(exp), &res);
	assert_true(res.stats.invalid >= 2);
	assert_true(res.stats.resyncs >= 2);
	sh_result_free(&res);
}

/*
 * zeek's mqtt.pcap (testing/btest/Traces), TCP stream 0, as tshark's
 * "follow,tcp,raw" shows it: MQTT 3.1 CONNECT ("MQIsdp"), SUBSCRIBE,
 * a retained PUBLISH from the server, ping. tshark's mqtt.len (remaining
 * length) per packet: 37, 2, 16, 3, 48, 0, 0.
 */
static void test_mqtt_zeek_capture(void **state)
{
	(void)state;
	static const struct sh_msg msgs[] = {
		SH_C2S("\x10\x25\x00\x06\x4d\x51\x49\x73\x64\x70\x03\x02\x00\x05\x00\x17"
		       "\x70\x61\x68\x6f\x2f\x33\x34\x41\x41\x45\x35\x34\x41\x37\x35\x44"
		       "\x38\x33\x39\x35\x36\x36\x45"),
		SH_S2C("\x20\x02\x00\x00"),
		SH_C2S("\x82\x10\x00\x01\x00\x0b\x53\x61\x6d\x70\x6c\x65\x54\x6f\x70\x69"
		       "\x63\x00"),
		SH_S2C("\x90\x03\x00\x01\x00"),
		SH_S2C("\x31\x30\x00\x0b\x53\x61\x6d\x70\x6c\x65\x54\x6f\x70\x69\x63\x48"
		       "\x65\x6c\x6c\x6f\x20\x66\x72\x6f\x6d\x20\x74\x68\x65\x20\x50\x61"
		       "\x68\x6f\x20\x62\x6c\x6f\x63\x6b\x69\x6e\x67\x20\x63\x6c\x69\x65"
		       "\x6e\x74"),
		SH_C2S("\xc0\x00"),
		SH_S2C("\xd0\x00"),
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 39, "CONNECT", "\"remaining_length\":37"),
		ADU(C2S, 39, 18, "SUBSCRIBE", "\"remaining_length\":16"),
		ADU(C2S, 57, 2, "PINGREQ", NULL),
		ADU(S2C, 0, 4, "CONNACK", "\"remaining_length\":2"),
		ADU(S2C, 4, 5, "SUBACK", "\"remaining_length\":3"),
		ADU(S2C, 9, 50, "PUBLISH",
		  "{\"packet_type\":3,\"flags\":1,\"remaining_length\":48}"),
		ADU(S2C, 59, 2, "PINGRESP", NULL),
	};

	sh_check("mqtt", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mqtt_session),
		cmocka_unit_test(test_mqtt_remaining_length),
		cmocka_unit_test(test_mqtt_huge),
		cmocka_unit_test(test_mqtt_resync),
		cmocka_unit_test(test_mqtt_zeek_capture),
	};

	return cmocka_run_group_tests_name("spec_mqtt", tests, NULL, NULL);
}
