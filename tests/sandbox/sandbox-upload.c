/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Uploads, as Graph documents them: folders made with POST …/children,
 * small files with PUT …:/{name}:/content, large ones through upload
 * sessions (createUploadSession, then byte ranges PUT to an upload URL on
 * the SharePoint host that takes no Authorization header, 202 with
 * nextExpectedRanges, 201/200 with the driveItem on the last fragment, 416
 * for a range the session does not expect, GET for the status, DELETE to
 * cancel, expiry). Uploaded bytes are kept so that listings, downloads,
 * thumbnails, previews and the document pages work for the new items as
 * for seeded ones. The control API adds faults that only uploads have: a
 * connection dropped in the middle of a fragment, and expiry on demand.
 */
#define G_LOG_DOMAIN "foyer-sandbox"

#include "config.h"

#include "sandbox.h"

#include "foyer-core.h"
#include "foyer-quickxor.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>
#include <string.h>
#include <sys/socket.h>

#define FRAGMENT_UNIT       (320 * 1024)
#define MAX_REQUEST_BYTES   (60 * 1024 * 1024)
#define MAX_SIMPLE_UPLOAD   (250 * 1000 * 1000)
#define DEFAULT_LIFETIME    3600
#define SESSION_PATH_SUFFIX "/_api/v2.0/uploadSession"

typedef enum
{
  CONFLICT_FAIL,
  CONFLICT_REPLACE,
  CONFLICT_RENAME,
} Conflict;

typedef struct
{
  char *guid;
  char *tempauth;
  char *url;
  SandboxUser *user;
  SandboxDrive *drive;
  char *parent_id; /* where a new file goes */
  char *target_id; /* or the file whose content it replaces */
  char *name;
  Conflict conflict;
  gint64 declared_size; /* item.fileSize, or -1 */
  gint64 total;         /* from the first Content-Range, or -1 */
  GByteArray *data;     /* the bytes received so far, in order */
  gint64 created;
  gint64 expires;
  guint fragments;
  guint dropped;
  gboolean streaming; /* a fragment is being written into data as it arrives */
} UploadSession;

typedef struct
{
  GBytes *bytes;
  char *quickxor;
} Content;

typedef struct
{
  guint id;
  guint64 after_bytes;
  int remaining; /* < 0: unlimited */
} DropFault;

struct _SandboxUploads
{
  GHashTable *sessions; /* guid → UploadSession* */
  GHashTable *contents; /* item id → Content* */
  GPtrArray *drops;     /* DropFault* */
  guint next_drop_id;
  guint lifetime;
  guint64 drops_done;
  guint corrupt; /* commits whose stored bytes get one byte changed */
};

static void
session_free (UploadSession *s)
{
  g_free (s->guid);
  g_free (s->tempauth);
  g_free (s->url);
  g_free (s->parent_id);
  g_free (s->target_id);
  g_free (s->name);
  g_clear_pointer (&s->data, g_byte_array_unref);
  g_free (s);
}

static void
content_free (Content *c)
{
  g_bytes_unref (c->bytes);
  g_free (c->quickxor);
  g_free (c);
}

/* ---- items ----------------------------------------------------------------- */

static gboolean
name_is_valid (const char *name)
{
  gsize len = name != NULL ? strlen (name) : 0;

  if (len == 0 || len > 255 || !g_utf8_validate (name, -1, NULL))
    return FALSE;
  if (strpbrk (name, "\"*:<>?/\\|") != NULL)
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if ((guchar) *p < 0x20)
      return FALSE;
  /* OneDrive refuses names that begin or end with a space, or end with a dot. */
  return name[0] != ' ' && name[len - 1] != ' ' && name[len - 1] != '.'
         && !g_str_equal (name, "..");
}

static SandboxItem *
child_named (Sandbox *sb, SandboxItem *folder, const char *name)
{
  g_autofree char *path = g_strconcat ("/", name, NULL);

  return sandbox_find_path (sb, folder, path);
}

/* "Report.docx" → "Report 1.docx", "Report 2.docx", … as OneDrive does. */
static char *
free_name (Sandbox *sb, SandboxItem *folder, const char *name)
{
  const char *dot = strrchr (name, '.');
  g_autofree char *stem
      = dot != NULL && dot != name ? g_strndup (name, dot - name) : g_strdup (name);
  const char *ext = dot != NULL && dot != name ? dot : "";

  if (child_named (sb, folder, name) == NULL)
    return g_strdup (name);
  for (guint i = 1;; i++)
    {
      char *candidate = g_strdup_printf ("%s %u%s", stem, i, ext);

      if (child_named (sb, folder, candidate) == NULL)
        return candidate;
      g_free (candidate);
    }
}

static void
size_prepared_cb (GdkPixbufLoader *loader, int width, int height, gpointer user_data)
{
  SandboxItem *item = user_data;

  item->width = width;
  item->height = height;
  /* The header is all that is wanted. */
  gdk_pixbuf_loader_set_size (loader, 1, 1);
}

static void
measure_image (SandboxItem *item, GBytes *bytes)
{
  g_autoptr (GdkPixbufLoader) loader = gdk_pixbuf_loader_new ();
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  /* Broken images stay 0×0. */
  g_signal_connect (loader, "size-prepared", G_CALLBACK (size_prepared_cb), item);
  gdk_pixbuf_loader_write (loader, data, len, NULL);
  gdk_pixbuf_loader_close (loader, NULL);
}

