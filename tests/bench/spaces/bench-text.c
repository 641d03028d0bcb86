/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * How long a message row takes to lay out its body, against a reference
 * measured in the same run (a 4,000-character message of ordinary words):
 * one 20,000-character word (Pango's word wrapping is quadratic in a run
 * without a break, docs/decisions.md "Display limits"), the same word shown
 * whole after Show More, and the first part of a 64 KiB message. Widths
 * 600 and 360 px; min / median / max of the ratio over several runs.
 */
#include "config.h"

#include <adwaita.h>
#include <stdio.h>

#include "foyer-message-item.h"
#include "foyer-message-row.h"

#define RUNS 7

static char *
prose (guint chars)
{
  GString *text = g_string_new (NULL);

  while (text->len < chars)
    g_string_append (text, "words and more words ");
  g_string_truncate (text, chars);
  return g_string_free (text, FALSE);
}

/* Milliseconds to measure a fresh row showing body (parts of it) at width. */
static double
layout_ms (const char *body, guint parts, int width)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (FoyerMessageItem) item
      = foyer_message_item_new ("m", 1, "a", "Alice", now, body, FOYER_MESSAGE_STATE_SENT);
  FoyerMessageRow *row = g_object_ref_sink (foyer_message_row_new ());
  gint64 start;
  int min, nat;

  foyer_message_item_set_shown_parts (item, parts);
  start = g_get_monotonic_time ();
  foyer_message_row_set_item (row, item);
  gtk_widget_measure (GTK_WIDGET (row), GTK_ORIENTATION_HORIZONTAL, -1, &min, &nat, NULL, NULL);
  gtk_widget_measure (GTK_WIDGET (row), GTK_ORIENTATION_VERTICAL, width, &min, &nat, NULL, NULL);
  g_object_unref (row);
  return (g_get_monotonic_time () - start) / 1000.0;
}

static int
compare (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static void
figure (const char *name, const char *body, guint parts, int width, const char *reference)
{
  double ratios[RUNS], ms[RUNS];

  for (guint i = 0; i < RUNS; i++)
    {
      double ref = layout_ms (reference, 1, width);

      ms[i] = layout_ms (body, parts, width);
      ratios[i] = ms[i] / ref;
    }
  qsort (ratios, RUNS, sizeof (double), compare);
  qsort (ms, RUNS, sizeof (double), compare);
  printf ("%-44s %4d px  ratio %6.2f / %6.2f / %6.2f   (%.1f / %.1f / %.1f ms)\n", name, width,
          ratios[0], ratios[RUNS / 2], ratios[RUNS - 1], ms[0], ms[RUNS / 2], ms[RUNS - 1]);
}

int
main (int argc, char **argv)
{
  g_autofree char *reference = prose (4000);
  g_autofree char *word = g_strnfill (20000, 'w');
  g_autofree char *long_prose = prose (64 * 1024);
  const int widths[] = { 600, 360 };

  gtk_init ();
  adw_init ();
  printf ("Message body layout, against 4,000 characters of words (min / median / max)\n");
  for (guint w = 0; w < G_N_ELEMENTS (widths); w++)
    {
      figure ("20,000-character word, first part", word, 1, widths[w], reference);
      figure ("20,000-character word, whole (Show More x4)", word, 5, widths[w], reference);
      figure ("64 KiB of words, first part", long_prose, 1, widths[w], reference);
    }
  return 0;
}
