/*
 * JSON output of pne-replay to a FILE: strings for the stats document
 * and the flow records. The ADU records and flow labels are the
 * runtime's (pne/adu_log.h), shared with dpdk-pne.
 */
#include <string.h>

#include "pne/adu_log.h"
#include "replay.h"

/* Escapes are per byte, so the string goes through a small buffer in
 * pieces, whatever its length. */
void rpl_json_string(FILE *f, const char *s)
{
	char in[64], out[(sizeof(in) - 1) * 6 + 3];

	putc('"', f);
	while (*s != '\0') {
		size_t n = strnlen(s, sizeof(in) - 1), len;

		memcpy(in, s, n);
		in[n] = '\0';
		len = pne_json_string(out, sizeof(out), in);
		fwrite(out + 1, 1, len - 2, f);   /* without its quotes */
		s += n;
	}
	putc('"', f);
}