static void
store_content (Sandbox *sb, SandboxItem *item, GBytes *bytes)
{
  Content *c = g_new0 (Content, 1);
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  g_autoptr (GBytes) corrupted = NULL;

  if (sb->uploads->corrupt > 0 && len > 0)
    {
      /* A fault: OneDrive's copy differs from what was sent. */
      guint8 *copy = g_memdup2 (data, len);

      copy[len / 2] ^= 0x5a;
      corrupted = g_bytes_new_take (copy, len);
      bytes = corrupted;
      data = g_bytes_get_data (bytes, &len);
      sb->uploads->corrupt--;
    }

  c->bytes = g_bytes_ref (bytes);
  c->quickxor = foyer_quickxor_base64 (data, len);
  g_hash_table_replace (sb->uploads->contents, g_strdup (item->id), c);
  item->size = (gint64) len;
  item->modified = sandbox_now (sb);
  item->width = item->height = 0;
  if (item->kind == SANDBOX_KIND_JPEG || item->kind == SANDBOX_KIND_PNG)
    measure_image (item, bytes);
  /* Thumbnails of an item whose content changed are drawn again. */
  g_hash_table_remove_all (sb->thumb_cache);
}

/* Puts bytes under folder/name with the conflict behaviour; *created says
 * whether a new item was made (201) or an existing one replaced (200). */
static SandboxItem *
commit_file (SandboxRequest *req,
             SandboxItem *folder,
             const char *name,
             Conflict conflict,
             GBytes *bytes,
             gboolean *created)
{
  Sandbox *sb = req->sb;
  SandboxItem *existing = child_named (sb, folder, name);
  g_autofree char *final_name = NULL;
  SandboxItem *item;

  *created = FALSE;
  if (existing != NULL && conflict == CONFLICT_FAIL)
    {
      sandbox_graph_error (req, 409, "nameAlreadyExists",
                           "The specified item name already exists.");
      return NULL;
    }
  if (existing != NULL && conflict == CONFLICT_REPLACE)
    {
      if (existing->kind == SANDBOX_KIND_FOLDER || existing->generated_index >= 0)
        {
          sandbox_graph_error (req, 409, "nameAlreadyExists",
                               "A folder with the specified name already exists.");
          return NULL;
        }
      store_content (sb, existing, bytes);
      return existing;
    }
  final_name = free_name (sb, folder, name);
  item = sandbox_item_add (sb, folder, final_name, sandbox_kind_for_name (final_name),
                           (gint64) g_bytes_get_size (bytes));
  item->created_by = req->user;
  item->created = sandbox_now (sb);
  store_content (sb, item, bytes);
  *created = TRUE;
  return item;
}

static void
respond_item (SandboxRequest *req, guint status, SandboxItem *item)
{
  JsonObject *o = sandbox_item_json (req->sb, item);
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), o);

  json_object_unref (o);
  sandbox_respond_json (req, status, node);
}

GBytes *
sandbox_upload_content (Sandbox *sb, SandboxItem *item)
{
  Content *c = g_hash_table_lookup (sb->uploads->contents, item->id);

  return c != NULL ? c->bytes : NULL;
}

const char *
sandbox_upload_hash (Sandbox *sb, SandboxItem *item)
{
  Content *c = g_hash_table_lookup (sb->uploads->contents, item->id);

  return c != NULL ? c->quickxor : NULL;
}

gboolean
sandbox_upload_draw_thumb (Sandbox *sb, SandboxItem *item, gpointer pixbuf)
{
  GdkPixbuf *dest = pixbuf;
  GBytes *bytes = sandbox_upload_content (sb, item);
  g_autoptr (GInputStream) stream = NULL;
  g_autoptr (GdkPixbuf) src = NULL;
  int w = gdk_pixbuf_get_width (dest), h = gdk_pixbuf_get_height (dest);
  double scale;

  if (bytes == NULL || (item->kind != SANDBOX_KIND_JPEG && item->kind != SANDBOX_KIND_PNG))
    return FALSE;
  stream = g_memory_input_stream_new_from_bytes (bytes);
  src = gdk_pixbuf_new_from_stream (stream, NULL, NULL);
  if (src == NULL)
    return FALSE;
  /* Fill the thumbnail, cropping the middle when the shapes differ. */
  scale = MAX ((double) w / gdk_pixbuf_get_width (src), (double) h / gdk_pixbuf_get_height (src));
  gdk_pixbuf_fill (dest, 0xffffffff);
  gdk_pixbuf_composite (src, dest, 0, 0, w, h, (w - gdk_pixbuf_get_width (src) * scale) / 2,
                        (h - gdk_pixbuf_get_height (src) * scale) / 2, scale, scale,
                        GDK_INTERP_BILINEAR, 255);
  return TRUE;
}

/* ---- the Graph side: addressing ------------------------------------------------ */

typedef struct
{
  SandboxItem *base; /* the item the address names, or the parent of `name` */
  char *name;        /* set when the address ends in a new child's name */
  const char *op;    /* createUploadSession, content, children */
} Address;

static void
address_clear (Address *a)
{
  g_clear_pointer (&a->name, g_free);
}

/* One segment (libsoup hands the path decoded); NULL when not UTF-8. */
static char *
segment_decode (const char *segment, gsize len)
{
  if (!g_utf8_validate (segment, (gssize) len, NULL))
    return NULL;
  return g_strndup (segment, len);
}

/*
 * rest: the segments after /me/drive or /drives/{id}: "items/{id}/op",
 * "root/op", "items/{id}:/a/b:/op" or "root:/a/b:/op". Returns FALSE when
 * the request is not one of the upload calls (it is left to the rest of
 * the Graph host), TRUE when *a is set or a reply was sent (a->base NULL).
 */
