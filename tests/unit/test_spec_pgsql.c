/*
 * specs/pgsql.pne against byte streams built from the PostgreSQL
 * documentation, chapter "Frontend/Backend Protocol" (message flow and
 * message formats), and zeek's postgresql/psql-create-insert-select-
 * delete-drop.pcap. A typed message is its type byte plus the Int32
 * length, which counts itself: ADU length = length + 1.
 */
#include "spec_harness.h"

#define C2S PNE_C2S
#define S2C PNE_S2C

/* An expected ADU; UNC: one found by a resync, not yet confirmed. */
#define ADU(d, off, len, type, fields) { d, off, len, type, fields, 0, 0 }
#define UNC(d, off, len, type, fields) { d, off, len, type, fields, 1, 0 }

/* GSSENCRequest and SSLRequest refused ('N'), StartupMessage, trust
 * authentication, one simple query, Terminate. */
static void test_pgsql_startup_query(void **state)
{
	(void)state;
	static const struct sh_msg msgs[] = {
		/* GSSENCRequest: length 8, code 80877104 (8) */
		SH_C2S("\x00\x00\x00\x08\x04\xd2\x16\x30"),
		SH_S2C("N"),
		/* SSLRequest: code 80877103 (8) */
		SH_C2S("\x00\x00\x00\x08\x04\xd2\x16\x2f"),
		SH_S2C("N"),
		/* StartupMessage 3.0, user=bob: 8 + 10 = 18 */
		SH_C2S("\x00\x00\x00\x12\x00\x03\x00\x00" "user\0bob\0\0"),
		/* AuthenticationOk (9), ParameterStatus server_version 16.1
		 * (25), BackendKeyData (13), ReadyForQuery idle (6) */
		SH_S2C("R\x00\x00\x00\x08\x00\x00\x00\x00"
		       "S\x00\x00\x00\x18" "server_version\0" "16.1\0"
		       "K\x00\x00\x00\x0c\x00\x00\x30\x39\x12\x34\x56\x78"
		       "Z\x00\x00\x00\x05" "I"),
		/* Query "SELECT 1;" (15) */
		SH_C2S("Q\x00\x00\x00\x0e" "SELECT 1;\0"),
		/* RowDescription of "?column?" int4 (34), DataRow "1" (12),
		 * CommandComplete "SELECT 1" (14), ReadyForQuery (6) */
		SH_S2C("T\x00\x00\x00\x21\x00\x01" "?column?\0"
		       "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x17\x00\x04\xff\xff\xff\xff\x00\x00"
		       "D\x00\x00\x00\x0b\x00\x01\x00\x00\x00\x01" "1"
		       "C\x00\x00\x00\x0d" "SELECT 1\0"
		       "Z\x00\x00\x00\x05" "I"),
		/* Terminate (5) */
		SH_C2S("X\x00\x00\x00\x04"),
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 8, "GSSENCRequest", "{\"length\":8}"),
		ADU(C2S, 8, 8, "SSLRequest", "{\"length\":8}"),
		ADU(C2S, 16, 18, "StartupMessage", "{\"length\":18}"),
		ADU(C2S, 34, 15, "Query", "{\"length\":14}"),
		ADU(C2S, 49, 5, "Terminate", "{\"length\":4}"),
		ADU(S2C, 0, 1, "GSSENCResponse", NULL),
		ADU(S2C, 1, 1, "SSLResponse", NULL),
		ADU(S2C, 2, 9, "Authentication", "{\"length\":8}"),
		ADU(S2C, 11, 25, "ParameterStatus", "{\"length\":24}"),
		ADU(S2C, 36, 13, "BackendKeyData", "{\"length\":12}"),
		ADU(S2C, 49, 6, "ReadyForQuery", "{\"length\":5}"),
		ADU(S2C, 55, 34, "RowDescription", "{\"length\":33}"),
		ADU(S2C, 89, 12, "DataRow", "{\"length\":11}"),
		ADU(S2C, 101, 14, "CommandComplete", "{\"length\":13}"),
		ADU(S2C, 115, 6, "ReadyForQuery", "{\"length\":5}"),
	};

	sh_check("pgsql", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

/* SSLRequest accepted ('S'): both directions carry TLS from then on and
 * nothing more is framed. */
static void test_pgsql_ssl_accepted(void **state)
{
	(void)state;
	static const struct sh_msg msgs[] = {
		SH_C2S("\x00\x00\x00\x08\x04\xd2\x16\x2f"),
		SH_S2C("S"),
		/* TLS records: a ClientHello and a ServerHello fragment */
		SH_C2S("\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00"),
		SH_S2C("\x16\x03\x03\x00\x04\x02\x00\x00\x00"),
		SH_C2S("Q\x00\x00\x00\x0e" "SELECT 1;\0"),
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 8, "SSLRequest", "{\"length\":8}"),
		ADU(S2C, 0, 1, "SSLResponse", NULL),
	};
	struct sh_conv conv = { .spec = pne_builtin_spec("pgsql"), .msgs = msgs,
				.nmsgs = SH_NELEM(msgs) };
	struct sh_result res;

	sh_check_conv(&conv, exp, SH_NELEM(exp), &res);
	assert_int_equal(res.status[0], PNE_IS_OPAQUE);
	assert_int_equal(res.status[1], PNE_IS_OPAQUE);
	assert_int_equal(res.stats.invalid, 0);
	sh_result_free(&res);
}

