/*
 * The compiled form of a protocol spec: constant tables written by pnec's
 * C emitter and executed by the runtime's interpreter (runtime/interp.c).
 * This header is the one contract between the two; bump PNE_TABLE_ABI on
 * any change that an old module would misread.
 *
 * A spec compiles to a small program of framing operations (struct pne_op)
 * per protocol. Each direction of a connection runs the program of its
 * start unit over its byte stream: header operations gather bytes and
 * extract fields into slots, SKIP passes over a known number of bytes
 * without looking at them (the fast path), and END marks an ADU boundary.
 * Lengths and conditions are expressions in a compact stack bytecode
 * (include/pne/expr.def). Everything is plain data: no function pointers,
 * so a table is position independent and can live in a loadable module.
 */
/*
 * Conventions shared by pnec's lowering (compiler/ir.c) and the
 * interpreter (runtime/interp.c):
 *  1. All slots and the direction's string arena are reset to zero when a
 *     direction starts a unit (the first byte of each ADU). Slots whose
 *     name starts with '.' are compiler temporaries (repeat counters).
 *  2. A string slot holds (offset << 32) | length into the string arena.
 *  3. Every path through a unit ends in END, UNTIL_CLOSE or OPAQUE. After
 *     END the direction restarts at units[start[dir]].entry.
 *  4. SET with slot & PNE_SLOT_CVAR writes connection variable
 *     (slot & 0x7f), truncated to its width; otherwise a slot.
 *  5. The interpreter checks the ADU's running length against the unit's
 *     max_len as bytes are consumed, a computed HDR size against
 *     pne_hdr.max and a sized TEXT against pne_text.max.
 *  6. A PNE_RESYNC_CONFIRM unit starts (ops[entry]) with a HDR of constant
 *     size; the SET and REQUIRE ops directly after it are its validity
 *     test, which the interpreter evaluates at candidate offsets. Its
 *     window (pne_unit_window()) bounds an ADU while unconfirmed.
 *  7. repeat max N { B } lowers to: SET .r = 0; L: JZ (.r < N) -> F;
 *     SET .r = .r + 1; B; JMP L; F: REQUIRE 0 "repeat limit" -- and a
 *     break to a JMP past F.
 *  8. REQUIRE's aux is the string index of its message, or PNE_NO_STR.
 *  9. PEEK (appended to ABI 1: older interpreters reject it as a malformed
 *     table) gathers like TEXT with its descriptor, but also ends without
 *     invalidity at max bytes, at the ADU's max and at the stream's end;
 *     its fields are extracted (the delimiter excluded when it was found)
 *     and the direction's position goes back to where it began, so the
 *     next operation reads the same bytes. Its max is at most
 *     PNE_MAX_PEEK; a PNE_RESYNC_CONFIRM unit has no PEEK.
 */
#ifndef PNE_TABLE_H
#define PNE_TABLE_H

#include <stdint.h>

#define PNE_TABLE_ABI 1

/* Limits every compiled spec respects; the checker enforces them. */
#define PNE_MAX_SLOTS      48    /* per-direction slots (fields, lets) */
#define PNE_MAX_CVARS      16    /* connection variables and parameters */
#define PNE_MAX_FIFOS      4
#define PNE_MAX_FIFO_DEPTH 256
#define PNE_MAX_STACK      16    /* expression evaluation stack */
#define PNE_MAX_HDR        65535 /* largest header a step may gather */
#define PNE_MAX_TEXT       (1u << 20) /* largest delimited text a step may gather */
#define PNE_MAX_PEEK       256   /* largest text a PEEK may look at */

#define PNE_NO_EXPR  UINT32_MAX  /* pne_op.expr when there is none */
#define PNE_NO_STR   UINT16_MAX  /* a string index that names no string */
#define PNE_SLOT_CVAR 0x80       /* pne_op.slot: a connection variable, not a slot */

enum pne_op_code {
#define X(name, str, doc) PNE_OP_##name,
#include "pne/ops.def"
#undef X
	PNE_OP__COUNT
};

enum pne_expr_code {
#define X(name, str, imm, pops, pushes) PNE_X_##name,
#include "pne/expr.def"
#undef X
	PNE_X__COUNT
};

/*
 * One framing operation. Operations run in sequence from a unit's entry;
 * JMP/JZ change pc. An operation that needs bytes not yet seen suspends
 * the direction and resumes exactly there when more arrive, so any split
 * of the stream frames the same.
 */
struct pne_op {
	uint8_t  code;  /* enum pne_op_code */
	uint8_t  slot;  /* destination: slot index, or PNE_SLOT_CVAR|cvar */
	uint16_t aux;   /* jump target, descriptor, fifo or string index */
	uint32_t expr;  /* offset of an expression in pne_spec.code, or PNE_NO_EXPR */
	uint64_t max;   /* run-time bound (VARINT byte count); 0 if unused */
};

/* Binary field types: width in bytes in the low 4 bits, byte order flag. */
enum pne_ftype {
	PNE_FT_U8 = 1, PNE_FT_U16 = 2, PNE_FT_U24 = 3, PNE_FT_U32 = 4, PNE_FT_U64 = 8,
	PNE_FT_LE = 0x10, /* little endian; big endian (network order) otherwise */
};