static gboolean
parse_address (SandboxRequest *req, SandboxDrive *drive, char **rest, Address *a)
{
  guint n = g_strv_length (rest);
  guint i = 0;
  GPtrArray *path = NULL;
  SandboxItem *base;
  const char *op;

  memset (a, 0, sizeof *a);
  if (n < 2)
    return FALSE;
  op = rest[n - 1];
  if (!((g_str_equal (op, "createUploadSession") && g_str_equal (req->method, "POST"))
        || (g_str_equal (op, "content") && g_str_equal (req->method, "PUT"))
        || (g_str_equal (op, "children") && g_str_equal (req->method, "POST"))))
    return FALSE;
  a->op = op;

  if (g_str_equal (rest[0], "root") && n == 2)
    base = drive->root;
  else if (g_str_equal (rest[0], "items") && n >= 3 && !g_str_has_suffix (rest[1], ":"))
    {
      if (n != 3)
        return FALSE;
      base = sandbox_find_item (req->sb, rest[1]);
      if (base == NULL || base->drive != drive)
        {
          sandbox_graph_error (req, 404, "itemNotFound", "The resource could not be found.");
          return TRUE;
        }
    }
  else
    {
      /* Path addressing: root:/a/b:/op or items/{id}:/a/b:/op. */
      g_autofree char *base_id = NULL;

      if (g_str_equal (rest[0], "root:"))
        {
          base = drive->root;
          i = 1;
        }
      else if (g_str_equal (rest[0], "items") && g_str_has_suffix (rest[1], ":"))
        {
          base_id = g_strndup (rest[1], strlen (rest[1]) - 1);
          base = sandbox_find_item (req->sb, base_id);
          i = 2;
          if (base == NULL || base->drive != drive)
            {
              sandbox_graph_error (req, 404, "itemNotFound", "The resource could not be found.");
              return TRUE;
            }
        }
      else
        return FALSE;

      path = g_ptr_array_new_with_free_func (g_free);
      for (; i < n - 1; i++)
        {
          gsize len = strlen (rest[i]);
          gboolean last = g_str_has_suffix (rest[i], ":");
          char *segment = segment_decode (rest[i], last ? len - 1 : len);

          if (segment == NULL || *segment == '\0')
            {
              g_free (segment);
              g_ptr_array_unref (path);
              sandbox_graph_error (req, 400, "invalidRequest", "The path is not valid.");
              return TRUE;
            }
          g_ptr_array_add (path, segment);
          if (last)
            break;
        }
      if (i != n - 2 || path->len == 0)
        {
          g_ptr_array_unref (path);
          return FALSE;
        }
      /* Every segment but the last names an existing folder. */
      for (guint k = 0; k + 1 < path->len && base != NULL; k++)
        base = child_named (req->sb, base, path->pdata[k]);
      if (base == NULL || base->kind != SANDBOX_KIND_FOLDER)
        {
          g_ptr_array_unref (path);
          sandbox_graph_error (req, 404, "itemNotFound", "The parent folder could not be found.");
          return TRUE;
        }
      a->name = g_strdup (path->pdata[path->len - 1]);
      g_ptr_array_unref (path);
    }

  a->base = base;
  return TRUE;
}