/* A server too old for SSL answers SSLRequest with an ErrorResponse
 * (severity FATAL) and closes: the client's request stops waiting. */
static void test_pgsql_ssl_old_server(void **state)
{
	(void)state;
	static const struct sh_msg msgs[] = {
		SH_C2S("\x00\x00\x00\x08\x04\xd2\x16\x2f"),
		/* 'S' "FATAL", terminator: 4 + 7 + 1 = 12 (13) */
		SH_S2C("E\x00\x00\x00\x0c" "SFATAL\0" "\0"),
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 8, "SSLRequest", "{\"length\":8}"),
		ADU(S2C, 0, 13, "ErrorResponse", "{\"length\":12}"),
	};
	struct sh_conv conv = { .spec = pne_builtin_spec("pgsql"), .msgs = msgs,
				.nmsgs = SH_NELEM(msgs) };
	struct sh_result res;

	sh_check_conv(&conv, exp, SH_NELEM(exp), &res);
	assert_int_equal(res.stats.invalid, 0);
	assert_int_equal(res.stats.partial, 0);
	sh_result_free(&res);
}

/* CancelRequest: length 16, code 80877102, process id, secret key. */
static void test_pgsql_cancel(void **state)
{
	(void)state;
	static const struct sh_msg msgs[] = {
		SH_C2S("\x00\x00\x00\x10\x04\xd2\x16\x2e\x00\x00\x30\x39\x12\x34\x56\x78"),
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 16, "CancelRequest", "{\"length\":16}"),
	};

	sh_check("pgsql", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

/*
 * Extended query protocol (Parse/Bind/Describe/Execute/Sync) in one
 * segment; then a client message with an unknown type byte (0x01) and
 * one with a length under 4: the client direction resyncs, confirming
 * three messages. The server direction is picked up mid-stream (inside
 * a DataRow) and resyncs on the ReadyForQuery anchor.
 */
static void test_pgsql_resync(void **state)
{
	(void)state;
	static const struct sh_msg msgs[] = {
		/* Parse "" "SELECT 1" no params: 4 + 1 + 9 + 2 = 16 (17) */
		SH_C2S("P\x00\x00\x00\x10\0" "SELECT 1\0" "\x00\x00"
		       /* Bind "" "" 0 0 0: 4 + 1 + 1 + 2 + 2 + 2 = 12 (13) */
		       "B\x00\x00\x00\x0c\0\0\x00\x00\x00\x00\x00\x00"
		       /* Describe portal "": 4 + 1 + 1 = 6 (7) */
		       "D\x00\x00\x00\x06" "P\0"
		       /* Execute "" 0: 4 + 1 + 4 = 9 (10) */
		       "E\x00\x00\x00\x09\0\x00\x00\x00\x00"
		       /* Sync (5): 47..52 */
		       "S\x00\x00\x00\x04"),
		/* 52: type 0x01, invalid; 53: 0x02, skipped by the scan */
		SH_C2S("\x01\x02"),
		/* Sync, Flush, Sync: 54..69, unconfirmed */
		SH_C2S("S\x00\x00\x00\x04" "H\x00\x00\x00\x04" "S\x00\x00\x00\x04"),
		/* 69: a Query whose length is 3: invalid after 5 bytes */
		SH_C2S("Q\x00\x00\x00\x03"),
		/* 74: Sync x4 */
		SH_C2S("S\x00\x00\x00\x04" "S\x00\x00\x00\x04" "S\x00\x00\x00\x04"
		       "S\x00\x00\x00\x04"),
		/* the end of a DataRow, CommandComplete "SELECT 1" (14), then
		 * ReadyForQuery at 22 and a ParseComplete */
		SH_S2C("\x00\x00\x00\x01" "1"
		       "C\x00\x00\x00\x0d" "SELECT 1\0"),
		SH_S2C("\x00\x00\x00" "Z\x00\x00\x00\x05" "I" "1\x00\x00\x00\x04"),
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 17, "Parse", "{\"length\":16}"),
		ADU(C2S, 17, 13, "Bind", "{\"length\":12}"),
		ADU(C2S, 30, 7, "Describe", NULL),
		ADU(C2S, 37, 10, "Execute", NULL),
		ADU(C2S, 47, 5, "Sync", NULL),
		UNC(C2S, 54, 5, "Sync", NULL),
		UNC(C2S, 59, 5, "Flush", NULL),
		UNC(C2S, 64, 5, "Sync", NULL),
		UNC(C2S, 74, 5, "Sync", NULL),
		UNC(C2S, 79, 5, "Sync", NULL),
		UNC(C2S, 84, 5, "Sync", NULL),
		ADU(C2S, 89, 5, "Sync", NULL),
		UNC(S2C, 22, 6, "ReadyForQuery", "{\"length\":5}"),
		ADU(S2C, 28, 5, "ParseComplete", "{\"length\":4}"),
	};
	struct sh_conv conv = { .spec = pne_builtin_spec("pgsql"), .msgs = msgs,
				.nmsgs = SH_NELEM(msgs), .unsynced_start = { 0, 1 } };
	struct sh_result res;

	sh_check_conv(&conv, exp, SH_NELEM(exp), &res);
	assert_int_equal(res.stats.invalid, 2);
	sh_result_free(&res);
}

