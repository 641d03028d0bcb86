/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Runs a fuzz target (linked in beside this file) under plain gcc: every
 * file of the seed corpus, then deterministic mutations of them (bit flips,
 * byte changes, insertions, deletions, truncations and splices).
 */
#include "config.h"

#include <glib.h>
#include <string.h>

#include "fuzz-corpus.h"

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

#define N_MUTATIONS 3000

static void
test_corpus (void)
{
  g_autoptr (GPtrArray) seeds = fuzz_load_corpus (CORPUS_DIR);

  g_assert_cmpuint (seeds->len, >=, 3);
  for (guint i = 0; i < seeds->len; i++)
    {
      gsize len = 0;
      const guint8 *data = g_bytes_get_data (seeds->pdata[i], &len);

      LLVMFuzzerTestOneInput (data, len);
    }
}

static GByteArray *
mutate (GRand *rand, GPtrArray *seeds)
{
  GBytes *seed = seeds->pdata[g_rand_int_range (rand, 0, (int) seeds->len)];
  GByteArray *buf = g_byte_array_new ();
  int rounds = g_rand_int_range (rand, 1, 6);

  g_byte_array_append (buf, g_bytes_get_data (seed, NULL), g_bytes_get_size (seed));
  for (int r = 0; r < rounds; r++)
    {
      guint pos = buf->len > 0 ? (guint) g_rand_int_range (rand, 0, (int) buf->len) : 0;
      guint8 byte = (guint8) g_rand_int_range (rand, 0, 256);
      guint span = (guint) g_rand_int_range (rand, 1, 33);

      switch (g_rand_int_range (rand, 0, 6))
        {
        case 0:
          if (buf->len > 0)
            buf->data[pos] ^= (guint8) (1u << g_rand_int_range (rand, 0, 8));
          break;
        case 1:
          if (buf->len > 0)
            buf->data[pos] = byte;
          break;
        case 2:
          g_byte_array_set_size (buf, buf->len + 1);
          memmove (buf->data + pos + 1, buf->data + pos, buf->len - pos - 1);
          buf->data[pos] = byte;
          break;
        case 3:
          if (buf->len > 0)
            g_byte_array_remove_range (buf, pos, MIN (buf->len - pos, span % 8 + 1));
          break;
        case 4:
          g_byte_array_set_size (buf, pos);
          break;
        default:
          {
            /* Splice in a piece of another seed. */
            GBytes *other = seeds->pdata[g_rand_int_range (rand, 0, (int) seeds->len)];
            gsize olen = g_bytes_get_size (other);
            gsize start = olen > 0 ? (gsize) g_rand_int_range (rand, 0, (int) olen) : 0;
            gsize n = MIN (olen - start, (gsize) span);

            g_byte_array_set_size (buf, pos);
            g_byte_array_append (buf, (const guint8 *) g_bytes_get_data (other, NULL) + start, n);
          }
          break;
        }
    }

  return buf;
}

static void
test_mutations (void)
{
  g_autoptr (GPtrArray) seeds = fuzz_load_corpus (CORPUS_DIR);
  g_autoptr (GRand) rand = g_rand_new_with_seed (0x5eed);

  for (int i = 0; i < N_MUTATIONS; i++)
    {
      g_autoptr (GByteArray) buf = mutate (rand, seeds);

      LLVMFuzzerTestOneInput (buf->data, buf->len);
    }
}

static void
test_random (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (0xf00d);

  for (int i = 0; i < 500; i++)
    {
      guint8 data[256];
      gsize len = (gsize) g_rand_int_range (rand, 0, sizeof data);

      for (gsize j = 0; j < len; j++)
        data[j] = (guint8) g_rand_int_range (rand, 0, 256);
      LLVMFuzzerTestOneInput (data, len);
    }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/fuzz-replay/corpus", test_corpus);
  g_test_add_func ("/fuzz-replay/mutations", test_mutations);
  g_test_add_func ("/fuzz-replay/random", test_random);

  return g_test_run ();
}