static gboolean
parse_conflict (SandboxRequest *req, JsonObject *item, Conflict fallback, Conflict *out)
{
  const char *text = req->query != NULL
                         ? g_hash_table_lookup (req->query, "@microsoft.graph.conflictBehavior")
                         : NULL;

  if (item != NULL && sandbox_json_string (item, "@microsoft.graph.conflictBehavior") != NULL)
    text = sandbox_json_string (item, "@microsoft.graph.conflictBehavior");
  if (text == NULL)
    *out = fallback;
  else if (g_str_equal (text, "fail"))
    *out = CONFLICT_FAIL;
  else if (g_str_equal (text, "replace"))
    *out = CONFLICT_REPLACE;
  else if (g_str_equal (text, "rename"))
    *out = CONFLICT_RENAME;
  else
    {
      sandbox_graph_error (req, 400, "invalidRequest",
                           "@microsoft.graph.conflictBehavior must be fail, replace or rename.");
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_write (SandboxRequest *req, SandboxItem *item)
{
  if (sandbox_item_access (req->sb, item, req->user) >= SANDBOX_ACCESS_WRITE)
    return TRUE;
  sandbox_graph_error (req, 403, "accessDenied",
                       "Access denied. You do not have permission to perform this action or "
                       "access this resource.");
  return FALSE;
}

static gboolean
check_name (SandboxRequest *req, const char *name)
{
  if (name_is_valid (name))
    return TRUE;
  sandbox_graph_error (req, 400, "invalidRequest",
                       "The name contains characters OneDrive does not allow.");
  return FALSE;
}

/* ---- POST …/children: a new folder ----------------------------------------------- */

static void
create_folder (SandboxRequest *req, SandboxItem *parent)
{
  g_autoptr (JsonObject) body = sandbox_request_json (req);
  const char *name = sandbox_json_string (body, "name");
  JsonNode *folder_facet = body != NULL ? json_object_get_member (body, "folder") : NULL;
  Conflict conflict;
  SandboxItem *existing;
  g_autofree char *final_name = NULL;
  SandboxItem *item;

  if (body == NULL)
    {
      sandbox_graph_error (req, 400, "invalidRequest", "The request body is not valid JSON.");
      return;
    }
  if (folder_facet == NULL || !JSON_NODE_HOLDS_OBJECT (folder_facet))
    {
      sandbox_graph_error (req, 400, "invalidRequest",
                           "The sandbox creates folders here: give a \"folder\" facet.");
      return;
    }
  if (parent->kind != SANDBOX_KIND_FOLDER || parent->n_generated > 0)
    {
      sandbox_graph_error (req, 400, "invalidRequest", "Items cannot be added to this item.");
      return;
    }
  if (!check_name (req, name) || !check_write (req, parent)
      || !parse_conflict (req, body, CONFLICT_FAIL, &conflict))
    return;

  existing = child_named (req->sb, parent, name);
  if (existing != NULL && conflict == CONFLICT_FAIL)
    {
      sandbox_graph_error (req, 409, "nameAlreadyExists",
                           "The specified item name already exists.");
      return;
    }
  if (existing != NULL && conflict == CONFLICT_REPLACE && existing->kind == SANDBOX_KIND_FOLDER)
    {
      /* What OneDrive does: the folder is kept as it is. */
      respond_item (req, 200, existing);
      return;
    }
  final_name = conflict == CONFLICT_RENAME ? free_name (req->sb, parent, name) : g_strdup (name);
  if (existing != NULL && conflict == CONFLICT_REPLACE)
    {
      sandbox_graph_error (req, 409, "nameAlreadyExists", "A file with that name already exists.");
      return;
    }
  item = sandbox_item_add (req->sb, parent, final_name, SANDBOX_KIND_FOLDER, 0);
  item->created_by = req->user;
  item->created = item->modified = sandbox_now (req->sb);
  respond_item (req, 201, item);
}

/* ---- PUT …/content: the simple upload ------------------------------------------------ */

static void
simple_upload (SandboxRequest *req, Address *a)
{
  SoupMessageBody *body = soup_server_message_get_request_body (req->msg);
  g_autoptr (GBytes) bytes = NULL;
  Conflict conflict;
  SandboxItem *item;
  gboolean created = FALSE;

  if (body->length > MAX_SIMPLE_UPLOAD)
    {
      sandbox_graph_error (req, 413, "requestEntityTooLarge",
                           "Use an upload session for files over 250 MB.");
      return;
    }
  bytes = soup_message_body_flatten (body);
  if (a->name == NULL)
    {
      /* PUT /items/{id}/content replaces a file's content. */
      if (a->base->kind == SANDBOX_KIND_FOLDER || a->base->generated_index >= 0)
        {
          sandbox_graph_error (req, 400, "invalidRequest",
                               "Only a file's content can be replaced.");
          return;
        }
      if (!check_write (req, a->base))
        return;
      store_content (req->sb, a->base, bytes);
      respond_item (req, 200, a->base);
      return;
    }
  if (!check_name (req, a->name) || !check_write (req, a->base)
      || !parse_conflict (req, NULL, CONFLICT_REPLACE, &conflict))
    return;
  item = commit_file (req, a->base, a->name, conflict, bytes, &created);
  if (item != NULL)
    respond_item (req, created ? 201 : 200, item);
}

/* ---- createUploadSession ------------------------------------------------------------- */

static void
session_reply (SandboxRequest *req, UploadSession *s, guint status, gboolean with_url)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *expires = sandbox_iso_time (s->expires);
  g_autofree char *next = g_strdup_printf ("%u-", s->data->len);

  json_builder_begin_object (b);
  if (with_url)
    {
      g_autofree char *context
          = g_strdup_printf ("%s/$metadata#microsoft.graph.uploadSession", req->sb->graph_url);

      json_builder_set_member_name (b, "@odata.context");
      json_builder_add_string_value (b, context);
      json_builder_set_member_name (b, "uploadUrl");
      json_builder_add_string_value (b, s->url);
    }
  json_builder_set_member_name (b, "expirationDateTime");
  json_builder_add_string_value (b, expires);
  json_builder_set_member_name (b, "nextExpectedRanges");
  json_builder_begin_array (b);
  json_builder_add_string_value (b, next);
  json_builder_end_array (b);
  json_builder_end_object (b);
  sandbox_respond_builder (req, status, b);
}

static char *
session_url (Sandbox *sb, SandboxDrive *drive, UploadSession *s)
{
  /* The shape of OneDrive for Business's: the drive's site, then _api. */
  const char *web_path = drive->web_path;
  const char *last = strrchr (web_path, '/');
  g_autofree char *site_path
      = last != NULL && last != web_path ? g_strndup (web_path, last - web_path) : g_strdup ("");

  return g_strdup_printf ("%s%s%s?guid='%s'&overwrite=%s&rename=%s&dc=0&tempauth=%s",
                          sb->base_url[SANDBOX_HOST_SHAREPOINT], site_path, SESSION_PATH_SUFFIX,
                          s->guid, s->conflict == CONFLICT_REPLACE ? "True" : "False",
                          s->conflict == CONFLICT_RENAME ? "True" : "False", s->tempauth);
}

static void
create_session (SandboxRequest *req, SandboxDrive *drive, Address *a)
{
  Sandbox *sb = req->sb;
  g_autoptr (JsonObject) body = sandbox_request_json (req);
  JsonNode *item_node = body != NULL ? json_object_get_member (body, "item") : NULL;
  JsonObject *item = item_node != NULL && JSON_NODE_HOLDS_OBJECT (item_node)
                         ? json_node_get_object (item_node)
                         : NULL;
  const char *body_name = sandbox_json_string (item, "name");
  UploadSession *s;
  Conflict conflict;
  guint8 raw[16];

  if (body == NULL || (item_node != NULL && item == NULL))
    {
      sandbox_graph_error (req, 400, "invalidRequest", "The request body is not valid.");
      return;
    }
  if (sandbox_json_bool (body, "deferCommit", FALSE))
    {
      sandbox_graph_error (req, 400, "notSupported", "The sandbox does not defer commits.");
      return;
    }
  if (a->name != NULL)
    {
      if (!check_name (req, a->name) || !check_write (req, a->base))
        return;
      /* "The {item-path} must contain the name of the item that's specified in the body." */
      if (body_name != NULL && g_strcmp0 (body_name, a->name) != 0)
        {
          sandbox_graph_error (req, 400, "invalidRequest",
                               "The name in the body differs from the one in the path.");
          return;
        }
    }
  else if (a->base->kind == SANDBOX_KIND_FOLDER || a->base->generated_index >= 0)
    {
      sandbox_graph_error (req, 400, "invalidRequest",
                           "Give a file to update, or a folder and a new file's name.");
      return;
    }
  else if (!check_write (req, a->base))
    return;
  if (!parse_conflict (req, item, CONFLICT_FAIL, &conflict))
    return;

  s = g_new0 (UploadSession, 1);
  if (!foyer_random_bytes (raw, sizeof raw, NULL))
    g_error ("No random bytes");
  s->guid = g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                             raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7], raw[8],
                             raw[9], raw[10], raw[11], raw[12], raw[13], raw[14], raw[15]);
  s->tempauth = foyer_random_token (32);
  s->user = req->user;
  s->drive = drive;
  if (a->name != NULL)
    {
      s->parent_id = g_strdup (a->base->id);
      s->name = g_strdup (a->name);
    }
  else
    {
      s->target_id = g_strdup (a->base->id);
      s->name = g_strdup (a->base->name);
    }
  s->conflict = a->name != NULL ? conflict : CONFLICT_REPLACE;
  s->declared_size = sandbox_json_int (item, "fileSize", -1);
  s->total = -1;
  s->data = g_byte_array_new ();
  s->created = sandbox_now (sb);
  s->expires = s->created + sb->uploads->lifetime;
  s->url = session_url (sb, drive, s);
  g_hash_table_insert (sb->uploads->sessions, s->guid, s);
  session_reply (req, s, 200, TRUE);
}

