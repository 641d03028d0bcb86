/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * permessage-deflate (RFC 7692) for the server's WebSockets, in place of
 * libsoup's own, for two reasons:
 *
 * - Bounded input. libsoup 3.2 checks a frame's size on the wire, then
 *   inflates it without limit: a 4 KiB frame of zeros became megabytes.
 *   Here a message (all its fragments) may inflate to FOYER_SVC_MAX_WS_MESSAGE
 *   bytes at most; past that the WebSocket closes with 1009 (too big).
 * - One compression per event. The server always answers with
 *   server_no_context_takeover (RFC 7692, 7.1.1.1 lets it), so a message
 *   compresses to the same bytes on every connection: the last few results
 *   are kept, and an event pushed to a thousand listeners is compressed
 *   once instead of a thousand times.
 */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc.h"

#include <string.h>
#include <zlib.h>

#define CACHE_SIZE 8

struct _FoyerSvcDeflate
{
  SoupWebsocketExtension parent_instance;
  gboolean enabled;
  guint server_window_bits; /* asked for by the client, or 15 */
  gboolean asked_server_window;
  gboolean asked_client_no_takeover;
  z_stream inflater;
  gboolean inflating; /* a compressed message is under way */
  gsize message_bytes;
};

G_DEFINE_FINAL_TYPE (FoyerSvcDeflate, foyer_svc_deflate, SOUP_TYPE_WEBSOCKET_EXTENSION)

/* Compressed messages, shared by every connection. */
typedef struct
{
  guint window_bits;
  GBytes *plain;
  GBytes *compressed;
} CacheEntry;

static CacheEntry cache[CACHE_SIZE];
static guint cache_next;
static FoyerSvcDeflateStats stats;

static GError *
deflate_error (int code, const char *message)
{
  return g_error_new_literal (SOUP_WEBSOCKET_ERROR, code, message);
}

static gboolean
parse_bits (const char *value, guint *out)
{
  guint64 bits;

  if (value == NULL || !g_ascii_string_to_unsigned (value, 10, 8, 15, &bits, NULL))
    return FALSE;
  *out = (guint) bits;
  return TRUE;
}

static gboolean
foyer_svc_deflate_configure (SoupWebsocketExtension *extension,
                             SoupWebsocketConnectionType type,
                             GHashTable *params,
                             GError **error)
{
  FoyerSvcDeflate *self = FOYER_SVC_DEFLATE (extension);
  GHashTableIter iter;
  gpointer key, value;

  self->server_window_bits = 15;
  if (params != NULL)
    {
      g_hash_table_iter_init (&iter, params);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          if (strcmp (key, "server_no_context_takeover") == 0 && value == NULL)
            continue;
          if (strcmp (key, "client_no_context_takeover") == 0 && value == NULL)
            self->asked_client_no_takeover = TRUE;
          else if (strcmp (key, "server_max_window_bits") == 0
                   && parse_bits (value, &self->server_window_bits))
            self->asked_server_window = TRUE;
          else if (strcmp (key, "client_max_window_bits") == 0)
            {
              guint bits;

              /* We inflate with the largest window, whatever the client uses. */
              if (value != NULL && !parse_bits (value, &bits))
                {
                  g_set_error (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_ERROR_BAD_HANDSHAKE,
                               "Invalid client_max_window_bits");
                  return FALSE;
                }
            }
          else
            {
              g_set_error (error, SOUP_WEBSOCKET_ERROR, SOUP_WEBSOCKET_ERROR_BAD_HANDSHAKE,
                           "Invalid permessage-deflate parameter “%s”", (const char *) key);
              return FALSE;
            }
        }
    }
  /* zlib cannot deflate with an 8-bit window; 9 is readable with 8. */
  self->server_window_bits = MAX (self->server_window_bits, 9);
  if (inflateInit2 (&self->inflater, -15) != Z_OK)
    return TRUE; /* not enabled: the handshake goes on without it */
  self->enabled = TRUE;
  return TRUE;
}

static char *
foyer_svc_deflate_get_response_params (SoupWebsocketExtension *extension)
{
  FoyerSvcDeflate *self = FOYER_SVC_DEFLATE (extension);
  GString *params;

  if (!self->enabled)
    return NULL;
  params = g_string_new ("; server_no_context_takeover");
  if (self->asked_client_no_takeover)
    g_string_append (params, "; client_no_context_takeover");
  if (self->asked_server_window)
    g_string_append_printf (params, "; server_max_window_bits=%u", self->server_window_bits);
  return g_string_free (params, FALSE);
}

