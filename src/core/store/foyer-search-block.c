/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-search"

#include "config.h"

#include "foyer-search-block.h"

#include "foyer-store-error.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#define MAGIC     "FSB1"
#define MAGIC_LEN 4

static void
put_u16 (GByteArray *out, gsize value)
{
  guint8 b[2] = { value & 0xff, (value >> 8) & 0xff };

  g_byte_array_append (out, b, 2);
}

static void
put_u32 (GByteArray *out, gsize value)
{
  guint8 b[4] = { value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff, (value >> 24) & 0xff };

  g_byte_array_append (out, b, 4);
}

static void
put_u64 (GByteArray *out, guint64 value)
{
  guint8 b[8];

  for (int i = 0; i < 8; i++)
    b[i] = (guint8) (value >> (8 * i));
  g_byte_array_append (out, b, 8);
}

/* Strings longer than a field can say are cut at a character boundary. */
static void
put_string (GByteArray *out, const char *text, gsize max, gboolean wide)
{
  gsize len = text != NULL ? strlen (text) : 0;

  if (len > max)
    len = (gsize) (g_utf8_find_prev_char (text, text + max + 1) - text);
  if (wide)
    put_u32 (out, len);
  else
    put_u16 (out, len);
  g_byte_array_append (out, (const guint8 *) (text != NULL ? text : ""), (guint) len);
}

GBytes *
foyer_search_block_encode (GPtrArray *entries)
{
  GByteArray *out = g_byte_array_new ();

  g_byte_array_append (out, (const guint8 *) MAGIC, MAGIC_LEN);
  for (guint i = 0; i < entries->len; i++)
    {
      FoyerSearchEntry *e = entries->pdata[i];
      guint8 kind = (guint8) e->kind;

      g_byte_array_append (out, &kind, 1);
      put_u64 (out, (guint64) e->created);
      put_string (out, e->item_id, G_MAXUINT16, FALSE);
      put_string (out, e->author, G_MAXUINT16, FALSE);
      put_string (out, e->text, FOYER_SEARCH_BLOCK_MAX_TEXT, TRUE);
    }
  return g_byte_array_free_to_bytes (out);
}

typedef struct
{
  const guint8 *p;
  const guint8 *end;
} Reader;

static gboolean
take (Reader *r, gsize n, const guint8 **out)
{
  if ((gsize) (r->end - r->p) < n)
    return FALSE;
  *out = r->p;
  r->p += n;
  return TRUE;
}

static gboolean
get_uint (Reader *r, gsize width, guint64 *out)
{
  const guint8 *b;

  if (!take (r, width, &b))
    return FALSE;
  *out = 0;
  for (gsize i = 0; i < width; i++)
    *out |= (guint64) b[i] << (8 * i);
  return TRUE;
}

static gboolean
get_string (Reader *r, gsize width, gsize max, gboolean allow_empty, char **out)
{
  guint64 len;
  const guint8 *b;

  if (!get_uint (r, width, &len) || len > max || (!allow_empty && len == 0)
      || !take (r, (gsize) len, &b) || !g_utf8_validate ((const char *) b, (gssize) len, NULL)
      || memchr (b, '\0', (gsize) len) != NULL)
    return FALSE;
  *out = g_strndup ((const char *) b, (gsize) len);
  return TRUE;
}

static FoyerSearchEntry *
read_entry (Reader *r, const char *space_id)
{
  g_autoptr (FoyerSearchEntry) e = g_new0 (FoyerSearchEntry, 1);
  g_autofree char *author = NULL;
  guint64 kind, created;

  if (!get_uint (r, 1, &kind) || kind > FOYER_SEARCH_KIND_FILE || !get_uint (r, 8, &created)
      || !get_string (r, 2, G_MAXUINT16, FALSE, &e->item_id)
      || !get_string (r, 2, G_MAXUINT16, TRUE, &author)
      || !get_string (r, 4, FOYER_SEARCH_BLOCK_MAX_TEXT, TRUE, &e->text))
    return NULL;
  e->kind = (FoyerSearchKind) kind;
  e->created = (gint64) created;
  e->author = *author != '\0' ? g_steal_pointer (&author) : NULL;
  e->space_id = g_strdup (space_id);
  return g_steal_pointer (&e);
}

GPtrArray *
foyer_search_block_decode (GBytes *block, const char *space_id, GError **error)
{
  g_autoptr (GPtrArray) entries
      = g_ptr_array_new_with_free_func ((GDestroyNotify) foyer_search_entry_free);
  gsize len = 0;
  /* An empty GBytes gives NULL, and NULL + 0 is undefined in C. */
  const guint8 *data = block != NULL ? g_bytes_get_data (block, &len) : NULL;
  Reader r = { data, data != NULL ? data + len : NULL };
  const guint8 *magic;
  gboolean ok
      = data != NULL && take (&r, MAGIC_LEN, &magic) && memcmp (magic, MAGIC, MAGIC_LEN) == 0;

  while (ok && r.p < r.end)
    {
      FoyerSearchEntry *e = read_entry (&r, space_id);

      ok = e != NULL;
      if (ok)
        g_ptr_array_add (entries, e);
    }
  if (!ok)
    {
      g_set_error_literal (error, FOYER_STORE_ERROR, FOYER_STORE_ERROR_TAMPERED,
                           _ ("A part of the search index could not be read."));
      return NULL;
    }
  return g_steal_pointer (&entries);
}
