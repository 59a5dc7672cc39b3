/*
 * store_space.c - the staging store's data area: a ring of sectors in which each image takes a run (its extent),
 * and the choice of where a new image goes.
 *
 * The policy (docs/store.md argues it):
 * - Room is looked for in stages, and the first stage that has it wins: beside every image and interrupted upload;
 *   then with interrupted uploads counted as free; then (only when the client gave up its rollback copy) with the
 *   previous image counted as free; then the current image too. Staged images are never counted as free. Whatever
 *   the chosen run overlaps of what was counted as free is freed by one record before the first write.
 * - Inside a stage, the candidates are the ends of each free run and the edges of the images counted as free. The
 *   best frees the fewest images, then leaves the free space in the fewest pieces once the image that the new
 *   one's activation will free (store.h's roles: the previous image when the current one flashed well, else the
 *   current one) is gone, then leaves the largest piece. So the usual cycle (upload, activate, flash; the older
 *   image freed) keeps the free space in one piece: the new image is put against the free run's end that touches
 *   the image that goes next.
 */
#include "service/store_space.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "decimal.h"

/* Extents weighed at once: the entries, the upload in progress, and the new image. */
#define EXTENTS_MAX (STORE_MAX_SLOTS + 2)
/* Candidate starts: two per free run and two per image counted as free. */
#define CANDIDATES_MAX (2 * EXTENTS_MAX + 2 * STORE_MAX_SLOTS)

struct extent {
    uint32_t start, sectors;
};

struct extents {
    struct extent items[EXTENTS_MAX];
    unsigned count;
};

/* The free runs around some extents, and their sums. */
struct free_runs {
    struct extent runs[EXTENTS_MAX];
    unsigned count;
    uint32_t total, largest;
};

/* One place a new image could go, and what it leads to. */
struct candidate {
    uint32_t start;
    unsigned freed;   /* entries it overlaps among those counted as free */
    unsigned pieces;  /* free runs left once the next activation has freed its image */
    uint32_t largest; /* the largest of them, in sectors */
};

uint32_t store_sectors_for(const struct store *store, uint32_t bytes)
{
    return (uint32_t)(((uint64_t)bytes + store->sector_size - 1) >> store->sector_shift);
}

/* Sectors from a forward to b around the ring (both inside it). */
static uint32_t ring_distance(const struct store *store, uint32_t from, uint32_t to)
{
    return (to + store->data_sectors - from) % store->data_sectors;
}

bool store_extents_overlap(const struct store *store, uint32_t a_start, uint32_t a_sectors, uint32_t b_start,
                           uint32_t b_sectors)
{
    return ring_distance(store, a_start, b_start) < a_sectors || ring_distance(store, b_start, a_start) < b_sectors;
}

uint32_t store_image_address(const struct store *store, uint32_t start, uint32_t offset)
{
    uint32_t ring_sector = (start + (offset >> store->sector_shift)) % store->data_sectors;
    return ((AIRSWD_STORE_JOURNAL_SECTORS + ring_sector) << store->sector_shift) + (offset & (store->sector_size - 1));
}

static unsigned bit(int slot)
{
    return slot == STORE_NO_SLOT ? 0u : 1u << slot;
}

static unsigned count_bits(unsigned bits)
{
    unsigned count = 0;
    for (; bits != 0; bits &= bits - 1)
        count++;
    return count;
}

static void extents_add(struct extents *extents, uint32_t start, uint32_t sectors)
{
    if (extents->count < EXTENTS_MAX)
        extents->items[extents->count++] = (struct extent){start, sectors};
}

/* The extents that stay: every entry's but those in `free_slots`, and the upload in progress. */
static void extents_kept(const struct store *store, unsigned free_slots, struct extents *extents)
{
    extents->count = 0;
    for (unsigned i = 0; i < STORE_MAX_SLOTS; i++) {
        const struct store_slot *slot = &store->state.slots[i];
        bool uploading = store->upload.active && store->upload.slot == i;
        if (slot->state != STORE_SLOT_EMPTY && !uploading && (free_slots & (1u << i)) == 0)
            extents_add(extents, slot->start, slot->sectors);
    }
    if (store->upload.active)
        extents_add(extents, store->upload.start, store->upload.sectors);
}