gboolean
sandbox_upload_drive_op (SandboxRequest *req, SandboxDrive *drive, char **rest)
{
  Address a;

  if (!parse_address (req, drive, rest, &a))
    return FALSE;
  if (a.base != NULL)
    {
      if (g_str_equal (a.op, "children"))
        {
          if (a.name != NULL)
            sandbox_graph_error (req, 400, "invalidRequest", "Name the folder in the body.");
          else
            create_folder (req, a.base);
        }
      else if (g_str_equal (a.op, "content"))
        simple_upload (req, &a);
      else
        create_session (req, drive, &a);
    }
  address_clear (&a);
  return TRUE;
}

/* ---- the upload URL ------------------------------------------------------------------ */

static void
upload_error (SandboxRequest *req, guint status, const char *code, const char *message)
{
  sandbox_graph_error (req, status, code, message);
}

static char *
strip_quotes (const char *text)
{
  gsize len = text != NULL ? strlen (text) : 0;

  if (len >= 2 && text[0] == '\'' && text[len - 1] == '\'')
    return g_strndup (text + 1, len - 2);
  return g_strdup (text);
}

static UploadSession *
session_for_request (SandboxRequest *req)
{
  Sandbox *sb = req->sb;
  const char *guid_text = req->query != NULL ? g_hash_table_lookup (req->query, "guid") : NULL;
  const char *tempauth = req->query != NULL ? g_hash_table_lookup (req->query, "tempauth") : NULL;
  g_autofree char *guid = strip_quotes (guid_text);
  UploadSession *s = guid != NULL ? g_hash_table_lookup (sb->uploads->sessions, guid) : NULL;

  if (s == NULL || tempauth == NULL || !g_str_equal (s->tempauth, tempauth))
    return NULL;
  if (s->expires < sandbox_now (sb))
    {
      /* Expired sessions and their bytes are cleaned up. */
      g_hash_table_remove (sb->uploads->sessions, s->guid);
      return NULL;
    }
  return s;
}

/* "bytes 0-25/128". */
static gboolean
parse_content_range (const char *header, gint64 *start, gint64 *end, gint64 *total)
{
  guint64 a, b, t;
  char *p;

  if (header == NULL || !g_str_has_prefix (header, "bytes "))
    return FALSE;
  header += 6;
  if (!g_ascii_isdigit (*header))
    return FALSE;
  a = g_ascii_strtoull (header, &p, 10);
  if (*p != '-' || !g_ascii_isdigit (p[1]))
    return FALSE;
  b = g_ascii_strtoull (p + 1, &p, 10);
  if (*p != '/' || !g_ascii_isdigit (p[1]))
    return FALSE;
  t = g_ascii_strtoull (p + 1, &p, 10);
  if (*p != '\0' || a > b || b >= t || t > G_MAXINT64)
    return FALSE;
  *start = (gint64) a;
  *end = (gint64) b;
  *total = (gint64) t;
  return TRUE;
}

static void
append_body (UploadSession *s, SoupMessageBody *body)
{
  /* One flatten: walking the chunks one by one costs O(n²) in libsoup. */
  g_autoptr (GBytes) bytes = soup_message_body_flatten (body);
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  g_byte_array_append (s->data, data, (guint) len);
}

