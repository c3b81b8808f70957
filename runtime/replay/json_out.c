/*
 * JSON output of pne-replay: ADU records in the ADU log format
 * (docs/adu-log.md) and the pieces of the stats document.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "replay.h"

static const char *const dir_name[2] = { "c2s", "s2c" };

void rpl_json_string(FILE *f, const char *s)
{
	putc('"', f);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			putc('\\', f);
			putc(c, f);
		} else if (c < 0x20) {
			fprintf(f, "\\u%04x", c);
		} else {
			putc(c, f);
		}
	}
	putc('"', f);
}

/* IPv4 keys are stored v4-mapped (pne/packet.h): ::ffff:a.b.c.d. */
static int v4_mapped(const uint8_t a[16])
{
	static const uint8_t prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	return memcmp(a, prefix, sizeof(prefix)) == 0;
}

/* "a.b.c.d:port" or "[v6]:port"; returns the characters written. */
static int endpoint(char *buf, size_t cap, const uint8_t a[16], uint16_t port)
{
	char ip[INET6_ADDRSTRLEN];

	if (v4_mapped(a)) {
		inet_ntop(AF_INET, a + 12, ip, sizeof(ip));
		return snprintf(buf, cap, "%s:%u", ip, port);
	}
	inet_ntop(AF_INET6, a, ip, sizeof(ip));
	return snprintf(buf, cap, "[%s]:%u", ip, port);
}

void rpl_flow_label(char *buf, const uint8_t addr[2][16], const uint16_t port[2],
		    int client_hi)
{
	int c = client_hi ? 1 : 0;
	int n = endpoint(buf, RPL_LABEL_MAX, addr[c], port[c]);

	buf[n++] = '>';
	endpoint(buf + n, RPL_LABEL_MAX - (size_t)n, addr[!c], port[!c]);
}

void rpl_json_adu(FILE *f, const char *label, const struct pne_adu *adu,
		  const char *fields, const char *extra)
{
	fputs("{\"flow\":\"", f);
	fputs(label, f);   /* addresses, ports and punctuation: nothing to escape */
	fprintf(f, "\",\"dir\":\"%s\",\"proto\":", dir_name[adu->dir & 1]);
	rpl_json_string(f, adu->spec->name);
	fputs(",\"type\":", f);
	rpl_json_string(f, adu->type != NULL ? adu->type : "");
	fprintf(f, ",\"off\":%" PRIu64 ",\"len\":%" PRIu64 ",\"synced\":%s,\"fields\":%s%s%s%s}\n",
		adu->off, adu->len, adu->synced ? "true" : "false",
		fields != NULL ? fields : "{}", adu->closed ? ",\"closed\":true" : "",
		extra != NULL ? "," : "", extra != NULL ? extra : "");
}