/* The gaps between the extents (which never overlap), in ring order. */
static void free_runs_of(const struct store *store, const struct extents *extents, struct free_runs *runs)
{
    uint32_t ring = store->data_sectors;
    memset(runs, 0, sizeof *runs);
    if (extents->count == 0) {
        runs->runs[0] = (struct extent){0, ring};
        runs->count = 1;
        runs->total = runs->largest = ring;
        return;
    }
    struct extent sorted[EXTENTS_MAX];
    unsigned n = extents->count;
    for (unsigned i = 0; i < n; i++) {
        unsigned j = i;
        for (; j > 0 && sorted[j - 1].start > extents->items[i].start; j--)
            sorted[j] = sorted[j - 1];
        sorted[j] = extents->items[i];
    }
    for (unsigned i = 0; i < n; i++) {
        uint32_t end = (sorted[i].start + sorted[i].sectors) % ring;
        uint32_t gap = ring_distance(store, end, sorted[(i + 1) % n].start);
        if (gap == 0)
            continue;
        runs->runs[runs->count++] = (struct extent){end, gap};
        runs->total += gap;
        if (gap > runs->largest)
            runs->largest = gap;
    }
}

/* What putting the new image at `start` frees, and how the free space looks after its activation. */
static void weigh(const struct store *store, uint32_t start, uint32_t sectors, unsigned free_slots,
                  struct candidate *candidate)
{
    const struct store_state *state = &store->state;
    candidate->start = start;
    candidate->freed = 0;
    for (unsigned i = 0; i < STORE_MAX_SLOTS; i++)
        if ((free_slots & (1u << i)) != 0 && state->slots[i].state != STORE_SLOT_EMPTY &&
            store_extents_overlap(store, start, sectors, state->slots[i].start, state->slots[i].sectors))
            candidate->freed |= 1u << i;
    int current = (candidate->freed & bit(state->current)) ? STORE_NO_SLOT : state->current;
    int previous = (candidate->freed & bit(state->previous)) ? STORE_NO_SLOT : state->previous;
    int next_freed = current == STORE_NO_SLOT ? STORE_NO_SLOT : state->slots[current].flashed_ok ? previous : current;
    struct extents after;
    extents_kept(store, candidate->freed | bit(next_freed), &after);
    extents_add(&after, start, sectors);
    struct free_runs runs;
    free_runs_of(store, &after, &runs);
    candidate->pieces = runs.count;
    candidate->largest = runs.largest;
}

static bool better(const struct candidate *a, const struct candidate *b)
{
    unsigned freed_a = count_bits(a->freed), freed_b = count_bits(b->freed);
    if (freed_a != freed_b)
        return freed_a < freed_b;
    if (a->pieces != b->pieces)
        return a->pieces < b->pieces;
    return a->largest > b->largest;
}

/* The best place for `sectors` when the entries in free_slots count as free; false when no run is long enough. */
static bool find_place(const struct store *store, uint32_t sectors, unsigned free_slots, struct candidate *best)
{
    struct extents kept;
    extents_kept(store, free_slots, &kept);
    struct free_runs runs;
    free_runs_of(store, &kept, &runs);
    if (runs.largest < sectors)
        return false;

    uint32_t ring = store->data_sectors, starts[CANDIDATES_MAX];
    unsigned count = 0;
    for (unsigned r = 0; r < runs.count; r++)
        starts[count++] = runs.runs[r].start;
    for (unsigned r = 0; r < runs.count; r++)
        starts[count++] = (runs.runs[r].start + runs.runs[r].sectors + ring - sectors) % ring;
    for (unsigned i = 0; i < STORE_MAX_SLOTS; i++) {
        const struct store_slot *slot = &store->state.slots[i];
        if ((free_slots & (1u << i)) == 0 || slot->state == STORE_SLOT_EMPTY)
            continue;
        starts[count++] = (slot->start + slot->sectors) % ring;
        starts[count++] = (slot->start + ring - sectors % ring) % ring;
    }

    bool found = false;
    for (unsigned c = 0; c < count; c++) {
        bool inside = false;
        for (unsigned r = 0; r < runs.count && !inside; r++)
            inside = ring_distance(store, runs.runs[r].start, starts[c]) + (uint64_t)sectors <= runs.runs[r].sectors;
        if (!inside)
            continue;
        struct candidate candidate;
        weigh(store, starts[c], sectors, free_slots, &candidate);
        if (!found || better(&candidate, best))
            *best = candidate;
        found = true;
    }
    return found;
}

static unsigned interrupted_uploads(const struct store *store)
{
    unsigned slots = 0;
    for (unsigned i = 0; i < STORE_MAX_SLOTS; i++)
        if (store->state.slots[i].state == STORE_SLOT_RECEIVING && !(store->upload.active && store->upload.slot == i))
            slots |= 1u << i;
    return slots;
}

static unsigned staged_images(const struct store *store)
{
    unsigned slots = 0;
    for (unsigned i = 0; i < STORE_MAX_SLOTS; i++)
        if (store->state.slots[i].state == STORE_SLOT_COMPLETE && (int)i != store->state.current &&
            (int)i != store->state.previous)
            slots |= 1u << i;
    return slots;
}

/* The stages of store_space_place(), as the entries each counts as free. */
enum stage { STAGE_KEEP_ALL, STAGE_INTERRUPTED, STAGE_PREVIOUS, STAGE_CURRENT };

