/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Two small readers of what clients send, run by the HTTP layer on the
 * raw bytes before libsoup sees them (foyer-svc-http.c):
 *
 * - where a request's headers end (an empty line, CRLF or bare LF as
 *   libsoup accepts), so that bytes a client sends after its upgrade
 *   request and before the 101 — which RFC 6455 forbids — are noticed;
 * - the frames of a client's WebSocket stream: libsoup 3.2 bounds each
 *   frame but gathers the fragments of a message without limit, so the
 *   sizes of a message's frames are added up here, and a message past the
 *   limit ends the connection before libsoup has stored it.
 *
 * Both are fuzzed (tests/fuzz/service).
 */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc.h"

/* How many of these bytes belong to the headers (all, until their end). */
gsize
foyer_svc_header_end_feed (FoyerSvcHeaderEnd *self, const guint8 *data, gsize length)
{
  gsize i;

  for (i = 0; i < length && !self->ended; i++)
    {
      if (data[i] == '\n')
        {
          self->ended = self->line_start;
          self->line_start = TRUE;
        }
      else if (data[i] != '\r')
        self->line_start = FALSE;
    }
  return i;
}

/* FALSE once a message (the sum of its frames' payloads) passes limit. */
gboolean
foyer_svc_ws_scan_feed (FoyerSvcWsScan *self, const guint8 *data, gsize length, guint64 limit)
{
  gsize i = 0;

  while (i < length)
    {
      guint need;
      guint64 frame;
      guint8 opcode;

      if (self->payload_left > 0)
        {
          guint64 skip = MIN (self->payload_left, (guint64) (length - i));

          self->payload_left -= skip;
          i += (gsize) skip;
          continue;
        }
      self->head[self->head_len++] = data[i++];
      if (self->head_len < 2)
        continue;
      need = 2
             + ((self->head[1] & 0x7f) == 126   ? 2
                : (self->head[1] & 0x7f) == 127 ? 8
                                                : 0)
             + ((self->head[1] & 0x80) != 0 ? 4 : 0);
      if (self->head_len < need)
        continue;

      frame = self->head[1] & 0x7f;
      if (frame == 126)
        frame = ((guint64) self->head[2] << 8) | self->head[3];
      else if (frame == 127)
        {
          frame = 0;
          for (guint k = 0; k < 8; k++)
            frame = (frame << 8) | self->head[2 + k];
        }
      opcode = self->head[0] & 0x0f;
      self->head_len = 0;
      self->payload_left = frame;
      if (opcode >= 8)
        continue; /* control frames: libsoup refuses those over 125 bytes */
      if (frame > limit)
        return FALSE;
      if (opcode != 0)
        self->message = 0;
      if (frame > limit - self->message)
        return FALSE;
      self->message += frame;
    }
  return TRUE;
}
