/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The benchmark's messages: deterministic, GLib only (the SQLCipher
 * benchmark links no Foyer code). Words come from a vocabulary with a
 * Zipf-like spread (a few very common words, a long tail), 4–40 words a
 * message, some with accents; every 25th message shares a file.
 */
#pragma once

#include <glib.h>

typedef struct
{
  guint space;
  guint index;
  gint64 created;
  gboolean file;
  char *text;
} CorpusMessage;

typedef struct
{
  GPtrArray *messages; /* CorpusMessage* */
  guint64 text_bytes;
} Corpus;

Corpus *corpus_new (guint spaces, guint per_space);
void corpus_free (Corpus *corpus);

/* What a person types, one character at a time, for each word. */
extern const char *const corpus_typed_words[];

/* ---- what both programs measure with it ---- */

/* Now, in milliseconds of the monotonic clock. */
double corpus_now_ms (void);

/* Sorts values and prints one line: what, min, median and max, unit. */
void corpus_print_range (const char *what, GArray *values, const char *unit);

/* Runs query on every prefix of every typed word, as a person types it
 * (what query returns: the milliseconds it took) → the slowest keystroke. */
typedef double (*CorpusQueryFunc) (const char *typed, gpointer data);
double corpus_typing_worst_ms (CorpusQueryFunc query, gpointer data);
