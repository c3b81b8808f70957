/*
 * Diagnostics: "file:line:col: error: message", then the source line and
 * a caret under the column (with ~ under the rest of the range on that
 * line). Collected, not fatal: the parser and checker report as many as
 * they find (up to a limit), and pnec exits non-zero if any was an error.
 */
#ifndef PNEC_DIAG_H
#define PNEC_DIAG_H

#include <stdio.h>
#include "ast.h"

#define PNEC_MAX_ERRORS 20  /* later errors are counted, not printed */

struct pnec_diag {
	const char *file;
	const char *src;
	size_t srclen;
	FILE *out;          /* where messages go (stderr by default) */
	int nerrors;
	int nwarnings;
};

void pnec_diag_init(struct pnec_diag *d, const char *file, const char *src,
		    size_t srclen, FILE *out);

/* Report an error at loc; printf-style message without trailing newline. */
void pnec_error(struct pnec_diag *d, const struct pnec_loc *loc,
		const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* A note attached to the previous error ("note: ... defined here"). */
void pnec_note(struct pnec_diag *d, const struct pnec_loc *loc,
	       const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif /* PNEC_DIAG_H */
