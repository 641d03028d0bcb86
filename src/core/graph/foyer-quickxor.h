/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * QuickXorHash: the 160-bit checksum OneDrive for Business and SharePoint
 * report for every file (`file.hashes.quickXorHash`, base64). Foyer computes
 * it while it reads a file for upload and compares it with the one Graph
 * gives for the finished item, so a copy that differs from the file on disk
 * is never shared.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FOYER_QUICKXOR_LENGTH 20

typedef struct
{
  guint8 lanes[160]; /* byte n of the stream is XORed into lanes[n % 160] */
  guint64 length;
} FoyerQuickXor;

void foyer_quickxor_init (FoyerQuickXor *self);
void foyer_quickxor_update (FoyerQuickXor *self, const guint8 *data, gsize length);
void foyer_quickxor_finish (const FoyerQuickXor *self, guint8 out[FOYER_QUICKXOR_LENGTH]);
/* The base64 text Graph uses. */
char *foyer_quickxor_finish_base64 (const FoyerQuickXor *self);
char *foyer_quickxor_base64 (const guint8 *data, gsize length);

G_END_DECLS
