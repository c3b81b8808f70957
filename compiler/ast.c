/*
 * The AST arena: a chunked bump allocator. Every node and string of a
 * parsed spec comes from one arena and is freed with it, so the parser
 * never has to free partial trees on a syntax error.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ast.h"
#include "ir.h"

/* Most specs fit in one chunk; bigger requests get a chunk of their own. */
#define ARENA_CHUNK 65536
#define ARENA_ALIGN 16

struct arena_chunk {
	struct arena_chunk *next;
	size_t size, used;
	/* Aligned so that the first allocation is ARENA_ALIGN-aligned. */
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

struct pnec_arena {
	struct arena_chunk *chunks;  /* newest first; allocation from the head */
};

struct pnec_arena *pnec_arena_new(void)
{
	return calloc(1, sizeof(struct pnec_arena));
}

static struct arena_chunk *chunk_new(size_t size)
{
	struct arena_chunk *c;

	if (size > SIZE_MAX - sizeof(*c))
		return NULL;
	c = calloc(1, sizeof(*c) + size);
	if (c == NULL)
		return NULL;
	c->size = size;
	return c;
}

void *pnec_arena_alloc(struct pnec_arena *a, size_t n)
{
	struct arena_chunk *c = a->chunks;
	size_t need;
	void *p;

	if (n > SIZE_MAX - ARENA_ALIGN)
		return NULL;
	need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (need == 0)
		need = ARENA_ALIGN;
	if (c == NULL || c->size - c->used < need) {
		/* A large request gets its own chunk behind the current one,
		 * so the free space left in the current chunk isn't lost. */
		c = chunk_new(need > ARENA_CHUNK / 4 ? need : ARENA_CHUNK);
		if (c == NULL)
			return NULL;
		if (need > ARENA_CHUNK / 4 && a->chunks != NULL) {
			c->next = a->chunks->next;
			a->chunks->next = c;
		} else {
			c->next = a->chunks;
			a->chunks = c;
		}
	}
	p = c->data + c->used;
	c->used += need;
	return p;   /* chunks are calloc'ed and never reused: already zero */
}

char *pnec_arena_strndup(struct pnec_arena *a, const char *s, size_t n)
{
	char *p;

	if (n == SIZE_MAX)
		return NULL;
	p = pnec_arena_alloc(a, n + 1);
	if (p == NULL)
		return NULL;
	if (n > 0)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void pnec_arena_free(struct pnec_arena *a)
{
	struct arena_chunk *c, *next;

	if (a == NULL)
		return;
	for (c = a->chunks; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(a);
}

/* The AST itself lives in its arena: freeing the arena frees everything. */
void pnec_ast_free(struct pnec_ast *ast)
{
	if (ast != NULL)
		pnec_arena_free(ast->arena);
}
