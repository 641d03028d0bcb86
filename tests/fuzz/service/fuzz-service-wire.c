/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * libFuzzer entry point for the HTTP layer's readers of raw client bytes
 * (src/service/foyer-svc-wire.c): the end of a request's headers and the
 * sizes of a client's WebSocket frames. The first byte picks the reader
 * and a chunk size; each must give the same answer whether the bytes come
 * at once, in chunks or one by one, and never read past them.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "foyer-svc.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static gsize
header_end (const guint8 *data, gsize size, gsize chunk)
{
  FoyerSvcHeaderEnd reader = { 0 };
  gsize consumed = 0;

  for (gsize at = 0; at < size && !reader.ended; at += chunk)
    {
      gsize n = MIN (chunk, size - at);
      gsize used = foyer_svc_header_end_feed (&reader, data + at, n);

      if (used > n || (used < n && !reader.ended))
        abort ();
      consumed += used;
    }
  return reader.ended ? consumed : G_MAXSIZE;
}

static int
ws_scan (const guint8 *data, gsize size, gsize chunk, guint64 limit)
{
  FoyerSvcWsScan scan = { 0 };

  for (gsize at = 0; at < size; at += chunk)
    if (!foyer_svc_ws_scan_feed (&scan, data + at, MIN (chunk, size - at), limit))
      return 0;
  if (scan.head_len >= sizeof scan.head || scan.message > limit)
    abort ();
  return 1;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  gsize chunk;

  if (size < 1)
    return 0;
  chunk = 1 + (data[0] >> 1) % 64;
  data++;
  size--;
  if ((data[-1] & 1) == 0)
    {
      gsize whole = header_end (data, size, size > 0 ? size : 1);

      if (header_end (data, size, chunk) != whole || header_end (data, size, 1) != whole)
        abort ();
    }
  else
    {
      int whole = ws_scan (data, size, size > 0 ? size : 1, FOYER_SVC_MAX_WS_WIRE);

      if (ws_scan (data, size, chunk, FOYER_SVC_MAX_WS_WIRE) != whole
          || ws_scan (data, size, 1, FOYER_SVC_MAX_WS_WIRE) != whole)
        abort ();
    }
  return 0;
}