static void
finish_session (SandboxRequest *req, UploadSession *s)
{
  Sandbox *sb = req->sb;
  g_autoptr (GBytes) bytes = NULL;
  SandboxItem *item;
  gboolean created = FALSE;

  bytes = g_byte_array_free_to_bytes (g_steal_pointer (&s->data));
  s->data = g_byte_array_new ();
  if (s->target_id != NULL)
    {
      item = sandbox_find_item (sb, s->target_id);
      if (item == NULL)
        {
          upload_error (req, 404, "itemNotFound", "The file being updated no longer exists.");
          g_hash_table_remove (sb->uploads->sessions, s->guid);
          return;
        }
      store_content (sb, item, bytes);
    }
  else
    {
      SandboxItem *parent = sandbox_find_item (sb, s->parent_id);

      if (parent == NULL)
        {
          upload_error (req, 404, "itemNotFound", "The destination folder no longer exists.");
          g_hash_table_remove (sb->uploads->sessions, s->guid);
          return;
        }
      item = commit_file (req, parent, s->name, s->conflict, bytes, &created);
      if (item == NULL)
        {
          /* Graph keeps the session so the app may commit it under another
           * name; the sandbox keeps it too, with its bytes. */
          g_byte_array_unref (s->data);
          s->data = g_bytes_unref_to_array (g_steal_pointer (&bytes));
          return;
        }
    }
  respond_item (req, created ? 201 : 200, item);
  g_hash_table_remove (sb->uploads->sessions, s->guid);
}

/* A fragment written into its session as it arrives (see early_cb): its
 * bytes are already at the end of the session's data. */
typedef struct
{
  Sandbox *sb;
  char *guid;
  guint64 start;
  guint64 received;
  gboolean taken; /* the handler judged it */
} Stream;

static void
stream_free (gpointer data)
{
  Stream *st = data;

  g_free (st->guid);
  g_free (st);
}

/* Drops what a fragment wrote that was not kept. */
static void
stream_settle (Stream *st, gboolean keep)
{
  UploadSession *s = g_hash_table_lookup (st->sb->uploads->sessions, st->guid);

  if (st->taken)
    return;
  st->taken = TRUE;
  if (s == NULL)
    return;
  s->streaming = FALSE;
  if (!keep && s->data->len >= st->start)
    g_byte_array_set_size (s->data, (guint) st->start);
}

static void
put_fragment (SandboxRequest *req, UploadSession *s)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);
  SoupMessageBody *body = soup_server_message_get_request_body (req->msg);
  Stream *st = g_object_get_data (G_OBJECT (req->msg), "sandbox-upload-stream");
  gint64 start, end, total, len;
  gint64 received = st != NULL ? (gint64) st->start : (gint64) s->data->len;
  gint64 body_length = st != NULL ? (gint64) st->received : body->length;
  const char *problem = NULL;
  guint status = 400;
  const char *code = "invalidRequest";

  if (!parse_content_range (soup_message_headers_get_one (headers, "Content-Range"), &start, &end,
                            &total))
    problem = "A fragment needs Content-Range: bytes {start}-{end}/{total}.";
  else if ((len = end - start + 1) != body_length)
    problem = "The body's length differs from the length in Content-Range.";
  else if (len > MAX_REQUEST_BYTES)
    problem = "A fragment must be smaller than 60 MiB.";
  else if ((s->total >= 0 && total != s->total)
           || (s->declared_size >= 0 && total != s->declared_size))
    problem = "The total length differs from the one given before.";
  else if (start != received)
    {
      status = 416;
      code = "invalidRange";
      problem = start < received
                    ? "The uploaded fragment overlaps with data that has already been received."
                    : "Fragments must be uploaded in order.";
    }
  else if (end + 1 < total && len % FRAGMENT_UNIT != 0)
    problem = "Every fragment but the last must be a multiple of 320 KiB (327,680 bytes).";
  if (st != NULL)
    stream_settle (st, problem == NULL);
  if (problem != NULL)
    {
      upload_error (req, status, code, problem);
      return;
    }
  s->total = total;
  if (st == NULL)
    append_body (s, body);
  s->fragments++;
  s->expires = sandbox_now (req->sb) + req->sb->uploads->lifetime;
  if ((gint64) s->data->len == total)
    finish_session (req, s);
  else
    session_reply (req, s, 202, FALSE);
}

gboolean
sandbox_upload_session_handle (SandboxRequest *req)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (req->msg);
  UploadSession *s;

  if (!g_str_has_suffix (req->path, SESSION_PATH_SUFFIX))
    return FALSE;
  if (soup_message_headers_get_one (headers, "Authorization") != NULL)
    {
      /* Graph's documentation warns that a bearer token here may get a 401. */
      upload_error (req, 401, "unauthenticated",
                    "Do not send an Authorization header to an upload URL.");
      return TRUE;
    }
  s = session_for_request (req);
  if (s == NULL)
    {
      upload_error (req, 404, "itemNotFound", "The upload session was not found.");
      return TRUE;
    }
  sandbox_set_user (req, s->user);
  if (g_str_equal (req->method, "GET"))
    session_reply (req, s, 200, FALSE);
  else if (g_str_equal (req->method, "DELETE"))
    {
      g_hash_table_remove (req->sb->uploads->sessions, s->guid);
      soup_server_message_set_status (req->msg, 204, NULL);
    }
  else if (g_str_equal (req->method, "PUT"))
    put_fragment (req, s);
  else
    upload_error (req, 405, "invalidRequest", "Use PUT, GET or DELETE on an upload URL.");
  return TRUE;
}

/* ---- connections dropped in the middle of a fragment ----------------------------------- */

typedef struct
{
  Sandbox *sb;
  guint64 after_bytes;
  guint64 seen;
  gboolean dropped;
  char *guid;
} DropWatch;

static void
drop_watch_free (gpointer data, GClosure *closure)
{
  DropWatch *w = data;

  g_free (w->guid);
  g_free (w);
}

