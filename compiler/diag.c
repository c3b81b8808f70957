/*
 * Diagnostics in the usual compiler shape:
 *
 *   file:line:col: error: message
 *   <the source line, tabs kept>
 *   <caret line: '^' under the first column, '~' under the rest>
 *
 * Columns count bytes from 1, a tab being one column; the caret line
 * copies the tabs of the source line so the caret lines up in any
 * terminal. Only the first PNEC_MAX_ERRORS errors are printed: after a
 * few, the rest are mostly echoes of the first ones.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"

void pnec_diag_init(struct pnec_diag *d, const char *file, const char *src,
		    size_t srclen, FILE *out)
{
	memset(d, 0, sizeof(*d));
	d->file = file;
	d->src = src;
	d->srclen = srclen;
	d->out = out;
}

static FILE *diag_out(const struct pnec_diag *d)
{
	return d->out != NULL ? d->out : stderr;
}

/* Find line (1-based) in the source; returns its length without the
 * newline (and a CR before it), or -1 when the line doesn't exist. */
static long find_line(const struct pnec_diag *d, int line, const char **start)
{
	const char *p = d->src, *end = d->src + d->srclen, *nl;
	int n = 1;

	if (p == NULL || line < 1)
		return -1;
	while (n < line) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			return -1;
		p = nl + 1;
		n++;
	}
	/* A file ending in a newline has no line after it. */
	if (p == end && line > 1)
		return -1;
	nl = memchr(p, '\n', (size_t)(end - p));
	if (nl == NULL)
		nl = end;
	if (nl > p && nl[-1] == '\r')
		nl--;
	*start = p;
	return nl - p;
}

/* Print the source line with control bytes (other than tab) shown as
 * '?', so a stray NUL or escape sequence can't garble the terminal. */
static void print_source(FILE *f, const char *s, long len)
{
	for (long i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		fputc((c < 0x20 && c != '\t') || c == 0x7f ? '?' : c, f);
	}
	fputc('\n', f);
}

static void print_caret(FILE *f, const char *s, long len,
			const struct pnec_loc *loc)
{
	long first = loc->first_column, last = loc->last_column;

	if (first < 1)
		first = 1;
	if (loc->last_line != loc->first_line)
		last = len > first ? len : first;   /* runs on: to end of line */
	if (last < first)
		last = first;
	for (long col = 1; col < first; col++)
		fputc(col <= len && s[col - 1] == '\t' ? '\t' : ' ', f);
	fputc('^', f);
	for (long col = first + 1; col <= last; col++)
		fputc('~', f);
	fputc('\n', f);
}

static void report(struct pnec_diag *d, const char *kind,
		   const struct pnec_loc *loc, const char *fmt, va_list ap)
{
	FILE *f = diag_out(d);
	const char *line;
	long len;

	if (loc == NULL) {
		fprintf(f, "%s: %s: ", d->file, kind);
		vfprintf(f, fmt, ap);
		fputc('\n', f);
		return;
	}
	fprintf(f, "%s:%d:%d: %s: ", d->file, loc->first_line,
		loc->first_column, kind);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
	len = find_line(d, loc->first_line, &line);
	if (len <= 0)
		return;   /* nothing to point into (end of file, empty line) */
	print_source(f, line, len);
	print_caret(f, line, len, loc);
}

void pnec_error(struct pnec_diag *d, const struct pnec_loc *loc,
		const char *fmt, ...)
{
	va_list ap;

	d->nerrors++;
	if (d->nerrors > PNEC_MAX_ERRORS) {
		if (d->nerrors == PNEC_MAX_ERRORS + 1)
			fprintf(diag_out(d), "%s: too many errors, stopping\n",
				d->file);
		return;
	}
	va_start(ap, fmt);
	report(d, "error", loc, fmt, ap);
	va_end(ap);
}

void pnec_note(struct pnec_diag *d, const struct pnec_loc *loc,
	       const char *fmt, ...)
{
	va_list ap;

	/* A note belongs to the error before it: drop it with that error. */
	if (d->nerrors > PNEC_MAX_ERRORS)
		return;
	va_start(ap, fmt);
	report(d, "note", loc, fmt, ap);
	va_end(ap);
}