static GBytes *
compress_message (guint window_bits, GBytes *plain)
{
  static z_stream streams[16];
  static gboolean ready[16];
  z_stream *z = &streams[window_bits];
  gsize length;
  const guint8 *data = g_bytes_get_data (plain, &length);
  GByteArray *out;
  int result;

  if (!ready[window_bits])
    {
      if (deflateInit2 (z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -(int) window_bits, 8,
                        Z_DEFAULT_STRATEGY)
          != Z_OK)
        return NULL;
      ready[window_bits] = TRUE;
    }
  out = g_byte_array_sized_new (deflateBound (z, length) + 16);
  g_byte_array_set_size (out, deflateBound (z, length) + 16);
  z->next_in = (Bytef *) data;
  z->avail_in = (uInt) length;
  z->next_out = out->data;
  z->avail_out = out->len;
  result = deflate (z, Z_SYNC_FLUSH);
  if (result != Z_OK || z->avail_in != 0 || out->len - z->avail_out < 4)
    {
      deflateReset (z);
      g_byte_array_unref (out);
      return NULL;
    }
  /* Without the 00 00 ff ff the sync flush ends with (RFC 7692, 7.2.1). */
  g_byte_array_set_size (out, out->len - z->avail_out - 4);
  deflateReset (z);
  return g_byte_array_free_to_bytes (out);
}

static GBytes *
compress_shared (guint window_bits, GBytes *plain)
{
  CacheEntry *entry;
  GBytes *compressed;

  for (guint i = 0; i < CACHE_SIZE; i++)
    if (cache[i].plain != NULL && cache[i].window_bits == window_bits
        && g_bytes_equal (cache[i].plain, plain))
      {
        stats.reused++;
        return g_bytes_ref (cache[i].compressed);
      }
  compressed = compress_message (window_bits, plain);
  if (compressed == NULL)
    return NULL;
  stats.compressed++;
  entry = &cache[cache_next];
  cache_next = (cache_next + 1) % CACHE_SIZE;
  g_clear_pointer (&entry->plain, g_bytes_unref);
  g_clear_pointer (&entry->compressed, g_bytes_unref);
  entry->window_bits = window_bits;
  /* A copy: the caller's bytes may point into a buffer it reuses. */
  entry->plain = g_bytes_new (g_bytes_get_data (plain, NULL), g_bytes_get_size (plain));
  entry->compressed = g_bytes_ref (compressed);
  return compressed;
}

static GBytes *
foyer_svc_deflate_process_outgoing_message (SoupWebsocketExtension *extension,
                                            guint8 *header,
                                            GBytes *payload,
                                            GError **error)
{
  FoyerSvcDeflate *self = FOYER_SVC_DEFLATE (extension);
  GBytes *compressed;

  if (!self->enabled || (header[0] & 0x08) != 0 || g_bytes_get_size (payload) == 0)
    return payload;
  compressed = compress_shared (self->server_window_bits, payload);
  g_bytes_unref (payload);
  if (compressed == NULL)
    {
      g_propagate_error (
          error, deflate_error (SOUP_WEBSOCKET_CLOSE_SERVER_ERROR, "Could not compress a message"));
      return NULL;
    }
  header[0] |= 0x40;
  return compressed;
}

/* Inflates one frame of a compressed message, refusing to go past the
 * size a whole message may have. */