static unsigned stage_free_slots(const struct store *store, enum stage stage)
{
    unsigned slots = 0;
    if (stage >= STAGE_INTERRUPTED)
        slots |= interrupted_uploads(store);
    if (stage >= STAGE_PREVIOUS)
        slots |= bit(store->state.previous);
    if (stage >= STAGE_CURRENT)
        slots |= bit(store->state.current);
    return slots;
}

/* An empty entry; else one the placement frees; else an interrupted upload's, which is then freed too. */
static int choose_slot(const struct store *store, unsigned *freed)
{
    for (unsigned i = 0; i < STORE_MAX_SLOTS; i++)
        if (store->state.slots[i].state == STORE_SLOT_EMPTY && !(store->upload.active && store->upload.slot == i))
            return (int)i;
    for (unsigned i = 0; i < STORE_MAX_SLOTS; i++)
        if (*freed & (1u << i))
            return (int)i;
    unsigned interrupted = interrupted_uploads(store);
    for (unsigned i = 0; i < STORE_MAX_SLOTS; i++) {
        if (interrupted & (1u << i)) {
            *freed |= 1u << i;
            return (int)i;
        }
    }
    return STORE_NO_SLOT;
}

enum status store_space_place(struct store *store, uint32_t size, enum store_room_policy policy,
                              struct store_placement *placement)
{
    uint32_t sectors = store_sectors_for(store, size);
    enum stage last = policy == STORE_DROP_ROLLBACK ? STAGE_CURRENT : STAGE_INTERRUPTED;
    struct candidate best;
    for (enum stage stage = STAGE_KEEP_ALL; stage <= last; stage++) {
        if (!find_place(store, sectors, stage_free_slots(store, stage), &best))
            continue;
        placement->start = best.start;
        placement->sectors = sectors;
        placement->freed = best.freed;
        placement->slot = choose_slot(store, &placement->freed);
        if (placement->slot != STORE_NO_SLOT)
            return STATUS_OK;
        unsigned staged = staged_images(store);
        for (unsigned i = 0; i < STORE_MAX_SLOTS; i++)
            if (staged & (1u << i))
                return status_fail(store->report, STATUS_STORE_NO_FREE_SLOT,
                                   "the store describes %u images already; staged: '%s'", STORE_MAX_SLOTS,
                                   store->state.slots[i].info.name);
        return status_fail(store->report, STATUS_STORE_NO_FREE_SLOT, "the store describes %u images already",
                           STORE_MAX_SLOTS);
    }

    struct extents kept;
    struct free_runs runs;
    extents_kept(store, stage_free_slots(store, STAGE_INTERRUPTED), &kept);
    free_runs_of(store, &kept, &runs);
    if (policy == STORE_KEEP_ROLLBACK && find_place(store, sectors, stage_free_slots(store, STAGE_CURRENT), &best))
        return status_fail(store->report, STATUS_STORE_NO_ROOM_FOR_ROLLBACK,
                           "the image needs %lu B; %lu B are free beside the images kept", (unsigned long)size,
                           (unsigned long)runs.total << store->sector_shift);
    unsigned staged = staged_images(store);
    for (unsigned i = 0; i < STORE_MAX_SLOTS; i++)
        if (staged & (1u << i))
            return status_fail(store->report, STATUS_STORE_FULL,
                               "the image needs %lu B; staged images take the room: '%s'", (unsigned long)size,
                               store->state.slots[i].info.name);
    return status_fail(store->report, STATUS_STORE_FULL, "the image needs %lu B; %lu B are free", (unsigned long)size,
                       (unsigned long)runs.total << store->sector_shift);
}

uint32_t store_space_room(const struct store *store, enum store_room_policy policy)
{
    struct extents kept;
    struct free_runs runs;
    extents_kept(store, stage_free_slots(store, policy == STORE_DROP_ROLLBACK ? STAGE_CURRENT : STAGE_INTERRUPTED),
                 &kept);
    free_runs_of(store, &kept, &runs);
    return runs.largest << store->sector_shift;
}

/* ---------------------------------------------------------------------------------------------------------------
 * The refusal in words.
 */

/* A sentence built piece by piece; what does not fit is cut. */
struct text {
    char *buf;
    size_t size, len;
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
text_add(struct text *text, const char *format, ...)
{
    if (text->len + 1 >= text->size)
        return;
    va_list args;
    va_start(args, format);
    int n = vsnprintf(text->buf + text->len, text->size - text->len, format, args);
    va_end(args);
    if (n > 0)
        text->len = text->len + (size_t)n < text->size ? text->len + (size_t)n : text->size - 1;
}

/* A byte count with its thousands grouped: "1,048,576". */
static const char *grouped(uint64_t value, char out[32])
{
    char digits[DECIMAL_MAX];
    size_t n = decimal_u64(value, digits);
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            out[at++] = ',';
        out[at++] = digits[i];
    }
    out[at] = '\0';
    return out;
}

