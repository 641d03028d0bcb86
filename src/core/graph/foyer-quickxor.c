/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-graph"

#include "config.h"

#include "foyer-quickxor.h"

#include <string.h>

/*
 * Microsoft's definition shifts each byte 11 bits further into a 160-bit
 * circular register and XORs it in; at the end the length (64-bit, little
 * endian) is XORed into the last 8 bytes. Byte n therefore always lands at
 * bit (11·n) mod 160, which depends on n mod 160 only: the bytes are first
 * folded into 160 lanes (a plain XOR the compiler vectorizes), and the
 * lanes are shifted into the register once, when the hash is read.
 */

#define WIDTH_BITS 160
#define SHIFT      11

void
foyer_quickxor_init (FoyerQuickXor *self)
{
  memset (self, 0, sizeof *self);
}

void
foyer_quickxor_update (FoyerQuickXor *self, const guint8 *data, gsize length)
{
  gsize lane = (gsize) (self->length % 160);
  gsize i = 0;

  /* Up to the next block boundary, then whole blocks, then the rest. */
  while (i < length && lane != 0)
    {
      self->lanes[lane] ^= data[i++];
      lane = (lane + 1) % 160;
    }
  for (; i + 160 <= length; i += 160)
    for (gsize k = 0; k < 160; k++)
      self->lanes[k] ^= data[i + k];
  for (; i < length; i++)
    self->lanes[lane++] ^= data[i];
  self->length += length;
}

void
foyer_quickxor_finish (const FoyerQuickXor *self, guint8 out[FOYER_QUICKXOR_LENGTH])
{
  guint64 length = self->length;

  memset (out, 0, FOYER_QUICKXOR_LENGTH);
  for (guint k = 0; k < 160; k++)
    {
      guint bit = (k * SHIFT) % WIDTH_BITS;
      guint byte = bit / 8;
      guint offset = bit % 8;
      guint16 value = (guint16) (self->lanes[k] << offset);

      out[byte] ^= (guint8) (value & 0xff);
      /* The high bits wrap around the 160-bit register. */
      out[(byte + 1) % FOYER_QUICKXOR_LENGTH] ^= (guint8) (value >> 8);
    }
  for (guint i = 0; i < 8; i++)
    out[FOYER_QUICKXOR_LENGTH - 8 + i] ^= (guint8) (length >> (8 * i));
}

char *
foyer_quickxor_finish_base64 (const FoyerQuickXor *self)
{
  guint8 digest[FOYER_QUICKXOR_LENGTH];

  foyer_quickxor_finish (self, digest);
  return g_base64_encode (digest, sizeof digest);
}

char *
foyer_quickxor_base64 (const guint8 *data, gsize length)
{
  FoyerQuickXor q;

  foyer_quickxor_init (&q);
  foyer_quickxor_update (&q, data, length);
  return foyer_quickxor_finish_base64 (&q);
}