static void
got_chunk_cb (SoupServerMessage *msg, GBytes *chunk, gpointer user_data)
{
  DropWatch *w = user_data;
  GSocket *socket;

  w->seen += g_bytes_get_size (chunk);
  if (w->dropped || w->seen < w->after_bytes)
    return;
  w->dropped = TRUE;
  /* Reset, not closed politely: the client sees its connection go away
   * while it still sends, and libsoup abandons the request as it does for
   * a client that went away. */
  socket = soup_server_message_get_socket (msg);
  if (socket != NULL)
    {
      struct linger reset = { 1, 0 };

      setsockopt (g_socket_get_fd (socket), SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
      g_socket_close (socket, NULL);
    }
  w->sb->uploads->drops_done++;
  if (w->guid != NULL)
    {
      UploadSession *s = g_hash_table_lookup (w->sb->uploads->sessions, w->guid);

      if (s != NULL)
        s->dropped++;
    }
  g_message ("Dropped an upload connection after %" G_GUINT64_FORMAT " bytes", w->seen);
}

static void
stream_chunk_cb (SoupServerMessage *msg, GBytes *chunk, gpointer user_data)
{
  Stream *st = user_data;
  UploadSession *s = g_hash_table_lookup (st->sb->uploads->sessions, st->guid);
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (chunk, &len);

  if (s == NULL || st->taken || s->data->len != st->start + st->received)
    return;
  g_byte_array_append (s->data, data, (guint) len);
  st->received += len;
}

/* A fragment that looks right goes straight into its session as it
 * arrives, instead of being gathered and then copied: the sandbox must
 * not be what a benchmark of uploads measures. The handler judges it as
 * any other (and takes it back when it is refused); a request that never
 * reaches the handler is taken back when it ends. */
static void
stream_into_session (Sandbox *sb, SoupServerMessage *msg, GHashTable *query)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *tempauth = query != NULL ? g_hash_table_lookup (query, "tempauth") : NULL;
  g_autofree char *guid = strip_quotes (query != NULL ? g_hash_table_lookup (query, "guid") : NULL);
  UploadSession *s = guid != NULL ? g_hash_table_lookup (sb->uploads->sessions, guid) : NULL;
  gint64 start, end, total;
  Stream *st;

  if (s == NULL || s->streaming || g_strcmp0 (tempauth, s->tempauth) != 0
      || s->expires < sandbox_now (sb)
      || soup_message_headers_get_one (headers, "Authorization") != NULL
      || !parse_content_range (soup_message_headers_get_one (headers, "Content-Range"), &start,
                               &end, &total)
      || start != (gint64) s->data->len || end - start + 1 > MAX_REQUEST_BYTES)
    return;
  if (s->data->len == 0 && total <= 4 * (gint64) G_MAXINT32 / 8)
    {
      /* Room for the whole file at once: no copy as it grows. */
      g_byte_array_unref (s->data);
      s->data = g_byte_array_sized_new ((guint) total);
    }
  st = g_new0 (Stream, 1);
  st->sb = sb;
  st->guid = g_strdup (guid);
  st->start = s->data->len;
  s->streaming = TRUE;
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  g_object_set_data_full (G_OBJECT (msg), "sandbox-upload-stream", st, stream_free);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (stream_chunk_cb), st);
}

static void
request_ended_cb (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
  Stream *st = g_object_get_data (G_OBJECT (msg), "sandbox-upload-stream");

  if (st != NULL)
    stream_settle (st, FALSE);
}

static void
early_cb (SoupServer *server,
          SoupServerMessage *msg,
          const char *path,
          GHashTable *query,
          gpointer user_data)
{
  Sandbox *sb = user_data;
  SandboxUploads *up = sb->uploads;
  DropFault *fault;
  DropWatch *w;
  const char *guid = query != NULL ? g_hash_table_lookup (query, "guid") : NULL;

  if (!g_str_equal (soup_server_message_get_method (msg), "PUT")
      || !g_str_has_suffix (path, SESSION_PATH_SUFFIX))
    return;
  stream_into_session (sb, msg, query);
  if (up->drops->len == 0)
    return;
  fault = up->drops->pdata[0];
  w = g_new0 (DropWatch, 1);
  w->sb = sb;
  w->after_bytes = MAX (fault->after_bytes, 1);
  w->guid = strip_quotes (guid);
  if (fault->remaining > 0 && --fault->remaining == 0)
    g_ptr_array_remove_index (up->drops, 0);
  g_signal_connect_data (msg, "got-chunk", G_CALLBACK (got_chunk_cb), w, drop_watch_free, 0);
}

/* ---- the control API: /_sandbox/uploads ---------------------------------------------- */

static JsonObject *
session_object (UploadSession *s)
{
  JsonObject *o = json_object_new ();
  g_autofree char *expires = sandbox_iso_time (s->expires);

  json_object_set_string_member (o, "id", s->guid);
  json_object_set_string_member (o, "user", s->user->email);
  json_object_set_string_member (o, "name", s->name);
  json_object_set_int_member (o, "received", s->data->len);
  json_object_set_int_member (o, "total", s->total);
  json_object_set_int_member (o, "fragments", s->fragments);
  json_object_set_int_member (o, "dropped", s->dropped);
  json_object_set_string_member (o, "expirationDateTime", expires);
  return o;
}

static void
control_reply (SandboxRequest *req, guint status, JsonObject *o)
{
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), o);

  json_object_unref (o);
  sandbox_respond_json (req, status, node);
}

static void
control_error (SandboxRequest *req, guint status, const char *message)
{
  JsonObject *o = json_object_new ();

  json_object_set_string_member (o, "error", message);
  control_reply (req, status, o);
}