/* Bytes of `sectors` sectors, grouped. */
static const char *sector_bytes(const struct store *store, uint32_t sectors, char out[32])
{
    return grouped((uint64_t)sectors << store->sector_shift, out);
}

/* "the current image (hello.bin, 1,048,576 B), the rollback image (...) and the staged image old.bin (...)" */
static void list_images(const struct store *store, unsigned slots, struct text *text)
{
    const struct store_state *state = &store->state;
    unsigned total = count_bits(slots), listed = 0, staged = count_bits(slots & staged_images(store));
    bool staged_named = false;
    for (int pass = 0; pass < 3; pass++) {
        for (unsigned i = 0; i < STORE_MAX_SLOTS; i++) {
            bool is_current = (int)i == state->current, is_previous = (int)i == state->previous;
            if ((slots & (1u << i)) == 0 || (pass == 0) != is_current || (pass == 1) != is_previous)
                continue;
            char size[32];
            grouped(state->slots[i].length, size);
            text_add(text, "%s", listed == 0 ? "" : listed + 1 == total ? " and " : ", ");
            if (is_current || is_previous) {
                text_add(text, "the %s image (%s, %s B)", is_current ? "current" : "rollback",
                         state->slots[i].info.name, size);
            } else {
                text_add(text, "%s%s (%s B)",
                         staged_named  ? ""
                         : staged == 1 ? "the staged image "
                                       : "the staged images ",
                         state->slots[i].info.name, size);
                staged_named = true;
            }
            listed++;
        }
    }
}

size_t store_space_text(const struct store *store, uint32_t size, enum store_room_policy policy, char *buf,
                        size_t buf_size)
{
    struct text text = {buf, buf_size, 0};
    if (buf_size == 0)
        return 0;
    buf[0] = '\0';
    char a[32], b[32];
    uint32_t sectors = store_sectors_for(store, size);
    text_add(&text, "the image needs %s B", grouped(size, a));
    if (((uint64_t)sectors << store->sector_shift) != size)
        text_add(&text, " (%lu sectors of %s B)", (unsigned long)sectors, grouped(store->sector_size, b));

    unsigned kept_slots = 0;
    for (unsigned i = 0; i < STORE_MAX_SLOTS; i++)
        if (store->state.slots[i].state == STORE_SLOT_COMPLETE)
            kept_slots |= 1u << i;
    struct extents kept;
    struct free_runs runs;
    extents_kept(store, stage_free_slots(store, STAGE_INTERRUPTED), &kept);
    free_runs_of(store, &kept, &runs);
    text_add(&text, "; %s B are free", sector_bytes(store, runs.total, a));
    if (runs.count > 1)
        text_add(&text, " in %u pieces (the largest %s B)", runs.count, sector_bytes(store, runs.largest, b));
    if (kept_slots != 0) {
        text_add(&text, " beside ");
        list_images(store, kept_slots, &text);
    }

    struct candidate place;
    unsigned staged = staged_images(store);
    bool fits_without_staged = find_place(store, sectors, stage_free_slots(store, STAGE_INTERRUPTED) | staged, &place);
    if (policy == STORE_KEEP_ROLLBACK && (find_place(store, sectors, stage_free_slots(store, STAGE_PREVIOUS), &place) ||
                                          find_place(store, sectors, stage_free_slots(store, STAGE_CURRENT), &place))) {
        /* What no_rollback would free, and what it leaves to roll back to. */
        int current = store->state.current, previous = store->state.previous;
        bool frees_current = (place.freed & bit(current)) != 0, frees_previous = (place.freed & bit(previous)) != 0;
        extents_kept(store, stage_free_slots(store, STAGE_INTERRUPTED) | place.freed, &kept);
        free_runs_of(store, &kept, &runs);
        text_add(&text, ": upload with no_rollback to give up %s",
                 frees_current && frees_previous ? "the rollback copy and the current image"
                 : frees_current                 ? "the current image"
                                                 : "the rollback copy");
        text_add(&text, " (%s B would be free%s)", sector_bytes(store, runs.total, a),
                 !frees_current                                 ? ""
                 : previous != STORE_NO_SLOT && !frees_previous ? "; the rollback image stays"
                                                                : "; no image is then kept to roll back to");
    } else if (staged != 0) {
        text_add(&text, ": delete the staged image%s to make room (the store never drops %s by itself)%s",
                 count_bits(staged) == 1 ? "" : "s", count_bits(staged) == 1 ? "it" : "them",
                 fits_without_staged || policy == STORE_DROP_ROLLBACK ? "" : ", then upload with no_rollback");
    }
    return text.len;
}