/* A field of a fixed binary header: slot = (load(off) >> shift) & mask. */
struct pne_field {
	uint16_t off;   /* byte offset from the start of the header step */
	uint8_t  type;  /* enum pne_ftype */
	uint8_t  shift;
	uint8_t  slot;  /* destination slot */
	uint8_t  pad[3];
	uint64_t mask;
};

/* A HDR operation's descriptor: gather size bytes, then extract fields. */
struct pne_hdr {
	uint32_t size;       /* constant size; the op's expr overrides it when set */
	uint32_t max;        /* bound on a computed size (header buffer needed) */
	uint16_t field;      /* first entry in pne_spec.fields */
	uint16_t nfields;
};

/* Where a text field comes from. */
enum pne_tsrc {
	PNE_TS_WORD,    /* arg-th blank-separated word of the first line */
	PNE_TS_LINE,    /* the whole arg-th line */
	PNE_TS_HEADER,  /* value of the first line whose key (before sep) equals
	                   strs[arg], case-insensitively, blanks trimmed */
	PNE_TS_ALL,     /* the whole text, delimiter excluded */
	PNE_TS_TAIL,    /* the first line without its first byte (RESP "$5") */
	PNE_TS_FOLD,    /* the first line, blanks trimmed, if it starts with a
	                   blank (an obs-fold continuation line), and without
	                   a leading key/value separator; else absent */
	PNE_TS_DELIM,   /* the delimiter that ended the text; absent when none
	                   did: a sized text, a PEEK that ended at a max or at
	                   the stream's end (appended to ABI 1) */
};

/* How a text field's value becomes a slot value. */
enum pne_tconv {
	PNE_TC_DECIMAL,  /* value of the leading decimal digits (0 if none);
	                    a value over max makes the stream invalid */
	PNE_TC_HEX,      /* same with leading hex digits */
	PNE_TC_STRING,   /* copied to the direction's string arena, cut at max */
	PNE_TC_CONTAINS, /* 1 if strs[lit] occurs in it, case-insensitively */
	PNE_TC_IS,       /* 1 if it equals strs[lit], case-insensitively */
	PNE_TC_PREFIX,   /* 1 if it starts with strs[lit], case-insensitively */
	PNE_TC_NUMERIC,  /* 1 if it is non-empty and all decimal digits */
	PNE_TC_PRESENT,  /* 1 if the source exists */
	PNE_TC_LENGTH,   /* its length in bytes */
	PNE_TC_SUFFIX,   /* 1 if it ends with strs[lit], case-insensitively,
	                    trailing blanks (space, tab) ignored */
	PNE_TC_LIST,     /* a string slot: a non-empty value is appended to the
	                    slot's string after ", " (RFC 9110 section 5.3),
	                    the whole cut at max; an absent or empty source
	                    leaves the slot as it is */
};

/* A field of a text step. An absent source gives 0 (empty string). */
struct pne_tfield {
	uint8_t  src;   /* enum pne_tsrc */
	uint8_t  conv;  /* enum pne_tconv */
	uint8_t  slot;
	uint8_t  pad;
	uint16_t arg;   /* word/line number, or string index of a header key */
	uint16_t lit;   /* string index for CONTAINS/IS/PREFIX/SUFFIX, else PNE_NO_STR */
	uint64_t max;   /* numeric bound (DECIMAL/HEX) or string length bound */
};

/*
 * A TEXT operation's descriptor: gather text until the delimiter (found
 * with automaton dfa) or exactly size bytes (op expr), at most max bytes,
 * then extract fields. Lines are split at strs[linesep], keys from values
 * at strs[kvsep].
 */
struct pne_text {
	uint16_t delim;    /* string index of the delimiter, or PNE_NO_STR */
	uint16_t dfa;      /* automaton for delim, when delim is set */
	uint16_t linesep;  /* string index */
	uint16_t kvsep;    /* string index */
	uint32_t max;      /* most bytes gathered, delimiter included */
	uint16_t field;    /* first entry in pne_spec.tfields */
	uint16_t nfields;
	uint32_t size_expr; /* expression for a sized text, or PNE_NO_EXPR */
};

/*
 * A byte automaton (delimiter search or resync anchors, Aho-Corasick
 * style): state' = next[state * nclasses + cls[byte]]. State 0 is the
 * start; states >= accept are accepting, and accept_len[state - accept]
 * gives the length of the literal that ended there.
 */
struct pne_dfa {
	const uint8_t  *cls;        /* 256 entries */
	const uint16_t *next;       /* nstates * nclasses entries */
	const uint16_t *accept_len; /* nstates - accept entries */
	uint16_t nstates;
	uint16_t nclasses;
	uint16_t accept;
	uint16_t pad;
};

enum pne_resync_mode {
	PNE_RESYNC_NONE,    /* an invalid stream stays lost until the flow ends */
	PNE_RESYNC_ANCHOR,  /* scan with dfa for a literal that starts an ADU */
	PNE_RESYNC_CONFIRM, /* try each offset: the unit's leading header and its
	                       requires must hold for k consecutive ADUs */
};

