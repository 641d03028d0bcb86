/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-text"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "foyer-text.h"

/* Messages from the same author within this many minutes share a header. */
#define GROUP_GAP_MINUTES 5

/* Bidirectional formatting characters (embeddings, overrides, isolates)
 * in text from other people could reorder what is shown around them: a
 * name or a title spilling over the words next to it, an override left
 * open for the rest of a line. Each line that holds one is balanced —
 * closers without an opener dropped, openers left open closed at its end —
 * and wrapped in an isolate (FSI … PDI), so its effect stays inside it. */
#define BIDI_PDF 0x202C
#define BIDI_FSI 0x2068
#define BIDI_PDI 0x2069

static gboolean
is_embedding (gunichar c)
{
  return c == 0x202A || c == 0x202B || c == 0x202D || c == 0x202E;
}

static gboolean
is_isolate (gunichar c)
{
  return c == 0x2066 || c == 0x2067 || c == BIDI_FSI;
}

static gboolean
is_bidi_format (gunichar c)
{
  return is_embedding (c) || is_isolate (c) || c == BIDI_PDF || c == BIDI_PDI || c == 0x200E
         || c == 0x200F || c == 0x061C;
}

static gboolean
has_isolate_open (GArray *open)
{
  for (guint i = 0; i < open->len; i++)
    if (is_isolate (g_array_index (open, gunichar, i)))
      return TRUE;
  return FALSE;
}

static void
close_last (GString *out, GArray *open)
{
  gunichar opener = g_array_index (open, gunichar, open->len - 1);

  g_string_append_unichar (out, is_isolate (opener) ? BIDI_PDI : BIDI_PDF);
  g_array_set_size (open, open->len - 1);
}

static void
isolate_line (GString *out, const char *line, const char *end)
{
  g_autoptr (GArray) open = g_array_new (FALSE, FALSE, sizeof (gunichar));
  g_autoptr (GString) body = g_string_new (NULL);
  gboolean any = FALSE;

  for (const char *p = line; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      any |= is_bidi_format (c);
      if (is_embedding (c) || is_isolate (c))
        {
          g_array_append_val (open, c);
          g_string_append_unichar (body, c);
        }
      else if (c == BIDI_PDF)
        {
          /* Closes an embedding only if no isolate was opened after it. */
          if (open->len > 0 && is_embedding (g_array_index (open, gunichar, open->len - 1)))
            close_last (body, open);
        }
      else if (c == BIDI_PDI)
        {
          if (has_isolate_open (open))
            {
              while (!is_isolate (g_array_index (open, gunichar, open->len - 1)))
                close_last (body, open);
              close_last (body, open);
            }
        }
      else
        g_string_append_unichar (body, c);
    }
  while (open->len > 0)
    close_last (body, open);
  if (any)
    g_string_append_unichar (out, BIDI_FSI);
  g_string_append_len (out, body->str, (gssize) body->len);
  if (any)
    g_string_append_unichar (out, BIDI_PDI);
}

static char *
isolate_bidi (char *text)
{
  GString *out;
  const char *line = text;

  if (!g_utf8_validate (text, -1, NULL))
    return text;
  out = g_string_sized_new (strlen (text));
  for (;;)
    {
      const char *end = strchr (line, '\n');

      isolate_line (out, line, end != NULL ? end : line + strlen (line));
      if (end == NULL)
        break;
      g_string_append_c (out, '\n');
      line = end + 1;
    }
  g_free (text);
  return g_string_free (out, FALSE);
}

/* Replaces invalid UTF-8 and control characters other than newline and tab,
 * isolates bidirectional formatting, and caps the length, so labels never
 * choke on what a raw client sent, nor let it rearrange what is around. */
