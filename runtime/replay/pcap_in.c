/*
 * Capture input for pne-replay: pcap and pcapng through libpcap, plain
 * or gzip-compressed (many public captures ship as .pcap.gz). A
 * compressed file is decompressed on the fly through a stdio cookie, so
 * libpcap reads it like any other FILE; nothing is unpacked to disk.
 */
#define _GNU_SOURCE   /* fopencookie */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#ifdef PNE_HAVE_ZLIB
#include <zlib.h>
#endif

#include "replay.h"

static int is_gzip(const char *path)
{
	unsigned char magic[2];
	FILE *f = fopen(path, "rb");
	int gz;

	if (f == NULL)
		return 0;
	gz = fread(magic, 1, 2, f) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
	fclose(f);
	return gz;
}

#ifdef PNE_HAVE_ZLIB
static ssize_t gz_read(void *cookie, char *buf, size_t size)
{
	unsigned n = size > (1u << 30) ? 1u << 30 : (unsigned)size;
	int got = gzread(cookie, buf, n);

	if (got < 0) {
		errno = EIO;
		return -1;
	}
	return got;
}

static int gz_close(void *cookie)
{
	return gzclose(cookie) == Z_OK ? 0 : EOF;
}

/* libpcap reads the decompressed bytes through this FILE; pcap_close()
 * closes it, and with it the gzFile. */
static FILE *gz_file(const char *path, void **gz, char *err, size_t errlen)
{
	cookie_io_functions_t io = { .read = gz_read, .close = gz_close };
	gzFile g = gzopen(path, "rb");
	FILE *f;

	if (g == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno ? errno : ENOMEM));
		return NULL;
	}
	gzbuffer(g, 1u << 17);
	f = fopencookie(g, "r", io);
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		gzclose(g);
		return NULL;
	}
	*gz = g;
	return f;
}
#else
static FILE *gz_file(const char *path, void **gz, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: gzip-compressed, and this build has no zlib "
		 "(decompress it first)", path);
	return NULL;
}
#endif

int rpl_input_open(struct rpl_input *in, const char *path, char *err, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE] = "";
	struct stat st;

	memset(in, 0, sizeof(*in));
	if (strcmp(path, "-") != 0) {
		if (stat(path, &st) != 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return -1;
		}
		if (S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "%s: is a directory", path);
			return -1;
		}
		in->size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
		in->compressed = is_gzip(path);
	}
	if (in->compressed) {
		FILE *f = gz_file(path, &in->gz, err, errlen);

		if (f == NULL)
			return -1;
		in->pcap = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO,
								    perr);
		if (in->pcap == NULL)
			fclose(f);
	} else {
		in->pcap = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO,
								   perr);
	}
	if (in->pcap == NULL) {
		/* libpcap's messages don't always name the file */
		snprintf(err, errlen, "%s: %s", path, perr[0] ? perr : "cannot read the capture");
		in->gz = NULL;
		return -1;
	}
	in->file = pcap_file(in->pcap);
	return 0;
}

uint64_t rpl_input_pos(const struct rpl_input *in)
{
	long pos;

#ifdef PNE_HAVE_ZLIB
	if (in->gz != NULL) {
		z_off_t off = gzoffset(in->gz);

		return off > 0 ? (uint64_t)off : 0;
	}
#endif
	if (in->file == NULL)
		return 0;
	pos = ftell(in->file);
	return pos > 0 ? (uint64_t)pos : 0;
}

void rpl_input_close(struct rpl_input *in)
{
	if (in->pcap != NULL)
		pcap_close(in->pcap);   /* closes the FILE, and the gzFile with it */
	memset(in, 0, sizeof(*in));
}