static GBytes *
inflate_frame (
    FoyerSvcDeflate *self, const guint8 *data, gsize length, gboolean fin, GError **error)
{
  static const guint8 tail[] = { 0x00, 0x00, 0xff, 0xff };
  gsize room = FOYER_SVC_MAX_WS_MESSAGE - self->message_bytes;
  GByteArray *out = g_byte_array_sized_new (room + 1);
  int result = Z_OK;

  g_byte_array_set_size (out, room + 1);
  self->inflater.next_out = out->data;
  self->inflater.avail_out = (uInt) out->len;
  for (guint part = 0; part < (fin ? 2 : 1) && result == Z_OK; part++)
    {
      self->inflater.next_in = (Bytef *) (part == 0 ? data : tail);
      self->inflater.avail_in = (uInt) (part == 0 ? length : sizeof tail);
      while (self->inflater.avail_in > 0 && self->inflater.avail_out > 0 && result == Z_OK)
        result = inflate (&self->inflater, Z_SYNC_FLUSH);
      if (result == Z_BUF_ERROR && self->inflater.avail_out > 0)
        result = Z_OK;
      if (self->inflater.avail_out == 0)
        break;
    }
  if (self->inflater.avail_out == 0)
    {
      stats.refused_too_big++;
      g_byte_array_unref (out);
      g_propagate_error (
          error, deflate_error (SOUP_WEBSOCKET_CLOSE_TOO_BIG,
                                "A message inflates past the limit of the service's WebSockets"));
      return NULL;
    }
  if (result != Z_OK && result != Z_STREAM_END)
    {
      g_byte_array_unref (out);
      g_propagate_error (error,
                         deflate_error (SOUP_WEBSOCKET_CLOSE_BAD_DATA, "Bad compressed message"));
      return NULL;
    }
  if (result == Z_STREAM_END)
    inflateReset (&self->inflater);
  g_byte_array_set_size (out, out->len - self->inflater.avail_out);
  self->message_bytes += out->len;
  return g_byte_array_free_to_bytes (out);
}

static GBytes *
foyer_svc_deflate_process_incoming_message (SoupWebsocketExtension *extension,
                                            guint8 *header,
                                            GBytes *payload,
                                            GError **error)
{
  FoyerSvcDeflate *self = FOYER_SVC_DEFLATE (extension);
  gboolean compressed = (header[0] & 0x40) != 0;
  gboolean fin = (header[0] & 0x80) != 0;
  gboolean first = (header[0] & 0x0f) != 0;
  gsize length;
  const guint8 *data;
  GBytes *plain;

  if (!self->enabled || (header[0] & 0x08) != 0)
    return payload;
  data = g_bytes_get_data (payload, &length);
  if (first)
    {
      self->message_bytes = 0;
      self->inflating = compressed;
      /* Unless the client said otherwise, its messages share a window. */
      if (self->asked_client_no_takeover)
        inflateReset (&self->inflater);
    }
  else if (compressed)
    {
      g_bytes_unref (payload);
      g_propagate_error (error, deflate_error (SOUP_WEBSOCKET_CLOSE_PROTOCOL_ERROR,
                                               "RSV1 set on a continuation frame"));
      return NULL;
    }
  if (!self->inflating)
    {
      /* A plain message: its fragments count toward the same limit. */
      self->message_bytes += length;
      if (self->message_bytes > FOYER_SVC_MAX_WS_MESSAGE)
        {
          stats.refused_too_big++;
          g_bytes_unref (payload);
          g_propagate_error (error, deflate_error (SOUP_WEBSOCKET_CLOSE_TOO_BIG,
                                                   "A message is larger than the limit"));
          return NULL;
        }
      return payload;
    }
  header[0] &= ~0x40;
  plain = inflate_frame (self, data, length, fin, error);
  g_bytes_unref (payload);
  return plain;
}

static void
foyer_svc_deflate_finalize (GObject *object)
{
  FoyerSvcDeflate *self = FOYER_SVC_DEFLATE (object);

  if (self->enabled)
    inflateEnd (&self->inflater);
  G_OBJECT_CLASS (foyer_svc_deflate_parent_class)->finalize (object);
}

static void
foyer_svc_deflate_class_init (FoyerSvcDeflateClass *klass)
{
  SoupWebsocketExtensionClass *extension_class = SOUP_WEBSOCKET_EXTENSION_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = foyer_svc_deflate_finalize;
  extension_class->name = "permessage-deflate";
  extension_class->configure = foyer_svc_deflate_configure;
  extension_class->get_response_params = foyer_svc_deflate_get_response_params;
  extension_class->process_outgoing_message = foyer_svc_deflate_process_outgoing_message;
  extension_class->process_incoming_message = foyer_svc_deflate_process_incoming_message;
}

static void
foyer_svc_deflate_init (FoyerSvcDeflate *self)
{
}

void
foyer_svc_deflate_get_stats (FoyerSvcDeflateStats *out)
{
  *out = stats;
}
