/*
 * pnec: the PNE spec compiler driver. Reads one spec, parses and checks
 * it, lowers it to the table program, then prints or writes what the
 * options ask for.
 *
 * Exit status: 0 success, 1 spec or I/O errors, 2 usage errors.
 * Output files are written to a temporary file beside the target and
 * renamed into place, so a failed run never leaves a half-written file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "diag.h"
#include "ir.h"
#include "pne/interp.h"

#define PNEC_MAX_INPUT (1u << 20)   /* a spec is a few KiB; refuse junk */

#ifndef PNE_INCLUDE_DIR
#define PNE_INCLUDE_DIR "include"
#endif

#define PNEC_VERSION "0.1"

enum { EXIT_SPEC = 1, EXIT_USAGE = 2 };

struct opts {
	const char *spec;
	const char *out;
	const char *symbol;
	const char *source_name;
	int check, dump_ir, dot, summary, module;
};

static void usage(FILE *f)
{
	fputs("usage: pnec [options] SPEC.pne\n"
	      "  --check              parse and check only\n"
	      "  --dump-ir            print the lowered program\n"
	      "  --dot                print the state graph as Graphviz dot\n"
	      "  --summary            print a one-paragraph summary of the spec\n"
	      "  -o OUT.c             write C tables to OUT.c and OUT.h\n"
	      "  --symbol SYM         C symbol of the spec (default pne_spec_NAME)\n"
	      "  --source-name NAME   spec path printed in the generated header\n"
	      "  --module -o OUT.so   build a loadable module with ${CC:-cc}\n"
	      "  -h, --help           show this help\n"
	      "  --version            show the version\n", f);
}

static int usage_error(const char *fmt, const char *arg)
{
	fputs("pnec: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'pnec --help' for more information.\n", stderr);
	return EXIT_USAGE;
}

static int is_c_ident(const char *s)
{
	if (!(*s == '_' || ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'z')))
		return 0;
	for (s++; *s != '\0'; s++)
		if (!(*s == '_' || (*s >= '0' && *s <= '9') ||
		      ((*s | 0x20) >= 'a' && (*s | 0x20) <= 'z')))
			return 0;
	return 1;
}

/* Returns -1 to go on, else the exit status. */
static int parse_args(int argc, char **argv, struct opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **val = NULL;

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "--version") == 0) {
			printf("pnec %s (table ABI %d)\n", PNEC_VERSION, PNE_TABLE_ABI);
			return 0;
		} else if (strcmp(a, "--check") == 0) {
			o->check = 1;
		} else if (strcmp(a, "--dump-ir") == 0) {
			o->dump_ir = 1;
		} else if (strcmp(a, "--dot") == 0) {
			o->dot = 1;
		} else if (strcmp(a, "--summary") == 0) {
			o->summary = 1;
		} else if (strcmp(a, "--module") == 0) {
			o->module = 1;
		} else if (strcmp(a, "-o") == 0) {
			val = &o->out;
		} else if (strcmp(a, "--symbol") == 0) {
			val = &o->symbol;
		} else if (strcmp(a, "--source-name") == 0) {
			val = &o->source_name;
		} else if (strcmp(a, "--") == 0 && i + 1 < argc && o->spec == NULL) {
			o->spec = argv[++i];
		} else if (a[0] == '-' && a[1] != '\0') {
			return usage_error("unknown option '%s'", a);
		} else if (o->spec != NULL) {
			return usage_error("more than one spec given ('%s')", a);
		} else {
			o->spec = a;
		}
		if (val != NULL) {
			if (i + 1 >= argc)
				return usage_error("option '%s' needs an argument", a);
			*val = argv[++i];
		}
	}
	if (o->spec == NULL)
		return usage_error("no spec given%s", "");
	if (o->symbol != NULL && !is_c_ident(o->symbol))
		return usage_error("--symbol '%s' is not a C identifier", o->symbol);
	if (o->module && o->out == NULL)
		return usage_error("--module needs -o OUT.so%s", "");
	return -1;
}

/* Read the whole file (at most PNEC_MAX_INPUT bytes) into *buf. */
static int read_spec(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 4096, n = 0;
	char *b = NULL, *nb;

	if (f == NULL)
		goto io_error;
	for (;;) {
		if (n == cap || b == NULL) {
			cap = b == NULL ? cap : cap * 2;
			nb = realloc(b, cap + 1);
			if (nb == NULL)
				goto io_error;
			b = nb;
		}
		n += fread(b + n, 1, cap - n, f);
		if (n > PNEC_MAX_INPUT) {
			fprintf(stderr, "pnec: %s: too large (a spec may have at most %u bytes)\n",
				path, PNEC_MAX_INPUT);
			goto fail;
		}
		if (ferror(f))
			goto io_error;
		if (feof(f))
			break;
	}
	fclose(f);
	b[n] = '\0';
	*buf = b;
	*len = n;
	return 0;
io_error:
	fprintf(stderr, "pnec: %s: %s\n", path, strerror(errno));
fail:
	if (f != NULL)
		fclose(f);
	free(b);
	return -1;
}

