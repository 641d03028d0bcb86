/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-search"

#include "config.h"

#include "foyer-search-query.h"

#include <string.h>

static gboolean
has_word_character (const char *text, gsize len)
{
  for (const char *p = text; p < text + len; p = g_utf8_next_char (p))
    if (g_unichar_isalnum (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

/* "term" with its double quotes doubled, as FTS5 strings want; at most
 * FOYER_SEARCH_QUERY_MAX_TERM characters. */
static void
append_term (GString *out, const char *text, gsize len, gboolean prefix)
{
  guint chars = 0;

  if (out->len > 0)
    g_string_append_c (out, ' ');
  g_string_append_c (out, '"');
  for (const char *p = text; p < text + len && chars < FOYER_SEARCH_QUERY_MAX_TERM;
       p = g_utf8_next_char (p), chars++)
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '"')
        g_string_append (out, "\"\"");
      else if (c < 0x20 || c == 0x7f)
        g_string_append_c (out, ' ');
      else
        g_string_append_unichar (out, c);
    }
  g_string_append_c (out, '"');
  if (prefix)
    g_string_append_c (out, '*');
}

char *
foyer_search_query_to_fts (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text != NULL ? text : "", -1);
  GString *out = g_string_new (NULL);
  const char *p = valid;
  guint terms = 0;

  while (*p != '\0' && terms < FOYER_SEARCH_QUERY_MAX_TERMS)
    {
      const char *start;
      gboolean phrase = FALSE, closed = FALSE;

      while (*p != '\0' && g_unichar_isspace (g_utf8_get_char (p)))
        p = g_utf8_next_char (p);
      if (*p == '\0')
        break;
      if (*p == '"')
        {
          /* A phrase, up to the closing quote (or the end, while typing). */
          phrase = TRUE;
          start = ++p;
          while (*p != '\0' && *p != '"')
            p = g_utf8_next_char (p);
          closed = *p == '"';
        }
      else
        {
          start = p;
          while (*p != '\0' && *p != '"' && !g_unichar_isspace (g_utf8_get_char (p)))
            p = g_utf8_next_char (p);
        }
      if (has_word_character (start, (gsize) (p - start)))
        {
          /* Every word is a prefix; a phrase only while it is being typed. */
          append_term (out, start, (gsize) (p - start), !phrase || !closed);
          terms++;
        }
      if (phrase && closed)
        p++;
    }
  if (out->len == 0)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}
