/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer target: what uploads read from outside. The first byte picks:
 *   'S': an upload session reply from Graph (createUploadSession, a 202,
 *        a status GET), parsed as JSON then as an uploadSession;
 *   'U': the same, where an upload URL is required;
 *   'R': one nextExpectedRanges entry;
 *   'K': a sealed upload record read back from the store.
 * Whatever is accepted must be consistent: offsets within the file,
 * ranges in order, only https (or loopback http) URLs, and a record that
 * survives being written and read again unchanged.
 */
#include "config.h"

#include "foyer-upload-record.h"
#include "foyer-upload-session.h"

#include <json-glib/json-glib.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

static void
session (const guint8 *data, size_t size, gboolean need_url)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (FoyerUploadSessionReply) reply = NULL;
  g_autoptr (GError) error = NULL;

  if (size > G_MAXSSIZE
      || !json_parser_load_from_data (parser, (const char *) data, (gssize) size, NULL))
    return;
  reply = foyer_upload_session_reply_parse (json_parser_get_root (parser), need_url, &error);
  if (reply == NULL)
    {
      g_assert_nonnull (error);
      return;
    }
  g_assert_no_error (error);
  g_assert_true (!need_url || reply->upload_url != NULL);
  g_assert_true (reply->upload_url == NULL || foyer_upload_url_is_acceptable (reply->upload_url));
  for (guint i = 0; i < reply->ranges->len; i++)
    {
      FoyerUploadRange *r = &g_array_index (reply->ranges, FoyerUploadRange, i);

      g_assert_cmpuint (r->start, <=, r->end);
    }
  g_assert_cmpuint (foyer_upload_session_reply_next_offset (reply, 1000), <=, 1000);
  g_assert_cmpuint (foyer_upload_session_reply_next_offset (reply, 0), ==, 0);
}

static void
range (const guint8 *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  FoyerUploadRange r;

  if (foyer_upload_range_parse (text, &r))
    g_assert_cmpuint (r.start, <=, r.end);
}

static void
record (const guint8 *data, size_t size)
{
  g_autoptr (GBytes) bytes = g_bytes_new (data, size);
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerUploadRecord) r = foyer_upload_record_from_bytes (bytes, &error);
  g_autoptr (GBytes) again = NULL;
  g_autoptr (FoyerUploadRecord) back = NULL;

  if (r == NULL)
    {
      g_assert_nonnull (error);
      return;
    }
  again = foyer_upload_record_to_bytes (r);
  back = foyer_upload_record_from_bytes (again, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (back->id, ==, r->id);
  g_assert_cmpstr (back->file_uri, ==, r->file_uri);
  g_assert_cmpstr (back->name, ==, r->name);
  g_assert_cmpstr (back->context, ==, r->context);
  g_assert_cmpstr (back->upload_url, ==, r->upload_url);
  g_assert_cmpuint (back->size, ==, r->size);
  g_assert_cmpint (back->mtime_us, ==, r->mtime_us);
}

int
LLVMFuzzerTestOneInput (const guint8 *data, size_t size)
{
  if (size < 1)
    return 0;
  switch (data[0])
    {
    case 'S':
      session (data + 1, size - 1, FALSE);
      break;
    case 'U':
      session (data + 1, size - 1, TRUE);
      break;
    case 'R':
      range (data + 1, size - 1);
      break;
    case 'K':
      record (data + 1, size - 1);
      break;
    default:
      break;
    }
  return 0;
}
