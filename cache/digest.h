/*
 * MD5 (RFC 1321) and SHA-256 (FIPS 180-4), streaming, for body
 * fingerprints that peers (arkime, zeek, suricata) report. Not for
 * security decisions: MD5 is only here because the peers log it.
 */
#ifndef PNE_DIGEST_H
#define PNE_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#define PNE_MD5_LEN    16
#define PNE_SHA256_LEN 32

struct pne_md5 {
	uint32_t h[4];
	uint64_t len;          /* bytes hashed */
	uint8_t buf[64];
};

struct pne_sha256 {
	uint32_t h[8];
	uint64_t len;
	uint8_t buf[64];
};

void pne_md5_init(struct pne_md5 *c);
void pne_md5_update(struct pne_md5 *c, const void *data, size_t len);
void pne_md5_final(struct pne_md5 *c, uint8_t out[PNE_MD5_LEN]);

void pne_sha256_init(struct pne_sha256 *c);
void pne_sha256_update(struct pne_sha256 *c, const void *data, size_t len);
void pne_sha256_final(struct pne_sha256 *c, uint8_t out[PNE_SHA256_LEN]);

/* Lower-case hex of n bytes into out (2n + 1 bytes, NUL-terminated). */
void pne_hex(const uint8_t *in, size_t n, char *out);

#endif /* PNE_DIGEST_H */
