/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The search index is four files over one object:
 *   foyer-search-index.c           the object, its public calls, the work
 *                                  queue and the worker thread that runs it;
 *   foyer-search-index-fts.c       the in-memory database: its schema (FTS5
 *                                  and the rows' metadata) and every query
 *                                  on it, the search itself among them;
 *   foyer-search-index-sealed.c    the sealed copy in the store: blocks
 *                                  written after they change, read back at
 *                                  start;
 *   foyer-search-index-backfill.c  the back-fill (main context) and how far
 *                                  it got in each space (worker).
 * What is marked "worker" runs on the worker thread only.
 */
#pragma once

#include "foyer-search-index.h"

#include <sqlite3.h>

G_BEGIN_DECLS

#define BLOCK_ENTRIES      512
#define COMMIT_EVERY       5000
#define QUERY_APPLY_BUDGET 1000
#define FLUSH_DELAY_MS     2000
#define SNIPPET_TOKENS     32
#define ROWID_SLOTS        1024
#define PROGRESS_OPS       1000
#define MARK_START         "\x02"
#define MARK_END           "\x03"
#define BLOCK_KEY_PREFIX   "b:"
#define STATE_KEY_PREFIX   "f:"

typedef enum
{
  OP_QUERY,
  OP_LOAD,
  OP_APPLY,
  OP_WRITE,
  OP_FLUSH,
  OP_STATE,
  OP_GET_STATES,
  OP_STOP,
} OpType;

typedef struct
{
  OpType type;
  guint64 seq;
  GTask *task;   /* for the async ones */
  char *space;   /* OP_STATE, OP_REMOVE_SPACE */
  char *cursor;  /* OP_STATE */
  gboolean done; /* OP_STATE */
} Op;

typedef struct
{
  gint64 current; /* the block new rows of the space go to */
  guint count;    /* rows in it */
} SpaceBlocks;

typedef struct
{
  char *cursor;
  gboolean done;
} BackfillState;

/* The task data of an OP_QUERY. */
typedef struct
{
  char *text;
  guint limit;
} QueryData;

struct _FoyerSearchIndex
{
  GObject parent_instance;

  FoyerStore *store;
  GMainContext *context;
  GThread *worker;
  GAsyncQueue *queue;
  guint64 next_seq;

  /* Shared with the worker, under lock. */
  GMutex lock;
  GQueue pending; /* Change*, in order */
  gint queries_waiting;
  gboolean apply_queued;
  guint n_entries;
  guint64 memory_size;
  gboolean notify_queued;

  /* Worker only. */
  sqlite3 *db;
  GHashTable *space_blocks; /* space → SpaceBlocks* */
  GHashTable *dirty;        /* "space\x1fblock" set */
  GHashTable *states;       /* space → BackfillState* */
  GHashTable *dirty_states; /* space set */
  GHashTable *stmts;        /* SQL text → sqlite3_stmt* */
  GHashTable *ids;          /* "spaces\x1fname", "authors\x1fname" → interned id */
  guint rows;
  gboolean stopping;
  GPtrArray *loading; /* FoyerStoreEntry* of the sealed copy, while it loads */
  guint loaded_records;
  GCancellable *query_cancellable;
  guint64 rowid_counter;

  /* Main context only. */
  GSource *flush_source;
  gboolean loaded;
  gboolean backfill_running;
  double backfill_progress;
};

/* ---- foyer-search-index.c ---- */

Op *_foyer_search_op_new (OpType type, GTask *task);
/* Queues op for the worker (queries go first). Any thread. */
void _foyer_search_index_push (FoyerSearchIndex *self, Op *op);
/* Worker: applies up to budget queued changes (see there). */
void _foyer_search_index_apply_some (FoyerSearchIndex *self, guint budget, gboolean requeue);
/* Worker: tells the main context the counts changed, and that there is
 * something to write. */
void _foyer_search_index_publish (FoyerSearchIndex *self);
/* Main context: the backfill-running and backfill-progress properties. */
void _foyer_search_index_set_backfill (FoyerSearchIndex *self, gboolean running, double progress);

/* ---- foyer-search-index-fts.c (worker) ---- */

gboolean _foyer_search_fts_exec (sqlite3 *db, const char *sql, GError **error);
/* Opens the in-memory database with its schema. */
gboolean _foyer_search_fts_open (FoyerSearchIndex *self, GError **error);
/* block < 0: a new entry (it goes to the space's current block); else the
 * block of the sealed copy it is loaded from. */
void _foyer_search_fts_insert (FoyerSearchIndex *self, const FoyerSearchEntry *e, gint64 block);
void _foyer_search_fts_remove (FoyerSearchIndex *self,
                               const char *space,
                               const char *item,
                               FoyerSearchKind kind);
void _foyer_search_fts_remove_space (FoyerSearchIndex *self, const char *space);
void _foyer_search_fts_clear (FoyerSearchIndex *self);
/* FoyerSearchEntry* of one block of a space, as the sealed copy keeps them. */
GPtrArray *
_foyer_search_fts_block_entries (FoyerSearchIndex *self, const char *space, gint64 block);
/* Bytes of the database's pages. */
guint64 _foyer_search_fts_size (FoyerSearchIndex *self);
/* Answers the OP_QUERY task (its data: QueryData). */
void _foyer_search_fts_query (FoyerSearchIndex *self, GTask *task);

/* ---- foyer-search-index-sealed.c (worker) ---- */

/* Answers the OP_LOAD task, or queues it again to go on after a query. */
void _foyer_search_sealed_load (FoyerSearchIndex *self, Op *op);
/* Writes the changed blocks and back-fill states. */
void _foyer_search_sealed_write (FoyerSearchIndex *self);
void _foyer_search_sealed_remove_space (FoyerSearchIndex *self, const char *space);
void _foyer_search_sealed_clear (FoyerSearchIndex *self);

/* ---- foyer-search-index-backfill.c ---- */

void _foyer_search_backfill_state_free (BackfillState *s);
/* Worker: OP_STATE (how far the back-fill got in a space), OP_GET_STATES. */
void _foyer_search_backfill_do_state (FoyerSearchIndex *self, Op *op);
void _foyer_search_backfill_do_get_states (FoyerSearchIndex *self, GTask *task);

G_END_DECLS
