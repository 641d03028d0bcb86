/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gtk/gtk.h>
#include <locale.h>
#include <pango/pangocairo.h>
#include <string.h>

#include "foyer-text.h"

/* GtkLabel parses <a> itself and warns (fatal in tests) on bad markup. */
static void
assert_valid_markup (const char *markup)
{
  GtkWidget *label = g_object_ref_sink (gtk_label_new (NULL));

  gtk_label_set_markup (GTK_LABEL (label), markup);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (label)), ==, markup);
  g_object_unref (label);
}

static void
test_markup_escapes (void)
{
  static const struct
  {
    const char *in;
    const char *out;
  } cases[] = {
    { "hello", "hello" },
    { "<b>bold</b> & co", "&lt;b&gt;bold&lt;/b&gt; &amp; co" },
    { "<a href=\"javascript:alert(1)\">x</a>",
      "&lt;a href=&quot;javascript:alert(1)&quot;&gt;x&lt;/a&gt;" },
    { "see https://contoso.sharepoint.com/a?b=1&c=2.",
      "see <a "
      "href=\"https://contoso.sharepoint.com/a?b=1&amp;c=2\">https://contoso.sharepoint.com/"
      "a?b=1&amp;c=2</a>." },
    { "(http://example.com)", "(<a href=\"http://example.com\">http://example.com</a>)" },
    { "javascript:alert(1) file:///etc/passwd", "javascript:alert(1) file:///etc/passwd" },
    { "https://", "https://" },
    { "a\"https://x.example/\"onmouseover=\"b",
      "a&quot;<a href=\"https://x.example/\">https://x.example/</a>&quot;onmouseover=&quot;b" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *markup = foyer_text_to_markup (cases[i].in);

      g_assert_cmpstr (markup, ==, cases[i].out);
      assert_valid_markup (markup);
    }
}

static void
test_markup_hostile (void)
{
  const char invalid_utf8[] = "ok \xff\xfe <i>x</i> \xc3";
  const char *rtl = "\u202Egnp.exe\u202C مرحبا https://a.example";
  g_autofree char *long_text = g_strnfill (100000, 'x');
  g_autofree char *m1 = foyer_text_to_markup (invalid_utf8);
  g_autofree char *m2 = foyer_text_to_markup (rtl);
  g_autofree char *m3 = foyer_text_to_markup (long_text);
  g_autofree char *control = foyer_text_make_valid ("a\x01"
                                                    "b\nc\td\x7f",
                                                    -1);

  assert_valid_markup (m1);
  g_assert_true (g_utf8_validate (m1, -1, NULL));
  g_assert_null (strstr (m1, "<i>"));
  assert_valid_markup (m2);
  assert_valid_markup (m3);
  /* Nothing is inserted: the markup holds the text and the ellipsis. */
  g_assert_cmpint (g_utf8_strlen (m3, -1), ==, FOYER_MESSAGE_MAX_DISPLAY_CHARS + 1);
  g_assert_null (strstr (m3, "\u200B"));
  g_assert_cmpstr (control, ==, "a\uFFFDb\nc\td\uFFFD");
}

/* A giant word is found, so it can be wrapped at any character; a long
 * message is cut into parts at a space or a line break when it can. */
static void
test_long_runs_and_parts (void)
{
  g_autofree char *word = g_strnfill (FOYER_TEXT_LONG_RUN + 1, 'w');
  g_autofree char *almost = g_strnfill (FOYER_TEXT_LONG_RUN, 'w');
  g_autofree char *prose = NULL;
  GString *text = g_string_new (NULL);
  gsize end;

  g_assert_true (foyer_text_has_long_run (word, -1));
  g_assert_false (foyer_text_has_long_run (almost, -1));
  g_assert_false (foyer_text_has_long_run ("a sentence with words", -1));
  g_assert_false (foyer_text_has_long_run (word, FOYER_TEXT_LONG_RUN));

  for (guint i = 0; i < 2000; i++)
    g_string_append (text, "été ");
  prose = g_string_free (text, FALSE);
  end = foyer_text_chunk_end (prose, FOYER_MESSAGE_MAX_DISPLAY_CHARS);
  g_assert_cmpuint (g_utf8_strlen (prose, end), <=, FOYER_MESSAGE_MAX_DISPLAY_CHARS);
  g_assert_cmpuint (g_utf8_strlen (prose, end), >, FOYER_MESSAGE_MAX_DISPLAY_CHARS * 9 / 10);
  g_assert_cmpint (prose[end - 1], ==, ' ');
  g_assert_true (g_utf8_validate (prose + end, -1, NULL));
  /* No space: a whole part of characters; short text: all of it. */
  g_assert_cmpuint (foyer_text_chunk_end (word, 100), ==, 100);
  g_assert_cmpuint (foyer_text_chunk_end ("short", 100), ==, 5);
}

static void
test_initials (void)
{
  static const struct
  {
    const char *in;
    const char *out;
  } cases[] = {
    { "Alice Martin", "AM" },
    { "bob", "B" },
    { "  élodie   dupont  lee", "ÉD" },
    { "", "" },
    { "<b>", "" },
    { "Ωmega \xff", "Ω" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *initials = foyer_text_initials (cases[i].in);

      g_assert_cmpstr (initials, ==, cases[i].out);
    }
}

static void
test_grouping (void)
{
  g_autoptr (GDateTime) t0 = g_date_time_new_local (2026, 11, 28, 10, 0, 0);
  g_autoptr (GDateTime) t1 = g_date_time_add_minutes (t0, 2);
  g_autoptr (GDateTime) t2 = g_date_time_add_minutes (t0, 30);
  g_autoptr (GDateTime) t3 = g_date_time_add_days (t0, 1);

  g_assert_true (foyer_text_continues_group ("alice", t0, "alice", t1));
  g_assert_false (foyer_text_continues_group ("alice", t0, "bob", t1));
  g_assert_false (foyer_text_continues_group ("alice", t0, "alice", t2));
  g_assert_false (foyer_text_continues_group ("alice", t0, "alice", t3));
  g_assert_false (foyer_text_continues_group (NULL, NULL, "alice", t0));
  g_assert_false (foyer_text_continues_group ("alice", t1, "alice", t0));
}

static void
test_days (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_local (2026, 11, 28, 10, 0, 0);
  g_autoptr (GDateTime) earlier = g_date_time_new_local (2026, 11, 28, 0, 5, 0);
  g_autoptr (GDateTime) yesterday = g_date_time_new_local (2026, 11, 27, 23, 59, 0);
  g_autoptr (GDateTime) old = g_date_time_new_local (2025, 3, 4, 12, 0, 0);
  g_autofree char *d1 = foyer_text_format_day (earlier, now);
  g_autofree char *d2 = foyer_text_format_day (yesterday, now);
  g_autofree char *d3 = foyer_text_format_day (old, now);
  g_autofree char *time = foyer_text_format_time (earlier, now);

  g_assert_cmpstr (d1, ==, "Today");
  g_assert_cmpstr (d2, ==, "Yesterday");
  g_assert_cmpstr (d3, ==, "4 March 2025");
  g_assert_cmpstr (time, ==, "00:05");
}

/* The sidebar row's "when": the time today, then Yesterday, the weekday
 * within the week (never today's weekday, which would read as a week
 * later), a short date this year, and the year once it is another. */
static void
test_when (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_local (2026, 11, 28, 10, 0, 0); /* a Saturday */
  struct
  {
    int year, month, day, hour, minute;
    const char *want;
  } cases[] = {
    { 2026, 11, 28, 0, 5, "00:05" },     { 2026, 11, 27, 23, 59, "Yesterday" },
    { 2026, 11, 27, 0, 0, "Yesterday" }, { 2026, 11, 25, 9, 0, "Wednesday" },
    { 2026, 11, 22, 11, 0, "Sunday" },   { 2026, 11, 21, 11, 0, "21 Nov" },
    { 2026, 1, 2, 8, 0, "2 Jan" },       { 2025, 12, 31, 23, 0, "31 Dec 2025" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GDateTime) when = g_date_time_new_local (
          cases[i].year, cases[i].month, cases[i].day, cases[i].hour, cases[i].minute, 0);
      g_autofree char *text = foyer_text_format_when (when, now);

      g_assert_cmpstr (text, ==, cases[i].want);
    }
}

/* Bidirectional controls from other people stay inside their text. */
static void
test_bidi_isolated (void)
{
  static const struct
  {
    const char *in;
    const char *out;
  } cases[] = {
    { "plain text", "plain text" },
    /* An override left open is closed, and the whole isolated. */
    { "a\u202Eb", "\u2068a\u202Eb\u202C\u2069" },
    { "\u2067x", "\u2068\u2067x\u2069\u2069" },
    /* A closer with nothing to close could end our isolate: dropped. */
    { "a\u2069b\u202Cc", "\u2068abc\u2069" },
    /* Balanced already: only isolated. */
    { "\u202Bx\u202C", "\u2068\u202Bx\u202C\u2069" },
    /* A PDF inside an isolate does not close what is outside it. */
    { "\u202Ea\u2066b\u202Cc", "\u2068\u202Ea\u2066bc\u2069\u202C\u2069" },
    /* Each line on its own; a line without any is left alone. */
    { "\u202Eone\ntwo", "\u2068\u202Eone\u202C\u2069\ntwo" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *valid = foyer_text_make_valid (cases[i].in, -1);

      g_assert_cmpstr (valid, ==, cases[i].out);
    }
  /* A link never takes a control into its address. */
  {
    g_autofree char *markup = foyer_text_to_markup ("https://a.example/\u202Ecod.exe");

    g_assert_nonnull (strstr (markup, "href=\"https://a.example/\""));
    assert_valid_markup (markup);
  }
  {
    g_autofree char *initials = foyer_text_initials ("\u202EMallory \u2066Eve");

    g_assert_cmpstr (initials, ==, "ME");
  }
}

/* Laid out by Pango as a label would: text after a hostile name or title
 * keeps its place and its order (an open override used to run on to the
 * end of the line, reversing it). */
static void
test_bidi_layout (void)
{
  g_autofree char *name = foyer_text_make_valid ("Mallory\u202E", -1);
  g_autofree char *line = g_strdup_printf ("%s: see the report", name);
  PangoFontMap *map = pango_cairo_font_map_get_default ();
  g_autoptr (GObject) context = G_OBJECT (pango_font_map_create_context (map));
  g_autoptr (PangoLayout) layout = pango_layout_new (PANGO_CONTEXT (context));
  const char *see = strstr (line, "see");
  const char *report = strstr (line, "report");
  PangoRectangle s, r, m;

  pango_layout_set_text (layout, line, -1);
  pango_layout_index_to_pos (layout, (int) (see - line), &s);
  pango_layout_index_to_pos (layout, (int) (report - line), &r);
  pango_layout_index_to_pos (layout, (int) (strstr (line, "Mallory") - line), &m);
  /* Left to right, as written: the name, then "see", then "report". */
  g_assert_cmpint (m.x, <, s.x);
  g_assert_cmpint (s.x, <, r.x);
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "C.UTF-8");
  g_setenv ("LANGUAGE", "C", TRUE);
  g_test_init (&argc, &argv, NULL);
  gtk_init ();

  g_test_add_func ("/spaces/text/markup-escapes", test_markup_escapes);
  g_test_add_func ("/spaces/text/markup-hostile", test_markup_hostile);
  g_test_add_func ("/spaces/text/initials", test_initials);
  g_test_add_func ("/spaces/text/long-runs-and-parts", test_long_runs_and_parts);
  g_test_add_func ("/spaces/text/grouping", test_grouping);
  g_test_add_func ("/spaces/text/days", test_days);
  g_test_add_func ("/spaces/text/when", test_when);
  g_test_add_func ("/spaces/text/bidi-isolated", test_bidi_isolated);
  g_test_add_func ("/spaces/text/bidi-layout", test_bidi_layout);

  return g_test_run ();
}
