/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The fuzz target's short run for every build (gcc included): the seed
 * corpus, then a few thousand mutations of it. The mutations come from a
 * fixed-seed xorshift generator so a failure can be replayed; nothing
 * here needs unpredictable numbers.
 */
#include "config.h"

#include <string.h>

#include "foyer-svc.h"
#include "fuzz-corpus.h"

#define N_MUTATIONS 20000

static guint64 state = 0x9e3779b97f4a7c15ull;

static guint64
next (void)
{
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

static GByteArray *
mutate (GBytes *seed)
{
  static const char *const tokens[] = {
    "{",      "}",     "[",       "]",    "\"",   ",",      ":",  "null",          "true",
    "-1",     "1e999", "\\u0000", "\xff", "\xc3", "kms://", "..", "\"microsoft\"", "\"audiences\"",
    "{\"a\":"
  };
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (seed, &len);
  GByteArray *out = g_byte_array_new ();
  guint edits = 1 + next () % 8;

  g_byte_array_append (out, data, len);
  for (guint i = 0; i < edits; i++)
    {
      guint pos = out->len > 0 ? next () % (out->len + 1) : 0;

      switch (next () % 4)
        {
        case 0: /* flip a byte */
          if (out->len > 0)
            out->data[pos % out->len] ^= (guint8) (1 + next () % 255);
          break;
        case 1: /* delete a run */
          if (out->len > 0)
            {
              guint at = pos % out->len;
              guint n = 1 + next () % 16;

              g_byte_array_remove_range (out, at, MIN (out->len - at, n));
            }
          break;
        case 2: /* insert a token */
          {
            const char *token = tokens[next () % G_N_ELEMENTS (tokens)];
            g_autoptr (GByteArray) tail = g_byte_array_new ();

            g_byte_array_append (tail, out->data + pos, out->len - pos);
            g_byte_array_set_size (out, pos);
            g_byte_array_append (out, (const guint8 *) token, strlen (token));
            g_byte_array_append (out, tail->data, tail->len);
          }
          break;
        default: /* duplicate a slice */
          if (out->len > 0)
            {
              guint start = next () % out->len;
              guint want = 1 + next () % 64;
              guint n = MIN (out->len - start, want);
              g_autoptr (GByteArray) slice = g_byte_array_new ();

              g_byte_array_append (slice, out->data + start, n);
              g_byte_array_append (out, slice->data, slice->len);
            }
          break;
        }
    }
  return out;
}

static void
test_corpus (void)
{
  g_autoptr (GPtrArray) corpus = fuzz_load_corpus (TEST_SRCDIR "/fuzz/service/corpus");

  g_assert_cmpuint (corpus->len, >=, 5);
  for (guint i = 0; i < corpus->len; i++)
    {
      gsize len = 0;
      const guint8 *data = g_bytes_get_data (g_ptr_array_index (corpus, i), &len);

      g_assert_cmpint (foyer_svc_fuzz_one (data, len), ==, 0);
    }
}

static void
test_mutations (void)
{
  g_autoptr (GPtrArray) corpus = fuzz_load_corpus (TEST_SRCDIR "/fuzz/service/corpus");

  for (guint i = 0; i < N_MUTATIONS; i++)
    {
      g_autoptr (GByteArray) input = mutate (g_ptr_array_index (corpus, i % corpus->len));

      g_assert_cmpint (foyer_svc_fuzz_one (input->data, input->len), ==, 0);
    }
}

static void
test_pathological (void)
{
  g_autofree char *deep_arrays = g_strnfill (200000, '[');
  g_autofree char *deep_objects = NULL;
  GString *objects = g_string_new (NULL);

  for (int i = 0; i < 50000; i++)
    g_string_append (objects, "{\"a\":");
  deep_objects = g_string_free (objects, FALSE);

  g_assert_cmpint (foyer_svc_fuzz_one ((const guint8 *) deep_arrays, strlen (deep_arrays)), ==, 0);
  g_assert_cmpint (foyer_svc_fuzz_one ((const guint8 *) deep_objects, strlen (deep_objects)), ==,
                   0);
  g_assert_cmpint (foyer_svc_fuzz_one ((const guint8 *) "\0\0\0", 3), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/fuzz/service-json/corpus", test_corpus);
  g_test_add_func ("/fuzz/service-json/mutations", test_mutations);
  g_test_add_func ("/fuzz/service-json/pathological", test_pathological);

  return g_test_run ();
}
