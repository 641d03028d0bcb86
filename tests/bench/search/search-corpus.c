/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "search-corpus.h"

#include <stdio.h>
#include <string.h>

static const char *const common[] = {
  "the",      "a",         "to",     "and",     "of",       "is",      "in",      "for",
  "on",       "we",        "it",     "this",    "that",     "be",      "with",    "at",
  "you",      "can",       "will",   "have",    "from",     "meeting", "today",   "tomorrow",
  "please",   "thanks",    "team",   "project", "report",   "budget",  "review",  "draft",
  "deadline", "client",    "update", "plan",    "call",     "slides",  "numbers", "quarter",
  "launch",   "design",    "sprint", "demo",    "contract", "invoice", "été",     "réunion",
  "équipe",   "prévision", "café",   "déjà",    "naïve",
};

const char *const corpus_typed_words[] = { "budget", "réunion", "quarterly", "xylophone", NULL };

/* A pseudo-word from a number: the long tail of a vocabulary. */
static void
append_rare_word (GString *out, guint32 n)
{
  static const char *const syllables[] = { "ka", "lo",  "mi",  "ne", "ru",  "sa",  "ti",  "vo",
                                           "ze", "qua", "ter", "ly", "bra", "sto", "phe", "xy" };

  for (int i = 0; i < 2 + (int) (n % 3); i++)
    {
      g_string_append (out, syllables[n % G_N_ELEMENTS (syllables)]);
      n /= G_N_ELEMENTS (syllables);
    }
}

Corpus *
corpus_new (guint spaces, guint per_space)
{
  Corpus *corpus = g_new0 (Corpus, 1);
  GRand *rand = g_rand_new_with_seed (20270101);

  corpus->messages = g_ptr_array_sized_new (spaces * per_space);
  for (guint i = 0; i < per_space; i++)
    for (guint s = 0; s < spaces; s++)
      {
        CorpusMessage *m = g_new0 (CorpusMessage, 1);
        GString *text = g_string_new (NULL);
        guint words = 4 + (guint) g_rand_int_range (rand, 0, 37);

        m->space = s;
        m->index = i;
        m->created = G_GINT64_CONSTANT (1767603600000) + ((gint64) i * spaces + s) * 60000;
        m->file = (i % 25) == 0;
        if (m->file)
          {
            g_string_append (text, common[g_rand_int_range (rand, 21, G_N_ELEMENTS (common))]);
            g_string_append_c (text, ' ');
            append_rare_word (text, g_rand_int (rand));
            g_string_append (text, i % 2 ? ".docx" : ".xlsx");
          }
        else
          for (guint w = 0; w < words; w++)
            {
              double x = g_rand_double (rand);

              if (w > 0)
                g_string_append_c (text, ' ');
              /* Two words in three from the common list, the rest rare. */
              if (x < 0.66)
                g_string_append (
                    text,
                    common[(guint) (x * x * 1.5 * G_N_ELEMENTS (common)) % G_N_ELEMENTS (common)]);
              else
                append_rare_word (text, (guint32) g_rand_int_range (rand, 0, 200000));
            }
        m->text = g_string_free (text, FALSE);
        corpus->text_bytes += strlen (m->text);
        g_ptr_array_add (corpus->messages, m);
      }
  g_rand_free (rand);
  return corpus;
}

void
corpus_free (Corpus *corpus)
{
  for (guint i = 0; i < corpus->messages->len; i++)
    {
      CorpusMessage *m = corpus->messages->pdata[i];

      g_free (m->text);
      g_free (m);
    }
  g_ptr_array_unref (corpus->messages);
  g_free (corpus);
}

double
corpus_now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

void
corpus_print_range (const char *what, GArray *values, const char *unit)
{
  g_array_sort (values, compare_doubles);
  printf ("%-58s min %9.2f  median %9.2f  max %9.2f %s\n", what, g_array_index (values, double, 0),
          g_array_index (values, double, values->len / 2),
          g_array_index (values, double, values->len - 1), unit);
}

double
corpus_typing_worst_ms (CorpusQueryFunc query, gpointer data)
{
  double worst = 0;

  for (guint w = 0; corpus_typed_words[w] != NULL; w++)
    {
      const char *word = corpus_typed_words[w];

      for (const char *p = g_utf8_next_char (word);; p = g_utf8_next_char (p))
        {
          g_autofree char *typed = g_strndup (word, (gsize) (p - word));

          worst = MAX (worst, query (typed, data));
          if (*p == '\0')
            break;
        }
    }
  return worst;
}
