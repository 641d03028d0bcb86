/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What Foyer remembers of an unfinished upload, so that it goes on after a
 * quit: the file, its size and modification time when it was picked, the
 * name in OneDrive, the caller's context (e.g. the space it is for) and the
 * upload session URL. The URL is a bearer capability (anyone holding it can
 * write the file), so the record only ever lives sealed in the encrypted
 * store (namespace "uploads"), as JSON inside the sealed value:
 * {"v":1,"id","file","name","size","mtime","created","context"?,
 *  "uploadUrl"?,"expires"?}. Read back, it is outside input: checked
 * member by member.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define FOYER_STORE_NS_UPLOADS "uploads"

typedef struct
{
  char *id;       /* the store key */
  char *file_uri; /* a GFile URI */
  char *name;     /* the name asked for in OneDrive */
  guint64 size;
  gint64 mtime_us;  /* modification time, microseconds since the epoch */
  gint64 created;   /* Unix seconds */
  char *context;    /* the caller's, opaque; may be NULL */
  char *upload_url; /* NULL until a session exists */
  gint64 expires;   /* the session's expiry (Unix seconds), 0 unknown */
} FoyerUploadRecord;

FoyerUploadRecord *foyer_upload_record_new (void);
FoyerUploadRecord *foyer_upload_record_copy (const FoyerUploadRecord *record);
void foyer_upload_record_free (FoyerUploadRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FoyerUploadRecord, foyer_upload_record_free)

GBytes *foyer_upload_record_to_bytes (const FoyerUploadRecord *record);
/* NULL with FOYER_UPLOAD_ERROR_MALFORMED for anything but a valid record. */
FoyerUploadRecord *foyer_upload_record_from_bytes (GBytes *bytes, GError **error);

G_END_DECLS