static void
list_sessions (SandboxRequest *req)
{
  SandboxUploads *up = req->sb->uploads;
  JsonObject *o = json_object_new ();
  JsonArray *a = json_array_new ();
  GHashTableIter iter;
  gpointer v;

  g_hash_table_iter_init (&iter, up->sessions);
  while (g_hash_table_iter_next (&iter, NULL, &v))
    json_array_add_object_element (a, session_object (v));
  json_object_set_array_member (o, "value", a);
  json_object_set_int_member (o, "lifetimeSeconds", up->lifetime);
  json_object_set_int_member (o, "droppedConnections", (gint64) up->drops_done);
  control_reply (req, 200, o);
}

static void
expire_sessions (SandboxRequest *req)
{
  g_autoptr (JsonObject) body = sandbox_request_json (req);
  const char *id = sandbox_json_string (body, "id");
  GHashTableIter iter;
  gpointer v;
  guint n = 0;
  JsonObject *o;

  g_hash_table_iter_init (&iter, req->sb->uploads->sessions);
  while (g_hash_table_iter_next (&iter, NULL, &v))
    {
      UploadSession *s = v;

      if (id != NULL && !g_str_equal (id, s->guid))
        continue;
      s->expires = sandbox_now (req->sb) - 1;
      n++;
    }
  o = json_object_new ();
  json_object_set_int_member (o, "expired", n);
  control_reply (req, 200, o);
}

static void
add_drop (SandboxRequest *req)
{
  g_autoptr (JsonObject) body = sandbox_request_json (req);
  gint64 after = sandbox_json_int (body, "dropAfterBytes", -1);
  DropFault *f;
  JsonObject *o;

  if (body == NULL || after < 1)
    {
      control_error (req, 400, "Give {\"dropAfterBytes\": N (≥ 1), \"times\": k}.");
      return;
    }
  f = g_new0 (DropFault, 1);
  f->id = ++req->sb->uploads->next_drop_id;
  f->after_bytes = (guint64) after;
  f->remaining = (int) sandbox_json_int (body, "times", 1);
  g_ptr_array_add (req->sb->uploads->drops, f);
  o = json_object_new ();
  json_object_set_int_member (o, "id", f->id);
  json_object_set_int_member (o, "dropAfterBytes", after);
  json_object_set_int_member (o, "times", f->remaining);
  control_reply (req, 201, o);
}

static void
update_settings (SandboxRequest *req)
{
  g_autoptr (JsonObject) body = sandbox_request_json (req);
  gint64 lifetime = sandbox_json_int (body, "lifetimeSeconds", -1);
  gint64 corrupt = sandbox_json_int (body, "corruptCommits", -1);
  JsonObject *o;

  if (body == NULL || (lifetime < 1 && corrupt < 0))
    {
      control_error (req, 400, "Give {\"lifetimeSeconds\": N} or {\"corruptCommits\": N}.");
      return;
    }
  if (lifetime >= 1)
    req->sb->uploads->lifetime = (guint) MIN (lifetime, G_MAXUINT32);
  if (corrupt >= 0)
    req->sb->uploads->corrupt = (guint) MIN (corrupt, G_MAXUINT32);
  o = json_object_new ();
  json_object_set_int_member (o, "lifetimeSeconds", req->sb->uploads->lifetime);
  json_object_set_int_member (o, "corruptCommits", req->sb->uploads->corrupt);
  control_reply (req, 200, o);
}

gboolean
sandbox_upload_control (SandboxRequest *req, char **parts)
{
  guint n = g_strv_length (parts);
  const char *what = n > 2 ? parts[2] : NULL;

  if (n < 2 || !g_str_equal (parts[1], "uploads") || n > 3)
    return FALSE;
  if (what == NULL && g_str_equal (req->method, "GET"))
    list_sessions (req);
  else if (what == NULL && g_str_equal (req->method, "DELETE"))
    {
      g_hash_table_remove_all (req->sb->uploads->sessions);
      g_ptr_array_set_size (req->sb->uploads->drops, 0);
      control_reply (req, 200, json_object_new ());
    }
  else if (g_strcmp0 (what, "expire") == 0 && g_str_equal (req->method, "POST"))
    expire_sessions (req);
  else if (g_strcmp0 (what, "drops") == 0 && g_str_equal (req->method, "POST"))
    add_drop (req);
  else if (g_strcmp0 (what, "drops") == 0 && g_str_equal (req->method, "DELETE"))
    {
      g_ptr_array_set_size (req->sb->uploads->drops, 0);
      control_reply (req, 200, json_object_new ());
    }
  else if (g_strcmp0 (what, "settings") == 0 && g_str_equal (req->method, "POST"))
    update_settings (req);
  else
    control_error (req, 404, "Unknown uploads control endpoint.");
  return TRUE;
}

void
sandbox_upload_init (Sandbox *sb)
{
  SandboxUploads *up = g_new0 (SandboxUploads, 1);

  up->sessions
      = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) session_free);
  up->contents
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) content_free);
  up->drops = g_ptr_array_new_with_free_func (g_free);
  up->lifetime = DEFAULT_LIFETIME;
  sb->uploads = up;
  soup_server_add_early_handler (sb->servers[SANDBOX_HOST_SHAREPOINT], NULL, early_cb, sb, NULL);
  /* A fragment that never reached its handler (a fault, a reset) leaves nothing. */
  g_signal_connect (sb->servers[SANDBOX_HOST_SHAREPOINT], "request-finished",
                    G_CALLBACK (request_ended_cb), sb);
  g_signal_connect (sb->servers[SANDBOX_HOST_SHAREPOINT], "request-aborted",
                    G_CALLBACK (request_ended_cb), sb);
}
