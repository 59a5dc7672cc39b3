/*
 * store_journal.h - the staging store's journal: records on flash, finding the newest, appending the next.
 * Internal to src/service/store*.c; docs/store.md describes the format.
 */
#ifndef AIRSWD_STORE_JOURNAL_H
#define AIRSWD_STORE_JOURNAL_H

#include "service/store.h"

/* Scans the journal sectors for the newest intact record and prepares the append position after it. Then takes
 * that record as store->state (an empty store when there is none). Needs the layout fields of store set.
 * STATUS_STORE_LAYOUT or STATUS_STORE_CORRUPT when the newest record cannot be taken; the append position is set
 * all the same, so that store_format() can supersede it. */
enum status store_journal_open(struct store *store);

/* Appends a record describing next, with the next sequence number, erasing the next journal sector first when the
 * current one is full. Once the record is on flash and reads back intact, store->state becomes next. Any failure
 * leaves the store unmounted: whether the record reached flash is then unknown until the next mount. */
enum status store_journal_commit(struct store *store, const struct store_state *next);

/* The state of an empty store. */
void store_journal_empty_state(struct store_state *state);

#endif /* AIRSWD_STORE_JOURNAL_H */