char *
foyer_text_make_valid (const char *text, gssize length)
{
  g_autofree char *valid = NULL;
  GString *out;
  glong n = 0;

  if (text == NULL)
    return g_strdup ("");

  valid = g_utf8_make_valid (text, length);
  out = g_string_sized_new (strlen (valid));
  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (n++ >= FOYER_MESSAGE_MAX_DISPLAY_CHARS)
        {
          g_string_append (out, "…");
          break;
        }
      if (c == '\n' || c == '\t' || !g_unichar_iscntrl (c))
        g_string_append_unichar (out, c);
      else
        g_string_append_unichar (out, 0xFFFD);
    }

  return isolate_bidi (g_string_free (out, FALSE));
}

static GRegex *
link_regex (void)
{
  static GRegex *regex;

  if (g_once_init_enter (&regex))
    {
      GRegex *r = g_regex_new (
          "\\bhttps?://[^\\s<>\"'\\x{200E}\\x{200F}\\x{202A}-\\x{202E}\\x{2066}-\\x{2069}]+",
          G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, NULL);

      g_once_init_leave (&regex, r);
    }

  return regex;
}

/* Trailing punctuation usually ends the sentence, not the link. */
static gsize
trim_link_end (const char *start, gsize len)
{
  while (len > 0 && strchr (".,;:!?)]}", start[len - 1]) != NULL)
    len--;
  return len;
}

static void
append_escaped (GString *out, const char *text, gssize len)
{
  g_autofree char *escaped = g_markup_escape_text (text, len);

  g_string_append (out, escaped);
}

/* Pango lays a long run without a break opportunity out in time that grows
 * with the square of its length when it wraps words (a 20,000-character
 * word took a minute): such text is wrapped at any character instead,
 * which is fast and inserts nothing (docs/decisions.md, Display limits). */
gboolean
foyer_text_has_long_run (const char *text, gssize length)
{
  const char *end = length < 0 ? text + strlen (text) : text + length;
  guint run = 0;

  for (const char *p = text; p < end; p = g_utf8_next_char (p))
    {
      run = g_unichar_isspace (g_utf8_get_char (p)) ? 0 : run + 1;
      if (run > FOYER_TEXT_LONG_RUN)
        return TRUE;
    }
  return FALSE;
}

/* How many bytes of text make the next part shown of a long message: at
 * most max_chars characters, ending after a line break or a space near the
 * end when there is one, so that words and links stay whole. */
gsize
foyer_text_chunk_end (const char *text, guint max_chars)
{
  const char *p = text;
  const char *cut = NULL;
  guint n = 0;

  for (; *p != '\0' && n < max_chars; p = g_utf8_next_char (p), n++)
    if ((*p == '\n' || *p == ' ') && n >= max_chars - max_chars / 10)
      cut = p + 1;
  if (*p == '\0')
    return p - text;
  return (cut != NULL ? cut : p) - text;
}

char *
foyer_text_to_markup (const char *text)
{
  g_autofree char *valid = foyer_text_make_valid (text, -1);
  g_autoptr (GMatchInfo) match = NULL;
  GString *out = g_string_new (NULL);
  const char *cursor = valid;

  g_regex_match (link_regex (), valid, 0, &match);
  while (g_match_info_matches (match))
    {
      int start, end;
      gsize len;

      g_match_info_fetch_pos (match, 0, &start, &end);
      len = trim_link_end (valid + start, end - start);
      append_escaped (out, cursor, valid + start - cursor);
      if (len > strlen ("https://"))
        {
          g_autofree char *url = g_strndup (valid + start, len);
          g_autofree char *href = g_markup_escape_text (url, -1);

          g_string_append_printf (out, "<a href=\"%s\">%s</a>", href, href);
        }
      else
        append_escaped (out, valid + start, len);
      cursor = valid + start + len;
      g_match_info_next (match, NULL);
    }
  append_escaped (out, cursor, -1);

  return g_string_free (out, FALSE);
}

