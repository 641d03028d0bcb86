/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Graph's uploadSession, as createUploadSession, a fragment's 202 and a
 * status GET give it: {uploadUrl, expirationDateTime, nextExpectedRanges:
 * ["26-", "12345-55232"]}. Outside input: every field is checked, and an
 * upload URL is only taken when it is https (or http to a loopback host,
 * the sandbox), since the file's bytes go there.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct
{
  guint64 start;
  guint64 end; /* inclusive; G_MAXUINT64 for an open range "N-" */
} FoyerUploadRange;

typedef struct
{
  char *upload_url; /* NULL when the reply has none (202, status) */
  gint64 expires;   /* Unix seconds, 0 when absent */
  GArray *ranges;   /* FoyerUploadRange, in the order given */
} FoyerUploadSessionReply;

void foyer_upload_session_reply_free (FoyerUploadSessionReply *reply);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FoyerUploadSessionReply, foyer_upload_session_reply_free)

/* "123-456" or "123-"; FALSE for anything else. */
gboolean foyer_upload_range_parse (const char *text, FoyerUploadRange *out);

/* need_url: the reply must carry an acceptable uploadUrl (createUploadSession). */
FoyerUploadSessionReply *
foyer_upload_session_reply_parse (JsonNode *root, gboolean need_url, GError **error);

/* Where the next fragment starts: the lowest start of the missing ranges,
 * clamped to [0, size]. With no range the server misses nothing. */
guint64 foyer_upload_session_reply_next_offset (const FoyerUploadSessionReply *reply, guint64 size);

gboolean foyer_upload_url_is_acceptable (const char *url);

G_END_DECLS