/*
 * zeek's postgresql/psql-create-insert-select-delete-drop.pcap, as
 * tshark's "follow,tcp,raw" shows it: StartupMessage, SCRAM-SHA-256
 * authentication, seven simple queries, Terminate. The expected list
 * follows tshark's pgsql.type and pgsql.length for every message.
 */
static void test_pgsql_zeek_capture(void **state)
{
	(void)state;
	static const struct sh_msg msgs[] = {
		SH_C2S("\x00\x00\x00\x54\x00\x03\x00\x00\x75\x73\x65\x72\x00\x70\x6f\x73"
		       "\x74\x67\x72\x65\x73\x00\x64\x61\x74\x61\x62\x61\x73\x65\x00\x70"
		       "\x6f\x73\x74\x67\x72\x65\x73\x00\x61\x70\x70\x6c\x69\x63\x61\x74"
		       "\x69\x6f\x6e\x5f\x6e\x61\x6d\x65\x00\x70\x73\x71\x6c\x00\x63\x6c"
		       "\x69\x65\x6e\x74\x5f\x65\x6e\x63\x6f\x64\x69\x6e\x67\x00\x55\x54"
		       "\x46\x38\x00\x00"),   /* 84 */
		SH_S2C("\x52\x00\x00\x00\x17\x00\x00\x00\x0a\x53\x43\x52\x41\x4d\x2d\x53"
		       "\x48\x41\x2d\x32\x35\x36\x00\x00"),   /* 24 */
		SH_C2S("\x70\x00\x00\x00\x36\x53\x43\x52\x41\x4d\x2d\x53\x48\x41\x2d\x32"
		       "\x35\x36\x00\x00\x00\x00\x20\x6e\x2c\x2c\x6e\x3d\x2c\x72\x3d\x55"
		       "\x35\x64\x44\x77\x36\x45\x6a\x6f\x70\x30\x42\x46\x71\x55\x75\x4c"
		       "\x73\x58\x76\x4c\x46\x45\x46"),   /* 55 */
		SH_S2C("\x52\x00\x00\x00\x5c\x00\x00\x00\x0b\x72\x3d\x55\x35\x64\x44\x77"
		       "\x36\x45\x6a\x6f\x70\x30\x42\x46\x71\x55\x75\x4c\x73\x58\x76\x4c"
		       "\x46\x45\x46\x35\x2b\x4c\x63\x2f\x6e\x71\x43\x5a\x57\x30\x6c\x33"
		       "\x6c\x4a\x39\x41\x53\x6c\x48\x47\x35\x78\x78\x2c\x73\x3d\x69\x4b"
		       "\x55\x69\x32\x36\x6c\x77\x71\x41\x36\x73\x70\x49\x6b\x64\x64\x68"
		       "\x65\x37\x68\x77\x3d\x3d\x2c\x69\x3d\x34\x30\x39\x36"),   /* 93 */
		SH_C2S("\x70\x00\x00\x00\x6c\x63\x3d\x62\x69\x77\x73\x2c\x72\x3d\x55\x35"
		       "\x64\x44\x77\x36\x45\x6a\x6f\x70\x30\x42\x46\x71\x55\x75\x4c\x73"
		       "\x58\x76\x4c\x46\x45\x46\x35\x2b\x4c\x63\x2f\x6e\x71\x43\x5a\x57"
		       "\x30\x6c\x33\x6c\x4a\x39\x41\x53\x6c\x48\x47\x35\x78\x78\x2c\x70"
		       "\x3d\x72\x58\x67\x68\x4c\x71\x75\x47\x6b\x4d\x37\x75\x39\x4d\x72"
		       "\x71\x46\x68\x45\x4d\x34\x33\x5a\x46\x4e\x78\x69\x55\x48\x56\x64"
		       "\x32\x37\x59\x7a\x4a\x4c\x74\x78\x48\x2f\x65\x73\x3d"),   /* 109 */
		SH_S2C("\x52\x00\x00\x00\x36\x00\x00\x00\x0c\x76\x3d\x72\x69\x31\x45\x38"
		       "\x4b\x35\x31\x42\x41\x66\x37\x34\x48\x77\x58\x4f\x37\x50\x32\x74"
		       "\x64\x47\x46\x50\x38\x4a\x74\x6f\x67\x63\x36\x36\x71\x47\x38\x66"
		       "\x47\x4c\x41\x6b\x65\x45\x3d\x52\x00\x00\x00\x08\x00\x00\x00\x00"
		       "\x53\x00\x00\x00\x17\x69\x6e\x5f\x68\x6f\x74\x5f\x73\x74\x61\x6e"
		       "\x64\x62\x79\x00\x6f\x66\x66\x00\x53\x00\x00\x00\x19\x69\x6e\x74"
		       "\x65\x67\x65\x72\x5f\x64\x61\x74\x65\x74\x69\x6d\x65\x73\x00\x6f"
		       "\x6e\x00\x53\x00\x00\x00\x15\x54\x69\x6d\x65\x5a\x6f\x6e\x65\x00"
		       "\x45\x74\x63\x2f\x55\x54\x43\x00\x53\x00\x00\x00\x1b\x49\x6e\x74"
		       "\x65\x72\x76\x61\x6c\x53\x74\x79\x6c\x65\x00\x70\x6f\x73\x74\x67"
		       "\x72\x65\x73\x00\x53\x00\x00\x00\x14\x69\x73\x5f\x73\x75\x70\x65"
		       "\x72\x75\x73\x65\x72\x00\x6f\x6e\x00\x53\x00\x00\x00\x1a\x61\x70"
		       "\x70\x6c\x69\x63\x61\x74\x69\x6f\x6e\x5f\x6e\x61\x6d\x65\x00\x70"
		       "\x73\x71\x6c\x00\x53\x00\x00\x00\x26\x64\x65\x66\x61\x75\x6c\x74"
		       "\x5f\x74\x72\x61\x6e\x73\x61\x63\x74\x69\x6f\x6e\x5f\x72\x65\x61"
		       "\x64\x5f\x6f\x6e\x6c\x79\x00\x6f\x66\x66\x00\x53\x00\x00\x00\x1a"
		       "\x73\x63\x72\x61\x6d\x5f\x69\x74\x65\x72\x61\x74\x69\x6f\x6e\x73"
		       "\x00\x34\x30\x39\x36\x00\x53\x00\x00\x00\x17\x44\x61\x74\x65\x53"
		       "\x74\x79\x6c\x65\x00\x49\x53\x4f\x2c\x20\x4d\x44\x59\x00\x53\x00"
		       "\x00\x00\x23\x73\x74\x61\x6e\x64\x61\x72\x64\x5f\x63\x6f\x6e\x66"
		       "\x6f\x72\x6d\x69\x6e\x67\x5f\x73\x74\x72\x69\x6e\x67\x73\x00\x6f"
		       "\x6e\x00\x53\x00\x00\x00\x23\x73\x65\x73\x73\x69\x6f\x6e\x5f\x61"
		       "\x75\x74\x68\x6f\x72\x69\x7a\x61\x74\x69\x6f\x6e\x00\x70\x6f\x73"
		       "\x74\x67\x72\x65\x73\x00\x53\x00\x00\x00\x19\x63\x6c\x69\x65\x6e"
		       "\x74\x5f\x65\x6e\x63\x6f\x64\x69\x6e\x67\x00\x55\x54\x46\x38\x00"
		       "\x53\x00\x00\x00\x32\x73\x65\x72\x76\x65\x72\x5f\x76\x65\x72\x73"
		       "\x69\x6f\x6e\x00\x31\x36\x2e\x34\x20\x28\x44\x65\x62\x69\x61\x6e"
		       "\x20\x31\x36\x2e\x34\x2d\x31\x2e\x70\x67\x64\x67\x31\x32\x30\x2b"
		       "\x31\x29\x00\x53\x00\x00\x00\x19\x73\x65\x72\x76\x65\x72\x5f\x65"
		       "\x6e\x63\x6f\x64\x69\x6e\x67\x00\x55\x54\x46\x38\x00\x4b\x00\x00"
		       "\x00\x0c\x00\x00\x00\x84\xcc\xa9\x4b\x71\x5a\x00\x00\x00\x05\x49"),   /* 496 */
		SH_C2S("\x51\x00\x00\x00\x1c\x44\x52\x4f\x50\x20\x54\x41\x42\x4c\x45\x20"
		       "\x49\x46\x20\x45\x58\x49\x53\x54\x53\x20\x74\x3b\x00"),   /* 29 */
		SH_S2C("\x4e\x00\x00\x00\x6c\x53\x4e\x4f\x54\x49\x43\x45\x00\x56\x4e\x4f"
		       "\x54\x49\x43\x45\x00\x43\x30\x30\x30\x30\x30\x00\x4d\x74\x61\x62"
		       "\x6c\x65\x20\x22\x74\x22\x20\x64\x6f\x65\x73\x20\x6e\x6f\x74\x20"
		       "\x65\x78\x69\x73\x74\x2c\x20\x73\x6b\x69\x70\x70\x69\x6e\x67\x00"
		       "\x46\x74\x61\x62\x6c\x65\x63\x6d\x64\x73\x2e\x63\x00\x4c\x31\x33"
		       "\x30\x30\x00\x52\x44\x72\x6f\x70\x45\x72\x72\x6f\x72\x4d\x73\x67"
		       "\x4e\x6f\x6e\x45\x78\x69\x73\x74\x65\x6e\x74\x00\x00\x43\x00\x00"
		       "\x00\x0f\x44\x52\x4f\x50\x20\x54\x41\x42\x4c\x45\x00\x5a\x00\x00"
		       "\x00\x05\x49"),   /* 131 */
		SH_C2S("\x51\x00\x00\x00\x3d\x43\x52\x45\x41\x54\x45\x20\x54\x41\x42\x4c"
		       "\x45\x20\x49\x46\x20\x4e\x4f\x54\x20\x45\x58\x49\x53\x54\x53\x20"
		       "\x74\x20\x28\x69\x20\x69\x6e\x74\x2c\x20\x73\x20\x76\x61\x72\x63"
		       "\x68\x61\x72\x2c\x20\x74\x20\x74\x69\x6d\x65\x29\x3b\x00"),   /* 62 */
		SH_S2C("\x43\x00\x00\x00\x11\x43\x52\x45\x41\x54\x45\x20\x54\x41\x42\x4c"
		       "\x45\x00\x5a\x00\x00\x00\x05\x49"),   /* 24 */
		SH_C2S("\x51\x00\x00\x00\x33\x49\x4e\x53\x45\x52\x54\x20\x49\x4e\x54\x4f"
		       "\x20\x74\x20\x56\x41\x4c\x55\x45\x53\x20\x28\x34\x32\x2c\x20\x27"
		       "\x66\x6f\x72\x74\x79\x2d\x74\x77\x6f\x27\x2c\x20\x6e\x6f\x77\x28"
		       "\x29\x29\x3b\x00"),   /* 52 */
		SH_S2C("\x43\x00\x00\x00\x0f\x49\x4e\x53\x45\x52\x54\x20\x30\x20\x31\x00"
		       "\x5a\x00\x00\x00\x05\x49"),   /* 22 */
		SH_C2S("\x51\x00\x00\x00\x34\x49\x4e\x53\x45\x52\x54\x20\x49\x4e\x54\x4f"
		       "\x20\x74\x20\x56\x41\x4c\x55\x45\x53\x20\x28\x38\x36\x2c\x20\x27"
		       "\x65\x69\x67\x68\x74\x79\x2d\x73\x69\x78\x27\x2c\x20\x6e\x6f\x77"
		       "\x28\x29\x29\x3b\x00"),   /* 53 */
		SH_S2C("\x43\x00\x00\x00\x0f\x49\x4e\x53\x45\x52\x54\x20\x30\x20\x31\x00"
		       "\x5a\x00\x00\x00\x05\x49"),   /* 22 */
		SH_C2S("\x51\x00\x00\x00\x15\x53\x45\x4c\x45\x43\x54\x20\x2a\x20\x66\x72"
		       "\x6f\x6d\x20\x74\x3b\x00"),   /* 22 */
		SH_S2C("\x54\x00\x00\x00\x42\x00\x03\x69\x00\x00\x00\x40\x47\x00\x01\x00"
		       "\x00\x00\x17\x00\x04\xff\xff\xff\xff\x00\x00\x73\x00\x00\x00\x40"
		       "\x47\x00\x02\x00\x00\x04\x13\xff\xff\xff\xff\xff\xff\x00\x00\x74"
		       "\x00\x00\x00\x40\x47\x00\x03\x00\x00\x04\x3b\x00\x08\xff\xff\xff"
		       "\xff\x00\x00\x44\x00\x00\x00\x2b\x00\x03\x00\x00\x00\x02\x34\x32"
		       "\x00\x00\x00\x09\x66\x6f\x72\x74\x79\x2d\x74\x77\x6f\x00\x00\x00"
		       "\x0e\x31\x32\x3a\x35\x34\x3a\x32\x36\x2e\x38\x30\x37\x31\x39\x44"
		       "\x00\x00\x00\x2d\x00\x03\x00\x00\x00\x02\x38\x36\x00\x00\x00\x0a"
		       "\x65\x69\x67\x68\x74\x79\x2d\x73\x69\x78\x00\x00\x00\x0f\x31\x32"
		       "\x3a\x35\x34\x3a\x32\x36\x2e\x38\x30\x38\x33\x32\x36\x43\x00\x00"
		       "\x00\x0d\x53\x45\x4c\x45\x43\x54\x20\x32\x00\x5a\x00\x00\x00\x05"
		       "\x49"),   /* 177 */
		SH_C2S("\x51\x00\x00\x00\x13\x44\x45\x4c\x45\x54\x45\x20\x46\x52\x4f\x4d"
		       "\x20\x74\x3b\x00"),   /* 20 */
		SH_S2C("\x43\x00\x00\x00\x0d\x44\x45\x4c\x45\x54\x45\x20\x32\x00\x5a\x00"
		       "\x00\x00\x05\x49"),   /* 20 */
		SH_C2S("\x51\x00\x00\x00\x12\x44\x52\x4f\x50\x20\x54\x41\x42\x4c\x45\x20"
		       "\x74\x3b\x00"),   /* 19 */
		SH_S2C("\x43\x00\x00\x00\x0f\x44\x52\x4f\x50\x20\x54\x41\x42\x4c\x45\x00"
		       "\x5a\x00\x00\x00\x05\x49"),   /* 22 */
		SH_C2S("\x58\x00\x00\x00\x04"),   /* 5 */
	};
	static const struct sh_expect exp[] = {
		ADU(C2S, 0, 84, "StartupMessage", "{\"length\":84}"),
		ADU(C2S, 84, 55, "PasswordMessage", "{\"length\":54}"),
		ADU(C2S, 139, 109, "PasswordMessage", "{\"length\":108}"),
		ADU(C2S, 248, 29, "Query", "{\"length\":28}"),
		ADU(C2S, 277, 62, "Query", "{\"length\":61}"),
		ADU(C2S, 339, 52, "Query", "{\"length\":51}"),
		ADU(C2S, 391, 53, "Query", "{\"length\":52}"),
		ADU(C2S, 444, 22, "Query", "{\"length\":21}"),
		ADU(C2S, 466, 20, "Query", "{\"length\":19}"),
		ADU(C2S, 486, 19, "Query", "{\"length\":18}"),
		ADU(C2S, 505, 5, "Terminate", "{\"length\":4}"),
		ADU(S2C, 0, 24, "Authentication", "{\"length\":23}"),
		ADU(S2C, 24, 93, "Authentication", "{\"length\":92}"),
		ADU(S2C, 117, 55, "Authentication", "{\"length\":54}"),
		ADU(S2C, 172, 9, "Authentication", "{\"length\":8}"),
		ADU(S2C, 181, 24, "ParameterStatus", "{\"length\":23}"),
		ADU(S2C, 205, 26, "ParameterStatus", "{\"length\":25}"),
		ADU(S2C, 231, 22, "ParameterStatus", "{\"length\":21}"),
		ADU(S2C, 253, 28, "ParameterStatus", "{\"length\":27}"),
		ADU(S2C, 281, 21, "ParameterStatus", "{\"length\":20}"),
		ADU(S2C, 302, 27, "ParameterStatus", "{\"length\":26}"),
		ADU(S2C, 329, 39, "ParameterStatus", "{\"length\":38}"),
		ADU(S2C, 368, 27, "ParameterStatus", "{\"length\":26}"),
		ADU(S2C, 395, 24, "ParameterStatus", "{\"length\":23}"),
		ADU(S2C, 419, 36, "ParameterStatus", "{\"length\":35}"),
		ADU(S2C, 455, 36, "ParameterStatus", "{\"length\":35}"),
		ADU(S2C, 491, 26, "ParameterStatus", "{\"length\":25}"),
		ADU(S2C, 517, 51, "ParameterStatus", "{\"length\":50}"),
		ADU(S2C, 568, 26, "ParameterStatus", "{\"length\":25}"),
		ADU(S2C, 594, 13, "BackendKeyData", "{\"length\":12}"),
		ADU(S2C, 607, 6, "ReadyForQuery", "{\"length\":5}"),
		ADU(S2C, 613, 109, "NoticeResponse", "{\"length\":108}"),
		ADU(S2C, 722, 16, "CommandComplete", "{\"length\":15}"),
		ADU(S2C, 738, 6, "ReadyForQuery", "{\"length\":5}"),
		ADU(S2C, 744, 18, "CommandComplete", "{\"length\":17}"),
		ADU(S2C, 762, 6, "ReadyForQuery", "{\"length\":5}"),
		ADU(S2C, 768, 16, "CommandComplete", "{\"length\":15}"),
		ADU(S2C, 784, 6, "ReadyForQuery", "{\"length\":5}"),
		ADU(S2C, 790, 16, "CommandComplete", "{\"length\":15}"),
		ADU(S2C, 806, 6, "ReadyForQuery", "{\"length\":5}"),
		ADU(S2C, 812, 67, "RowDescription", "{\"length\":66}"),
		ADU(S2C, 879, 44, "DataRow", "{\"length\":43}"),
		ADU(S2C, 923, 46, "DataRow", "{\"length\":45}"),
		ADU(S2C, 969, 14, "CommandComplete", "{\"length\":13}"),
		ADU(S2C, 983, 6, "ReadyForQuery", "{\"length\":5}"),
		ADU(S2C, 989, 14, "CommandComplete", "{\"length\":13}"),
		ADU(S2C, 1003, 6, "ReadyForQuery", "{\"length\":5}"),
		ADU(S2C, 1009, 16, "CommandComplete", "{\"length\":15}"),
		ADU(S2C, 1025, 6, "ReadyForQuery", "{\"length\":5}"),
	};

	sh_check("pgsql", msgs, SH_NELEM(msgs), exp, SH_NELEM(exp));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pgsql_startup_query),
		cmocka_unit_test(test_pgsql_ssl_accepted),
		cmocka_unit_test(test_pgsql_ssl_old_server),
		cmocka_unit_test(test_pgsql_cancel),
		cmocka_unit_test(test_pgsql_resync),
		cmocka_unit_test(test_pgsql_zeek_capture),
	};

	return cmocka_run_group_tests_name("spec_pgsql", tests, NULL, NULL);
}