/* How a unit's ADU type name is chosen. */
struct pne_typemap {
	uint64_t value;
	uint16_t name;   /* string index */
	uint16_t pad[3];
};

/* What a unit reports with each ADU. */
enum pne_rkind { PNE_RK_UINT, PNE_RK_BOOL, PNE_RK_STRING };

struct pne_report {
	uint16_t name;  /* string index of the JSON key */
	uint8_t  slot;  /* slot, or PNE_SLOT_CVAR|cvar */
	uint8_t  kind;  /* enum pne_rkind */
};

/* A unit: the grammar of one kind of ADU. */
struct pne_unit {
	uint16_t name;       /* string index */
	uint16_t entry;      /* pc of its first operation */
	uint8_t  resync;     /* enum pne_resync_mode */
	uint8_t  confirm;    /* k for PNE_RESYNC_CONFIRM */
	uint16_t anchor_dfa; /* automaton for PNE_RESYNC_ANCHOR */
	uint64_t max_len;    /* an ADU longer than this is invalid */
	uint16_t report;     /* first entry in pne_spec.reports */
	uint16_t nreports;
	uint16_t typemap;    /* first entry in pne_spec.typemaps */
	uint16_t ntypemaps;  /* 0: the type is the unit name */
	uint8_t  type_slot;  /* slot whose value selects the type name */
	uint8_t  pad;
	uint16_t window_lo;  /* PNE_RESYNC_CONFIRM: the confirmation window, */
	uint16_t type_default; /* string index when no typemap entry matches */
	uint16_t window_hi;  /* window_hi << 16 | window_lo bytes (see below) */
};

/*
 * The confirmation window of a PNE_RESYNC_CONFIRM unit (resync confirm K
 * within N): while its K ADUs are unconfirmed, an ADU may grow to at most
 * N bytes; one that would grow past them is rejected as a candidate. 0
 * (tables without the field) means PNE_CONFIRM_WINDOW.
 */
#define PNE_CONFIRM_WINDOW 65536u

static inline uint32_t pne_unit_window(const struct pne_unit *u)
{
	uint32_t w = (uint32_t)u->window_hi << 16 | u->window_lo;

	return w != 0 ? w : PNE_CONFIRM_WINDOW;
}

/* A connection variable or parameter, shared by both directions. */
struct pne_cvar {
	uint16_t name;      /* string index */
	uint8_t  is_param;  /* settable by the user at start-up */
	uint8_t  width;     /* bytes: 1, 2, 4, 8 (bool: 1) */
	uint32_t pad;
	uint64_t init;      /* initial value (a parameter's default) */
};

/* A bounded FIFO shared by both directions, e.g. pending request methods. */
struct pne_fifo {
	uint16_t name;      /* string index */
	uint16_t depth;     /* entries; a push onto a full fifo is invalid */
	uint8_t  width;     /* bytes per entry */
	uint8_t  pad[3];
};

/* A string of the spec; may hold NUL bytes. */
struct pne_str {
	const char *s;
	uint32_t len;
	uint32_t pad;
};

/* A slot's name, for tracing and pnec --dump-ir. */
struct pne_slotinfo {
	uint16_t name;   /* string index */
	uint8_t  kind;   /* enum pne_rkind */
	uint8_t  pad;
};

/* A whole compiled protocol. */
struct pne_spec {
	uint32_t abi;                   /* PNE_TABLE_ABI */
	uint32_t peek_max;              /* the largest PEEK's max, 0 without any
	                                   (was padding: older tables have 0) */
	const char *name;               /* e.g. "http" */
	const char *title;              /* one line */
	const uint16_t *ports;          /* default TCP server ports */
	uint16_t nports;
	uint16_t start[2];              /* unit index: [0] client->server, [1] server->client */
	uint8_t  nslots;
	uint8_t  ncvars;
	uint8_t  nfifos;
	uint8_t  pad1;
	uint16_t nunits;
	uint32_t nops;
	uint32_t ncode;
	uint32_t nconsts;
	uint32_t hdr_max;               /* header/text buffer a direction needs */
	uint32_t str_max;               /* string arena a direction needs */
	const struct pne_op *ops;
	const uint8_t *code;            /* expression bytecode */
	const uint64_t *consts;
	const struct pne_unit *units;
	const struct pne_hdr *hdrs;
	const struct pne_field *fields;
	const struct pne_text *texts;
	const struct pne_tfield *tfields;
	const struct pne_dfa *dfas;
	const struct pne_report *reports;
	const struct pne_typemap *typemaps;
	const struct pne_cvar *cvars;
	const struct pne_fifo *fifos;
	const struct pne_slotinfo *slots;
	const struct pne_str *strs;
	uint16_t nhdrs, nfields, ntexts, ntfields, ndfas, nreports, ntypemaps, nstrs;
};

/*
 * A loadable module (pnec --module) exports this symbol, defined as
 *   const struct pne_spec *const pne_module_spec = &<the spec>;
 */
#define PNE_MODULE_SYMBOL "pne_module_spec"

#endif /* PNE_TABLE_H */
