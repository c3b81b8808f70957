/*
 * The stream tracker's held-data pool (tracker_priv.h): fixed-size
 * chunks and range records, preallocated from the memcap, with free
 * lists. Nothing here allocates after hold_pool_init().
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tracker_priv.h"

#define CHUNK PNE_TRACKER_CHUNK

/* Range records per chunk: a covered or lost range holds no chunk, so a
 * direction's ranges may outnumber its chunks. */
#define RANGES_PER_CHUNK 2

static uint32_t chunks_for(uint32_t off, uint32_t len)
{
	return (uint32_t)(((uint64_t)off + len + CHUNK - 1) / CHUNK);
}

int hold_pool_init(struct hold_pool *p, size_t memcap)
{
	size_t per = CHUNK + sizeof(uint32_t) + RANGES_PER_CHUNK * sizeof(struct hold_range);
	size_t n = memcap / per;

	memset(p, 0, sizeof(*p));
	if (n < 1 || n > UINT32_MAX / RANGES_PER_CHUNK - 1)
		return -EINVAL;
	p->nchunks = (uint32_t)n;
	p->nranges = (uint32_t)n * RANGES_PER_CHUNK;
	p->range = calloc(p->nranges, sizeof(*p->range));
	p->chunk_next = calloc(p->nchunks, sizeof(*p->chunk_next));
	p->chunk_data = malloc((size_t)p->nchunks * CHUNK);
	if (p->range == NULL || p->chunk_next == NULL || p->chunk_data == NULL) {
		hold_pool_fini(p);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < p->nranges; i++)
		p->range[i].next = i + 1 < p->nranges ? i + 1 : HOLD_NIL;
	for (uint32_t i = 0; i < p->nchunks; i++)
		p->chunk_next[i] = i + 1 < p->nchunks ? i + 1 : HOLD_NIL;
	p->range_free = 0;
	p->chunk_free = 0;
	p->ranges_left = p->nranges;
	p->chunks_left = p->nchunks;
	return 0;
}

void hold_pool_fini(struct hold_pool *p)
{
	free(p->range);
	free(p->chunk_next);
	free(p->chunk_data);
	memset(p, 0, sizeof(*p));
}

bool hold_room(const struct hold_pool *p, enum hold_kind kind, uint32_t len)
{
	if (p->ranges_left == 0)
		return false;
	return kind != HOLD_DATA || chunks_for(0, len) <= p->chunks_left;
}

static uint8_t *chunk_at(const struct hold_pool *p, uint32_t c)
{
	return p->chunk_data + (size_t)c * CHUNK;
}

uint32_t hold_new(struct hold_pool *p, enum hold_kind kind, uint32_t seq,
		  const uint8_t *data, uint32_t len)
{
	struct hold_range *r;
	uint32_t idx, *link;

	if (len == 0 || !hold_room(p, kind, len))
		return HOLD_NIL;
	idx = p->range_free;
	r = &p->range[idx];
	p->range_free = r->next;
	p->ranges_left--;
	*r = (struct hold_range){ .next = HOLD_NIL, .seq = seq, .len = len,
				  .chunk = HOLD_NIL, .tail = HOLD_NIL, .kind = (uint8_t)kind };
	if (kind != HOLD_DATA)
		return idx;
	link = &r->chunk;
	for (uint32_t done = 0; done < len; done += CHUNK) {
		uint32_t c = p->chunk_free;
		uint32_t n = len - done < CHUNK ? len - done : CHUNK;

		p->chunk_free = p->chunk_next[c];
		p->chunks_left--;
		memcpy(chunk_at(p, c), data + done, n);
		*link = c;
		link = &p->chunk_next[c];
		r->tail = c;
	}
	*link = HOLD_NIL;
	return idx;
}

/* Free bytes at the end of range r's last chunk. */
static uint32_t tail_room(const struct hold_range *r)
{
	uint32_t used = (uint32_t)(((uint64_t)r->off + r->len) % CHUNK);

	return used == 0 ? 0 : CHUNK - used;
}

bool hold_room_append(const struct hold_pool *p, uint32_t idx, uint32_t len)
{
	uint32_t room = tail_room(&p->range[idx]);

	return len <= room || chunks_for(0, len - room) <= p->chunks_left;
}

void hold_append(struct hold_pool *p, uint32_t idx, const uint8_t *data, uint32_t len)
{
	struct hold_range *r = &p->range[idx];
	uint32_t room = tail_room(r), n = len < room ? len : room;

	memcpy(chunk_at(p, r->tail) + (CHUNK - room), data, n);
	r->len += n;
	for (uint32_t done = n; done < len; done += n) {
		uint32_t c = p->chunk_free;

		n = len - done < CHUNK ? len - done : CHUNK;
		p->chunk_free = p->chunk_next[c];
		p->chunks_left--;
		memcpy(chunk_at(p, c), data + done, n);
		p->chunk_next[c] = HOLD_NIL;
		p->chunk_next[r->tail] = c;
		r->tail = c;
		r->len += n;
	}
}

static void chunks_free(struct hold_pool *p, uint32_t c)
{
	while (c != HOLD_NIL) {
		uint32_t next = p->chunk_next[c];

		p->chunk_next[c] = p->chunk_free;
		p->chunk_free = c;
		p->chunks_left++;
		c = next;
	}
}

void hold_free(struct hold_pool *p, uint32_t idx)
{
	struct hold_range *r = &p->range[idx];

	chunks_free(p, r->chunk);
	r->chunk = HOLD_NIL;
	r->next = p->range_free;
	p->range_free = idx;
	p->ranges_left++;
}

void hold_trim(struct hold_pool *p, uint32_t idx, uint32_t n)
{
	struct hold_range *r = &p->range[idx];

	r->seq += n;
	r->len -= n;
	if (r->kind != HOLD_DATA)
		return;
	n += r->off;
	while (n >= CHUNK) {
		uint32_t c = r->chunk;

		r->chunk = p->chunk_next[c];
		p->chunk_next[c] = HOLD_NIL;
		chunks_free(p, c);
		n -= CHUNK;
	}
	r->off = (uint16_t)n;
}

uint32_t hold_span(const struct hold_pool *p, uint32_t idx, uint32_t at,
		   const uint8_t **out)
{
	const struct hold_range *r = &p->range[idx];
	uint64_t pos = (uint64_t)r->off + at;
	uint32_t c = r->chunk;
	uint32_t in, n;

	for (uint64_t k = pos / CHUNK; k > 0; k--)
		c = p->chunk_next[c];
	in = (uint32_t)(pos % CHUNK);
	n = CHUNK - in;
	if (n > r->len - at)
		n = r->len - at;
	*out = chunk_at(p, c) + in;
	return n;
}

int hold_differs(const struct hold_pool *p, uint32_t idx, uint32_t at,
		 const uint8_t *data, uint32_t n)
{
	while (n > 0) {
		const uint8_t *b;
		uint32_t k = hold_span(p, idx, at, &b);

		if (k > n)
			k = n;
		if (memcmp(b, data, k) != 0)
			return 1;
		at += k;
		data += k;
		n -= k;
	}
	return 0;
}
