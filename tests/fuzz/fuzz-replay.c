/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <string.h>

#include "fuzz-corpus.h"
#include "fuzz-replay.h"

static const FuzzReplay *replay;

static GPtrArray *
load_seeds (void)
{
  GPtrArray *corpus = fuzz_load_corpus (replay->corpus_dir);

  g_assert_cmpuint (corpus->len, >=, 8);
  return corpus;
}

static void
test_seeds (void)
{
  g_autoptr (GPtrArray) corpus = load_seeds ();

  for (guint i = 0; i < corpus->len; i++)
    {
      gsize size = 0;
      const guint8 *data = g_bytes_get_data (g_ptr_array_index (corpus, i), &size);

      g_assert_cmpint (LLVMFuzzerTestOneInput (data, size), ==, 0);
    }
}

static GByteArray *
mutate (GRand *rand, GPtrArray *corpus)
{
  GBytes *seed = g_ptr_array_index (corpus, g_rand_int_range (rand, 0, (gint32) corpus->len));
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (seed, &size);
  GByteArray *out = g_byte_array_new ();
  guint n = (guint) g_rand_int_range (rand, 1, 6);
  guint keep = replay->keep_first;

  g_byte_array_append (out, data, (guint) size);
  for (guint k = 0; k < n && out->len > keep; k++)
    {
      guint at = (guint) g_rand_int_range (rand, (gint32) keep, (gint32) out->len);
      /* Drawn once: MIN() evaluates its arguments twice. */
      guint run = (guint) g_rand_int_range (rand, 1, 64);

      switch (g_rand_int_range (rand, 0, 5))
        {
        case 0: /* flip a byte */
          out->data[at] ^= (guint8) g_rand_int_range (rand, 1, 256);
          break;
        case 1: /* truncate */
          g_byte_array_set_size (out, at);
          break;
        case 2: /* delete a run */
          g_byte_array_remove_range (out, at, MIN (out->len - at, run % 16 + 1));
          break;
        case 3: /* insert a token */
          {
            const char *token
                = replay->tokens[g_rand_int_range (rand, 0, (gint32) replay->n_tokens)];
            g_autoptr (GByteArray) tail = g_byte_array_new ();

            g_byte_array_append (tail, out->data + at, out->len - at);
            g_byte_array_set_size (out, at);
            g_byte_array_append (out, (const guint8 *) token, (guint) strlen (token));
            g_byte_array_append (out, tail->data, tail->len);
          }
          break;
        default: /* duplicate a slice */
          {
            guint len = MIN (out->len - at, run);
            g_autofree guint8 *slice = g_memdup2 (out->data + at, len);

            g_byte_array_append (out, slice, len);
          }
          break;
        }
    }
  return out;
}

static void
test_mutations (void)
{
  g_autoptr (GPtrArray) corpus = load_seeds ();
  g_autoptr (GRand) rand = g_rand_new_with_seed (replay->seed);

  /* Sorted, so that the same mutations run everywhere. */
  g_ptr_array_sort (corpus, (GCompareFunc) g_bytes_compare);
  for (guint i = 0; i < replay->n_mutations; i++)
    {
      g_autoptr (GByteArray) input = mutate (rand, corpus);

      g_assert_cmpint (LLVMFuzzerTestOneInput (input->data, input->len), ==, 0);
    }
}

int
fuzz_replay_main (int argc, char **argv, const FuzzReplay *r)
{
  g_autofree char *seeds = g_strdup_printf ("/fuzz/%s/seeds", r->name);
  g_autofree char *mutations = g_strdup_printf ("/fuzz/%s/mutations", r->name);

  replay = r;
  g_test_init (&argc, &argv, NULL);
  g_test_add_func (seeds, test_seeds);
  g_test_add_func (mutations, test_mutations);
  return g_test_run ();
}