char *
foyer_text_initials (const char *name)
{
  g_autofree char *valid = foyer_text_make_valid (name, -1);
  g_auto (GStrv) words = g_strsplit_set (g_strstrip (valid), " \t\n", -1);
  GString *out = g_string_new (NULL);
  guint taken = 0;

  for (guint i = 0; words[i] != NULL && taken < 2; i++)
    {
      gunichar c;

      const char *p = words[i];

      /* Past any bidirectional formatting, which has no face of its own. */
      while (*p != '\0' && is_bidi_format (g_utf8_get_char (p)))
        p = g_utf8_next_char (p);
      if (*p == '\0')
        continue;
      c = g_utf8_get_char (p);
      if (!g_unichar_isalnum (c))
        continue;
      g_string_append_unichar (out, g_unichar_toupper (c));
      taken++;
    }

  return g_string_free (out, FALSE);
}

gboolean
foyer_text_same_day (GDateTime *a, GDateTime *b)
{
  g_autoptr (GDateTime) la = g_date_time_to_local (a);
  g_autoptr (GDateTime) lb = g_date_time_to_local (b);

  return g_date_time_get_year (la) == g_date_time_get_year (lb)
         && g_date_time_get_day_of_year (la) == g_date_time_get_day_of_year (lb);
}

gboolean
foyer_text_continues_group (const char *previous_author,
                            GDateTime *previous_time,
                            const char *author,
                            GDateTime *time)
{
  if (previous_author == NULL || previous_time == NULL || author == NULL || time == NULL)
    return FALSE;
  if (g_strcmp0 (previous_author, author) != 0 || !foyer_text_same_day (previous_time, time))
    return FALSE;

  return g_date_time_difference (time, previous_time) < GROUP_GAP_MINUTES * G_TIME_SPAN_MINUTE
         && g_date_time_difference (time, previous_time) >= 0;
}

char *
foyer_text_format_time (GDateTime *time, GDateTime *now)
{
  g_autoptr (GDateTime) local = g_date_time_to_local (time);

  /* Translators: a message's time of day, see g_date_time_format(). */
  return g_date_time_format (local, _ ("%H:%M"));
}

char *
foyer_text_format_day (GDateTime *day, GDateTime *now)
{
  g_autoptr (GDateTime) local = g_date_time_to_local (day);
  g_autoptr (GDateTime) yesterday = g_date_time_add_days (now, -1);

  if (foyer_text_same_day (day, now))
    return g_strdup (_ ("Today"));
  if (foyer_text_same_day (day, yesterday))
    return g_strdup (_ ("Yesterday"));
  if (g_date_time_get_year (local) == g_date_time_get_year (now))
    /* Translators: a day in this year, see g_date_time_format(). */
    return g_date_time_format (local, _ ("%A %-d %B"));

  /* Translators: a day in another year, see g_date_time_format(). */
  return g_date_time_format (local, _ ("%-d %B %Y"));
}

/* When something happened, as short as the sidebar needs: the time today,
 * "Yesterday", the weekday within a week, else the date. */
char *
foyer_text_format_when (GDateTime *time, GDateTime *now)
{
  g_autoptr (GDateTime) local = g_date_time_to_local (time);
  g_autoptr (GDateTime) yesterday = g_date_time_add_days (now, -1);

  if (foyer_text_same_day (time, now))
    return foyer_text_format_time (time, now);
  if (foyer_text_same_day (time, yesterday))
    return g_strdup (_ ("Yesterday"));
  if (g_date_time_difference (now, time) < 6 * G_TIME_SPAN_DAY
      && g_date_time_difference (now, time) > 0)
    /* Translators: a day this week in the sidebar, see g_date_time_format(). */
    return g_date_time_format (local, _ ("%A"));
  if (g_date_time_get_year (local) == g_date_time_get_year (now))
    /* Translators: a short date this year in the sidebar, see g_date_time_format(). */
    return g_date_time_format (local, _ ("%-d %b"));
  /* Translators: a short date in another year, see g_date_time_format(). */
  return g_date_time_format (local, _ ("%-d %b %Y"));
}
