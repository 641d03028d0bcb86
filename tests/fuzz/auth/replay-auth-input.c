/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Runs the auth fuzz target over its seed corpus and a few thousand
 * deterministic mutations of it, so every `meson test` (with gcc too)
 * exercises the auth readers on broken input.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <glib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define N_MUTATIONS 4000

static GPtrArray *
load_corpus (void)
{
  GPtrArray *corpus = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr (GDir) dir = g_dir_open (CORPUS_DIR, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (CORPUS_DIR, name, NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      g_ptr_array_add (corpus, g_bytes_new_take (g_steal_pointer (&contents), length));
    }
  g_assert_cmpuint (corpus->len, >=, 8);
  return corpus;
}

static void
test_seeds (void)
{
  g_autoptr (GPtrArray) corpus = load_corpus ();

  for (guint i = 0; i < corpus->len; i++)
    {
      gsize size = 0;
      const guint8 *data = g_bytes_get_data (g_ptr_array_index (corpus, i), &size);

      g_assert_cmpint (LLVMFuzzerTestOneInput (data, size), ==, 0);
    }
}

static const char *const tokens[] = {
  "{",     "}",         "[",      "]",     ",",      ":",       "\"",      "null",
  "true",  "-1",        "1e999",  "{}",    "[]",     "\"tid\"", "\"exp\"", "\"aud\"",
  "&",     "=",         "?",      "#",     "%00",    "%",       "//",      "@",
  "http:", "127.0.0.1", "state=", "code=", "error=", "\\u0000", "\xff",    ".",
};

static GByteArray *
mutate (GRand *rand, GPtrArray *corpus)
{
  GBytes *seed = g_ptr_array_index (corpus, g_rand_int_range (rand, 0, (gint32) corpus->len));
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (seed, &size);
  GByteArray *out = g_byte_array_new ();
  guint n = (guint) g_rand_int_range (rand, 1, 6);

  g_byte_array_append (out, data, (guint) size);
  for (guint k = 0; k < n && out->len > 1; k++)
    {
      /* Byte 0 picks the reader: mutate only the text after it. */
      guint at = out->len > 1 ? (guint) g_rand_int_range (rand, 1, (gint32) out->len) : 0;
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
        case 3: /* insert a JSON token */
          {
            const char *token = tokens[g_rand_int_range (rand, 0, G_N_ELEMENTS (tokens))];

            {
              g_autoptr (GByteArray) tail = g_byte_array_new ();

              g_byte_array_append (tail, out->data + at, out->len - at);
              g_byte_array_set_size (out, at);
              g_byte_array_append (out, (const guint8 *) token, (guint) strlen (token));
              g_byte_array_append (out, tail->data, tail->len);
            }
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
  g_autoptr (GPtrArray) corpus = load_corpus ();
  g_autoptr (GRand) rand = g_rand_new_with_seed (0xA17E);

  /* Sorted, so that the same mutations run everywhere. */
  g_ptr_array_sort (corpus, (GCompareFunc) g_bytes_compare);
  for (guint i = 0; i < N_MUTATIONS; i++)
    {
      g_autoptr (GByteArray) input = mutate (rand, corpus);

      g_assert_cmpint (LLVMFuzzerTestOneInput (input->data, input->len), ==, 0);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/fuzz/auth-input/seeds", test_seeds);
  g_test_add_func ("/fuzz/auth-input/mutations", test_mutations);
  return g_test_run ();
}