/* The process umask, which mkstemp's 0600 files don't honour. */
static mode_t umask_value(void)
{
	mode_t m = umask(022);

	umask(m);
	return m;
}

/* A temporary file next to path, for an atomic rename over it. */
static FILE *tmp_open(const char *path, char **tmp)
{
	size_t n = strlen(path) + 16;
	FILE *f;
	int fd;

	*tmp = malloc(n);
	if (*tmp == NULL)
		return NULL;
	snprintf(*tmp, n, "%s.tmp.XXXXXX", path);
	fd = mkstemp(*tmp);
	if (fd < 0) {
		fprintf(stderr, "pnec: %s: %s\n", path, strerror(errno));
		free(*tmp);
		*tmp = NULL;
		return NULL;
	}
	fchmod(fd, 0644 & ~umask_value());
	f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		unlink(*tmp);
		free(*tmp);
		*tmp = NULL;
	}
	return f;
}

/* Close a temporary file and rename it over path; on any error report
 * it and remove the temporary. Returns 0 or -1. */
static int tmp_commit(FILE *f, char *tmp, const char *path)
{
	int rc = 0;

	if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0) {
		fprintf(stderr, "pnec: %s: %s\n", path, strerror(errno));
		rc = -1;
	}
	if (fclose(f) != 0 && rc == 0) {
		fprintf(stderr, "pnec: %s: %s\n", path, strerror(errno));
		rc = -1;
	}
	if (rc == 0 && rename(tmp, path) != 0) {
		fprintf(stderr, "pnec: %s: %s\n", path, strerror(errno));
		rc = -1;
	}
	if (rc != 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

static void tmp_discard(FILE *f, char *tmp)
{
	if (f != NULL)
		fclose(f);
	if (tmp != NULL)
		unlink(tmp);
	free(tmp);
}

/* OUT.c -> OUT.h; any other name gets ".h" appended. */
static char *header_path(const char *out)
{
	size_t n = strlen(out);
	char *h = malloc(n + 3);

	if (h == NULL)
		return NULL;
	memcpy(h, out, n + 1);
	if (n > 2 && strcmp(out + n - 2, ".c") == 0)
		h[n - 1] = 'h';
	else
		strcpy(h + n, ".h");
	return h;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

/* Emit the C tables to out and its header beside it, atomically. */
static int write_c(const struct pnec_ir *ir, const char *out, const char *sym,
		   int module)
{
	char *hpath = header_path(out), *ctmp = NULL, *htmp = NULL;
	FILE *cf = NULL, *hf = NULL;
	int rc;

	if (hpath == NULL)
		goto oom;
	cf = tmp_open(out, &ctmp);
	if (cf == NULL)
		goto fail;
	hf = tmp_open(hpath, &htmp);
	if (hf == NULL)
		goto fail;
	rc = pnec_emit_c(ir, cf, hf, base_name(hpath), sym, module);
	if (rc != 0) {
		fprintf(stderr, "pnec: %s: %s\n", out, strerror(-rc));
		goto fail;
	}
	rc = tmp_commit(hf, htmp, hpath);
	hf = NULL;
	htmp = NULL;
	if (rc != 0)
		goto fail;
	rc = tmp_commit(cf, ctmp, out);
	cf = NULL;
	ctmp = NULL;
	if (rc != 0) {
		unlink(hpath);
		goto fail;
	}
	free(hpath);
	return 0;
oom:
	fprintf(stderr, "pnec: out of memory\n");
fail:
	tmp_discard(cf, ctmp);
	tmp_discard(hf, htmp);
	free(hpath);
	return -1;
}

/* Run ${CC:-cc} through the shell so CC may carry flags ("ccache gcc");
 * the paths travel as positional parameters, never through quoting. */
static int run_cc(const char *inc, const char *out, const char *src)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "pnec: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c",
		      "exec ${CC:-cc} -shared -fPIC -O2 -I\"$1\" -o \"$2\" \"$3\"",
		      "sh", inc, out, src, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "pnec: waitpid: %s\n", strerror(errno));
			return -1;
		}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "pnec: the C compiler failed (%s %d)\n",
			WIFEXITED(status) ? "exit status" : "signal",
			WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		return -1;
	}
	return 0;
}

/* --module: emit into a private temporary directory, compile a shared
 * object beside out, rename it over out. */
static int build_module(const struct pnec_ir *ir, const char *out, const char *sym)
{
	const char *tmpdir = getenv("TMPDIR"), *inc = getenv("PNE_INCLUDE_DIR");
	char dir[4096], cpath[4160], hpath[4160], *sotmp = NULL;
	FILE *so;
	int rc = -1;

	if (tmpdir == NULL || *tmpdir == '\0')
		tmpdir = "/tmp";
	if (inc == NULL || *inc == '\0')
		inc = PNE_INCLUDE_DIR;
	if ((size_t)snprintf(dir, sizeof(dir), "%s/pnec.XXXXXX", tmpdir) >= sizeof(dir) ||
	    mkdtemp(dir) == NULL) {
		fprintf(stderr, "pnec: %s: cannot make a temporary directory: %s\n",
			tmpdir, strerror(errno));
		return -1;
	}
	snprintf(cpath, sizeof(cpath), "%s/spec.c", dir);
	snprintf(hpath, sizeof(hpath), "%s/spec.h", dir);
	if (write_c(ir, cpath, sym, 1) != 0)
		goto out;
	so = tmp_open(out, &sotmp);
	if (so == NULL)
		goto out;
	fclose(so);
	if (run_cc(inc, sotmp, cpath) != 0)
		goto out;
	if (rename(sotmp, out) != 0) {
		fprintf(stderr, "pnec: %s: %s\n", out, strerror(errno));
		goto out;
	}
	free(sotmp);
	sotmp = NULL;
	rc = 0;
out:
	if (sotmp != NULL) {
		unlink(sotmp);
		free(sotmp);
	}
	unlink(cpath);
	unlink(hpath);
	rmdir(dir);
	return rc;
}

static void print_summary(const struct pnec_ir *ir, double ms)
{
	/* the tracker lends buffers between these sizes (pne/interp.h) */
	bool lent = ir->hdr_max > PNE_HDR_INLINE && ir->hdr_max <= PNE_HDR_BLOCK;
	uint64_t state = (uint64_t)ir->nslots * 8 + (lent ? 0 : ir->hdr_max) + ir->str_max;

	printf("%s (%s): ports", ir->name, ir->title);
	for (size_t i = 0; i < ir->nports; i++)
		printf("%s %u", i > 0 ? "," : "", ir->ports[i]);
	if (ir->nports == 0)
		printf(" none");
	printf("; %zu unit%s (", ir->nunits, ir->nunits == 1 ? "" : "s");
	for (size_t i = 0; i < ir->nunits; i++) {
		size_t s = ir->units[i].name;

		printf("%s%s", i > 0 ? ", " : "", s < ir->nstrs ? ir->strs[s].s : "?");
	}
	printf("), %zu ops, %zu expression bytes, %zu constants; "
	       "header buffer %u bytes%s; per-direction state %llu bytes "
	       "(%zu slots, %s, %u-byte string arena); "
	       "%zu connection variable%s, %zu fifo%s; compiled in %.2f ms\n",
	       ir->nops, ir->ncode, ir->nconsts, ir->hdr_max,
	       lent ? " (lent by the tracker while a header straddles segments)" : "",
	       (unsigned long long)state, ir->nslots,
	       lent ? "no header buffer" : "header buffer", ir->str_max,
	       ir->ncvars, ir->ncvars == 1 ? "" : "s",
	       ir->nfifos, ir->nfifos == 1 ? "" : "s", ms);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Everything after the spec is read; returns the exit status. */
static int compile(const struct opts *o, const char *src, size_t len)
{
	struct pnec_ir ir;
	struct pnec_diag d;
	struct pnec_ast *ast;
	char *sym = NULL;
	double t0 = now_ms();
	int rc = EXIT_SPEC;

	memset(&ir, 0, sizeof(ir));
	pnec_diag_init(&d, o->spec, src, len, stderr);
	ast = pnec_parse(o->spec, src, len, &d);
	if (ast == NULL) {
		fprintf(stderr, "pnec: out of memory\n");
		return EXIT_SPEC;
	}
	if (d.nerrors > 0 || pnec_check(ast, &d) != 0 || d.nerrors > 0)
		goto out;
	if (o->check) {
		rc = 0;
		goto out;
	}
	if (pnec_lower(ast, &ir, &d) != 0 || d.nerrors > 0)
		goto out;
	if (o->source_name != NULL) {
		char *s = strdup(o->source_name);

		if (s == NULL)
			goto out;
		free(ir.src_file);
		ir.src_file = s;
	}
	if (o->symbol == NULL) {
		size_t n = strlen(ir.name) + sizeof("pne_spec_");

		sym = malloc(n);
		if (sym == NULL)
			goto out;
		snprintf(sym, n, "pne_spec_%s", ir.name);
	}
	if (o->summary)
		print_summary(&ir, now_ms() - t0);
	if (o->dump_ir && pnec_dump_ir(&ir, stdout) != 0)
		goto out;
	if (o->dot && pnec_dump_dot(&ir, stdout) != 0)
		goto out;
	if (fflush(stdout) != 0) {
		fprintf(stderr, "pnec: standard output: %s\n", strerror(errno));
		goto out;
	}
	if (o->out != NULL && o->module &&
	    build_module(&ir, o->out, o->symbol ? o->symbol : sym) != 0)
		goto out;
	if (o->out != NULL && !o->module &&
	    write_c(&ir, o->out, o->symbol ? o->symbol : sym, 0) != 0)
		goto out;
	rc = 0;
out:
	free(sym);
	pnec_ir_free(&ir);
	pnec_ast_free(ast);
	return rc;
}

int main(int argc, char **argv)
{
	struct opts o;
	char *src;
	size_t len;
	int rc;

	memset(&o, 0, sizeof(o));
	rc = parse_args(argc, argv, &o);
	if (rc >= 0)
		return rc;
	if (read_spec(o.spec, &src, &len) != 0)
		return EXIT_SPEC;
	rc = compile(&o, src, len);
	free(src);
	return rc;
}
