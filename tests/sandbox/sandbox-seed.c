/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The sandbox's seeded world: two tenants, their users, one OneDrive per
 * user, two SharePoint sites, items shared between users, and the
 * 100,000-item "Big folder" whose children are generated from their index
 * on demand and never all held in memory. Also the access rules that Graph
 * and the SharePoint pages share.
 */
#define G_LOG_DOMAIN "foyer-sandbox"

#include "config.h"

#include "sandbox.h"

#include "foyer-core.h"

#include <string.h>

#define BIG_FOLDER_SIZE 100000
/* 2026-01-05T09:00:00Z: seeded dates are spread after this moment. */
#define SEED_EPOCH 1767603600

static const char *const kind_mimes[] = {
  [SANDBOX_KIND_FOLDER] = NULL,
  [SANDBOX_KIND_WORD] = "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  [SANDBOX_KIND_EXCEL] = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  [SANDBOX_KIND_POWERPOINT]
  = "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  [SANDBOX_KIND_PDF] = "application/pdf",
  [SANDBOX_KIND_JPEG] = "image/jpeg",
  [SANDBOX_KIND_PNG] = "image/png",
  [SANDBOX_KIND_TEXT] = "text/plain",
  [SANDBOX_KIND_ARCHIVE] = "application/zip",
};

/* The letter Microsoft puts in sharing URLs: /:w:/g/… */
static const char kind_letters[] = {
  [SANDBOX_KIND_FOLDER] = 'f',     [SANDBOX_KIND_WORD] = 'w', [SANDBOX_KIND_EXCEL] = 'x',
  [SANDBOX_KIND_POWERPOINT] = 'p', [SANDBOX_KIND_PDF] = 'b',  [SANDBOX_KIND_JPEG] = 'i',
  [SANDBOX_KIND_PNG] = 'i',        [SANDBOX_KIND_TEXT] = 't', [SANDBOX_KIND_ARCHIVE] = 'u',
};

const char *
sandbox_kind_mime (SandboxKind kind)
{
  return kind_mimes[kind];
}

gboolean
sandbox_kind_has_thumbnail (SandboxKind kind)
{
  return kind != SANDBOX_KIND_FOLDER && kind != SANDBOX_KIND_ARCHIVE;
}

SandboxKind
sandbox_kind_for_name (const char *name)
{
  static const struct
  {
    const char *ext;
    SandboxKind kind;
  } map[] = {
    { ".docx", SANDBOX_KIND_WORD },       { ".xlsx", SANDBOX_KIND_EXCEL },
    { ".pptx", SANDBOX_KIND_POWERPOINT }, { ".pdf", SANDBOX_KIND_PDF },
    { ".jpg", SANDBOX_KIND_JPEG },        { ".png", SANDBOX_KIND_PNG },
    { ".txt", SANDBOX_KIND_TEXT },        { ".zip", SANDBOX_KIND_ARCHIVE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (map); i++)
    if (g_str_has_suffix (name, map[i].ext))
      return map[i].kind;
  return SANDBOX_KIND_TEXT;
}

void
sandbox_item_free (SandboxItem *item)
{
  if (item == NULL)
    return;
  g_free (item->id);
  g_free (item->name);
  g_clear_pointer (&item->children, g_ptr_array_unref);
  g_clear_pointer (&item->links, g_ptr_array_unref);
  g_clear_pointer (&item->grants, g_ptr_array_unref);
  g_free (item);
}

static void
link_free (SandboxLink *link)
{
  g_free (link->id);
  g_free (link->token);
  g_free (link->type);
  g_free (link->scope);
  g_free (link->url);
  g_ptr_array_unref (link->recipients);
  g_free (link);
}

static void
grant_free (SandboxGrant *grant)
{
  g_free (grant->id);
  g_free (grant);
}

static SandboxItem *
item_alloc (void)
{
  SandboxItem *item = g_new0 (SandboxItem, 1);

  item->generated_index = -1;
  item->links = g_ptr_array_new_with_free_func ((GDestroyNotify) link_free);
  item->grants = g_ptr_array_new_with_free_func ((GDestroyNotify) grant_free);
  return item;
}

char *
sandbox_item_path (SandboxItem *item)
{
  g_autoptr (GPtrArray) parts = g_ptr_array_new ();
  GString *path = g_string_new (NULL);

  for (SandboxItem *it = item; it != NULL && it->parent != NULL; it = it->parent)
    g_ptr_array_insert (parts, 0, it->name);
  for (guint i = 0; i < parts->len; i++)
    {
      g_string_append_c (path, '/');
      g_string_append (path, parts->pdata[i]);
    }
  return g_string_free (path, FALSE);
}

char *
sandbox_item_web_url (Sandbox *sb, SandboxItem *item)
{
  g_autofree char *path = sandbox_item_path (item);
  g_autofree char *escaped = g_uri_escape_string (path, "/", FALSE);

  return g_strconcat (sb->base_url[SANDBOX_HOST_SHAREPOINT], item->drive->web_path, escaped, NULL);
}

static SandboxItem *
add_item (Sandbox *sb, SandboxItem *parent, const char *name, SandboxKind kind, gint64 size)
{
  SandboxItem *item = item_alloc ();
  g_autofree char *parent_path = sandbox_item_path (parent);
  g_autofree char *label = g_strdup_printf ("item %s%s/%s", parent->drive->id, parent_path, name);
  guint32 h = sandbox_hash32 (sb, label);
  g_autofree char *hex = sandbox_hash_hex (sb, label, 16);

  item->id = g_strconcat ("01", hex, NULL);
  item->name = g_strdup (name);
  item->kind = kind;
  item->drive = parent->drive;
  item->parent = parent;
  item->created = SEED_EPOCH + (h % (200 * 86400));
  item->modified = item->created + ((h >> 8) % (60 * 86400));
  item->created_by = parent->drive->owner;
  if (kind == SANDBOX_KIND_FOLDER)
    item->children = g_ptr_array_new_with_free_func ((GDestroyNotify) sandbox_item_free);
  item->size = size > 0 ? size : 8000 + (h % 250000);
  g_ptr_array_add (parent->children, item);
  g_hash_table_insert (sb->items, item->id, item);
  return item;
}

static int compare_items (gconstpointer a, gconstpointer b);

SandboxItem *
sandbox_item_add (Sandbox *sb, SandboxItem *parent, const char *name, SandboxKind kind, gint64 size)
{
  SandboxItem *item = add_item (sb, parent, name, kind, size);

  item->created = item->modified = sandbox_now (sb);
  g_ptr_array_sort (parent->children, compare_items);
  return item;
}

static SandboxItem *
add_file (Sandbox *sb, SandboxItem *parent, const char *name)
{
  return add_item (sb, parent, name, sandbox_kind_for_name (name), 0);
}

static SandboxItem *
add_image (Sandbox *sb, SandboxItem *parent, const char *name, int width, int height)
{
  SandboxItem *item = add_file (sb, parent, name);

  item->width = width;
  item->height = height;
  return item;
}

static SandboxItem *
add_folder (Sandbox *sb, SandboxItem *parent, const char *name)
{
  return add_item (sb, parent, name, SANDBOX_KIND_FOLDER, 0);
}

static SandboxDrive *
add_drive (Sandbox *sb,
           const char *label,
           const char *name,
           const char *drive_type,
           SandboxTenant *tenant,
           const char *web_path)
{
  SandboxDrive *drive = g_new0 (SandboxDrive, 1);
  g_autofree char *hex = sandbox_hash_hex (sb, label, 24);
  g_autofree char *root_hex = NULL;
  g_autofree char *root_label = g_strconcat ("root of ", label, NULL);
  guint8 raw[24];

  for (int i = 0; i < 24; i++)
    raw[i] = (guint8) g_ascii_strtoull ((char[]){ hex[2 * i], hex[2 * i + 1], 0 }, NULL, 16);
  drive->id = g_strconcat ("b!", foyer_base64url_encode (raw, sizeof raw), NULL);
  drive->name = g_strdup (name);
  drive->drive_type = drive_type;
  drive->tenant = tenant;
  drive->web_path = g_strdup (web_path);

  drive->root = item_alloc ();
  root_hex = sandbox_hash_hex (sb, root_label, 16);
  drive->root->id = g_strconcat ("01", root_hex, NULL);
  drive->root->name = g_strdup ("root");
  drive->root->kind = SANDBOX_KIND_FOLDER;
  drive->root->drive = drive;
  drive->root->created = SEED_EPOCH;
  drive->root->modified = SEED_EPOCH + 86400;
  drive->root->children = g_ptr_array_new_with_free_func ((GDestroyNotify) sandbox_item_free);
  g_hash_table_insert (sb->items, drive->root->id, drive->root);
  g_ptr_array_add (sb->drives, drive);
  return drive;
}

static SandboxTenant *
add_tenant (Sandbox *sb, const char *name, const char *domain, gboolean allow_anonymous)
{
  SandboxTenant *t = g_new0 (SandboxTenant, 1);
  g_autofree char *label = g_strconcat ("tenant ", domain, NULL);

  t->id = sandbox_uuid (sb, label);
  t->name = g_strdup (name);
  t->domain = g_strdup (domain);
  t->allow_anonymous = allow_anonymous;
  t->admin_consents = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_ptr_array_add (sb->tenants, t);
  return t;
}

/* upn: the sign-in name when it is not the mail address. */
static SandboxUser *
add_user_full (Sandbox *sb,
               SandboxTenant *tenant,
               const char *local,
               const char *name,
               const char *upn,
               const char *password)
{
  SandboxUser *u = g_new0 (SandboxUser, 1);
  g_autofree char *label = NULL;
  g_autofree char *web_path = NULL;
  g_autofree char *drive_label = NULL;

  u->email = g_strdup_printf ("%s@%s", local, tenant->domain);
  u->upn = g_strdup (upn != NULL ? upn : u->email);
  u->password = g_strdup (password);
  u->name = g_strdup (name);
  label = g_strconcat ("user ", u->email, NULL);
  u->oid = sandbox_uuid (sb, label);
  /* OneDrive's personal site is named after the sign-in name. */
  u->slug = g_strdelimit (g_strdup (u->upn), "@.", '_');
  u->tenant = tenant;
  u->recent = g_ptr_array_new ();
  u->followed_sites = g_ptr_array_new ();
  u->redeemed = g_hash_table_new (NULL, NULL);
  web_path = g_strdup_printf ("/personal/%s/Documents", u->slug);
  drive_label = g_strconcat ("drive ", u->email, NULL);
  u->drive = add_drive (sb, drive_label, "OneDrive", "business", tenant, web_path);
  u->drive->owner = u;
  u->drive->root->created_by = u;
  g_ptr_array_add (sb->users, u);
  return u;
}

static SandboxUser *
add_user (Sandbox *sb, SandboxTenant *tenant, const char *local, const char *name)
{
  g_autofree char *password = g_strdup_printf ("%s-password", local);

  return add_user_full (sb, tenant, local, name, NULL, password);
}

static SandboxSite *
add_site (Sandbox *sb,
          SandboxTenant *tenant,
          const char *name,
          const char *display_name,
          const char *description)
{
  SandboxSite *site = g_new0 (SandboxSite, 1);
  g_autofree char *l1 = g_strconcat ("site collection ", name, NULL);
  g_autofree char *l2 = g_strconcat ("site web ", name, NULL);
  g_autofree char *u1 = sandbox_uuid (sb, l1);
  g_autofree char *u2 = sandbox_uuid (sb, l2);
  g_autofree char *drive_label = g_strconcat ("site drive ", name, NULL);
  g_autofree char *web_path = g_strdup_printf ("/sites/%s/Shared%%20Documents", name);

  /* Microsoft's site ids are "hostname,site collection id,web id". */
  site->id = g_strdup_printf ("%s.sharepoint.example,%s,%s", tenant->name, u1, u2);
  site->name = g_strdup (name);
  site->display_name = g_strdup (display_name);
  site->description = g_strdup (description);
  site->web_path = g_strdup_printf ("/sites/%s", name);
  site->tenant = tenant;
  site->drive
      = add_drive (sb, drive_label, "Shared Documents", "documentLibrary", tenant, web_path);
  site->drive->site = site;
  g_ptr_array_add (sb->sites, site);
  return site;
}

static void
add_recipient (GPtrArray *recipients, SandboxUser *user)
{
  if (!g_ptr_array_find (recipients, user, NULL))
    g_ptr_array_add (recipients, user);
}

SandboxLink *
sandbox_link_find_or_create (Sandbox *sb,
                             SandboxItem *item,
                             SandboxUser *creator,
                             const char *type,
                             const char *scope,
                             GPtrArray *recipients,
                             gboolean *created)
{
  SandboxLink *link;
  g_autofree char *label = NULL;
  g_autofree char *hex = NULL;
  guint8 raw[30];
  g_autofree char *token = NULL;
  const char *owner_part;
  g_autofree char *owner_path = NULL;

  for (guint i = 0; i < item->links->len; i++)
    {
      link = item->links->pdata[i];
      if (g_strcmp0 (link->type, type) == 0 && g_strcmp0 (link->scope, scope) == 0)
        {
          /* A users link is the same link with the new people added. */
          for (guint j = 0; recipients != NULL && j < recipients->len; j++)
            add_recipient (link->recipients, recipients->pdata[j]);
          *created = FALSE;
          return link;
        }
    }

  sandbox_item_pin (sb, item);
  label = g_strdup_printf ("link %s %s %s %u", item->id, type, scope, item->links->len);
  hex = sandbox_hash_hex (sb, label, 30);
  for (int i = 0; i < 30; i++)
    raw[i] = (guint8) g_ascii_strtoull ((char[]){ hex[2 * i], hex[2 * i + 1], 0 }, NULL, 16);
  token = foyer_base64url_encode (raw, sizeof raw);
  token[0] = 'E';

  link = g_new0 (SandboxLink, 1);
  link->id = sandbox_uuid (sb, label);
  link->token = g_steal_pointer (&token);
  link->type = g_strdup (type);
  link->scope = g_strdup (scope);
  link->recipients = g_ptr_array_new ();
  for (guint j = 0; recipients != NULL && j < recipients->len; j++)
    add_recipient (link->recipients, recipients->pdata[j]);
  link->item = item;
  link->created_by = creator;
  link->created = sandbox_now (sb);

  if (item->drive->site != NULL)
    owner_path = g_strdup_printf ("s/%s", item->drive->site->name);
  else
    owner_path = g_strdup_printf ("g/personal/%s", item->drive->owner->slug);
  owner_part = owner_path;
  link->url = g_strdup_printf ("%s/:%c:/%s/%s", sb->base_url[SANDBOX_HOST_SHAREPOINT],
                               kind_letters[item->kind], owner_part, link->token);
  g_ptr_array_add (item->links, link);
  g_hash_table_insert (sb->links, link->url, link);
  *created = TRUE;
  return link;
}

SandboxLink *
sandbox_link_for_url (Sandbox *sb, const char *url)
{
  g_autofree char *bare = g_strdup (url);
  char *cut = strpbrk (bare, "?#");

  if (cut != NULL)
    *cut = '\0';
  return g_hash_table_lookup (sb->links, bare);
}

SandboxGrant *
sandbox_grant_add (
    Sandbox *sb, SandboxItem *item, SandboxUser *user, gboolean write, SandboxUser *by)
{
  SandboxGrant *grant;
  g_autofree char *label = NULL;

  for (guint i = 0; i < item->grants->len; i++)
    {
      grant = item->grants->pdata[i];
      if (grant->user == user)
        {
          grant->write = grant->write || write;
          return grant;
        }
    }

  sandbox_item_pin (sb, item);
  label = g_strdup_printf ("grant %s %s", item->id, user->oid);
  grant = g_new0 (SandboxGrant, 1);
  grant->id = sandbox_uuid (sb, label);
  grant->user = user;
  grant->write = write;
  grant->granted_by = by;
  grant->created = sandbox_now (sb);
  g_ptr_array_add (item->grants, grant);
  return grant;
}

gboolean
sandbox_link_allows (SandboxLink *link, SandboxUser *user)
{
  if (user == NULL)
    return g_strcmp0 (link->scope, "anonymous") == 0;
  if (user == link->created_by || user == link->item->drive->owner)
    return TRUE;
  if (g_strcmp0 (link->scope, "anonymous") == 0)
    return TRUE;
  if (g_strcmp0 (link->scope, "organization") == 0)
    return user->tenant == link->item->drive->tenant;
  return g_ptr_array_find (link->recipients, user, NULL);
}

SandboxAccess
sandbox_item_access (Sandbox *sb, SandboxItem *item, SandboxUser *user)
{
  SandboxAccess best = SANDBOX_ACCESS_NONE;

  if (user == NULL)
    return SANDBOX_ACCESS_NONE;
  if (item->drive->owner == user)
    return SANDBOX_ACCESS_OWNER;
  /* Every member of the tenant may edit its team sites. */
  if (item->drive->site != NULL && item->drive->tenant == user->tenant)
    return SANDBOX_ACCESS_WRITE;

  for (SandboxItem *it = item; it != NULL; it = it->parent)
    {
      for (guint i = 0; i < it->grants->len; i++)
        {
          SandboxGrant *g = it->grants->pdata[i];

          if (g->user == user)
            best = MAX (best, g->write ? SANDBOX_ACCESS_WRITE : SANDBOX_ACCESS_READ);
        }
      for (guint i = 0; i < it->links->len; i++)
        {
          SandboxLink *l = it->links->pdata[i];

          if (g_hash_table_contains (user->redeemed, l) && sandbox_link_allows (l, user))
            best = MAX (best,
                        g_str_equal (l->type, "edit") ? SANDBOX_ACCESS_WRITE : SANDBOX_ACCESS_READ);
        }
    }
  return best;
}

void
sandbox_touch_recent (SandboxUser *user, SandboxItem *item)
{
  if (item->kind == SANDBOX_KIND_FOLDER)
    return;
  g_ptr_array_remove (user->recent, item);
  g_ptr_array_insert (user->recent, 0, item);
  if (user->recent->len > 50)
    g_ptr_array_set_size (user->recent, 50);
}

/* ---- the generated children of the big folder --------------------------- */

static char *
generated_id (SandboxItem *folder, guint index)
{
  return g_strdup_printf ("%.26s%08X", folder->id, index);
}

void
sandbox_generated_name (guint index, char *buffer, gsize size)
{
  static const char *const exts[] = { "txt", "docx", "xlsx", "pdf", "png", "jpg", "pptx" };

  g_snprintf (buffer, size, "Item %06u.%s", index, exts[index % G_N_ELEMENTS (exts)]);
}

SandboxItem *
sandbox_item_new_generated (Sandbox *sb, SandboxItem *folder, guint index)
{
  SandboxItem *item = item_alloc ();
  guint32 h = (guint32) index * 2654435761u;
  char name[64];

  sandbox_generated_name (index, name, sizeof name);
  item->id = generated_id (folder, index);
  item->name = g_strdup (name);
  item->kind = sandbox_kind_for_name (item->name);
  item->drive = folder->drive;
  item->parent = folder;
  item->generated_index = index;
  item->size = 1024 + (h % 500000);
  item->created = SEED_EPOCH + (gint64) index * 60;
  item->modified = item->created + (h % 86400);
  item->created_by = folder->drive->owner;
  if (item->kind == SANDBOX_KIND_PNG || item->kind == SANDBOX_KIND_JPEG)
    {
      item->width = 1600;
      item->height = 1200;
    }
  return item;
}

guint
sandbox_child_count (SandboxItem *folder)
{
  if (folder->n_generated > 0)
    return folder->n_generated;
  return folder->children != NULL ? folder->children->len : 0;
}

SandboxItem *
sandbox_child_at (Sandbox *sb, SandboxItem *folder, guint index)
{
  g_autofree char *id = NULL;
  SandboxItem *item;

  if (folder->n_generated == 0)
    return index < folder->children->len ? folder->children->pdata[index] : NULL;
  if (index >= folder->n_generated)
    return NULL;

  id = generated_id (folder, index);
  item = g_hash_table_lookup (sb->items, id);
  if (item == NULL)
    item = g_hash_table_lookup (sb->generated, id);
  if (item == NULL)
    {
      item = sandbox_item_new_generated (sb, folder, index);
      g_hash_table_insert (sb->generated, item->id, item);
    }
  return item;
}

/* A generated item that gets links or grants is kept for good. */
void
sandbox_item_pin (Sandbox *sb, SandboxItem *item)
{
  gpointer key, value;

  if (item->generated_index < 0 || g_hash_table_contains (sb->items, item->id))
    return;
  if (g_hash_table_steal_extended (sb->generated, item->id, &key, &value))
    {
      g_hash_table_insert (sb->items, item->id, item);
      g_ptr_array_add (sb->pinned, item);
    }
}

static void
walk (SandboxItem *item, GFunc func, gpointer user_data)
{
  func (item, user_data);
  for (guint i = 0; item->children != NULL && i < item->children->len; i++)
    walk (item->children->pdata[i], func, user_data);
}

/* Every materialized item, in a stable order: drive by drive, depth first. */
void
sandbox_foreach_item (Sandbox *sb, GFunc func, gpointer user_data)
{
  for (guint i = 0; i < sb->drives->len; i++)
    walk (((SandboxDrive *) sb->drives->pdata[i])->root, func, user_data);
  for (guint i = 0; i < sb->pinned->len; i++)
    func (sb->pinned->pdata[i], user_data);
}

static int
compare_items (gconstpointer a, gconstpointer b)
{
  const SandboxItem *x = *(SandboxItem *const *) a;
  const SandboxItem *y = *(SandboxItem *const *) b;

  return g_ascii_strcasecmp (x->name, y->name);
}

static void
sort_children (gpointer data, gpointer user_data)
{
  SandboxItem *item = data;

  if (item->children != NULL)
    g_ptr_array_sort (item->children, compare_items);
}

SandboxItem *
sandbox_find_item (Sandbox *sb, const char *id)
{
  SandboxItem *item;
  guint64 index;
  char *end = NULL;

  if (id == NULL)
    return NULL;
  item = g_hash_table_lookup (sb->items, id);
  if (item != NULL)
    return item;
  item = g_hash_table_lookup (sb->generated, id);
  if (item != NULL)
    return item;
  if (strlen (id) != 34 || strncmp (id, sb->big_folder->id, 26) != 0)
    return NULL;
  index = g_ascii_strtoull (id + 26, &end, 16);
  if (end == NULL || *end != '\0' || index >= BIG_FOLDER_SIZE)
    return NULL;
  return sandbox_child_at (sb, sb->big_folder, (guint) index);
}

static SandboxItem *
find_child_named (Sandbox *sb, SandboxItem *folder, const char *name)
{
  if (folder->kind != SANDBOX_KIND_FOLDER)
    return NULL;
  if (folder->n_generated > 0)
    {
      guint64 index;
      char *end = NULL;

      if (!g_str_has_prefix (name, "Item "))
        return NULL;
      index = g_ascii_strtoull (name + 5, &end, 10);
      if (end == name + 5 || index >= folder->n_generated)
        return NULL;
      {
        SandboxItem *child = sandbox_child_at (sb, folder, (guint) index);

        return g_strcmp0 (child->name, name) == 0 ? child : NULL;
      }
    }
  for (guint i = 0; i < folder->children->len; i++)
    {
      SandboxItem *child = folder->children->pdata[i];

      if (g_ascii_strcasecmp (child->name, name) == 0)
        return child;
    }
  return NULL;
}

SandboxItem *
sandbox_find_path (Sandbox *sb, SandboxItem *root, const char *path)
{
  g_auto (GStrv) parts = g_strsplit (path, "/", -1);
  SandboxItem *item = root;

  for (guint i = 0; parts[i] != NULL && item != NULL; i++)
    {
      if (*parts[i] == '\0')
        continue;
      item = find_child_named (sb, item, parts[i]);
    }
  return item;
}

SandboxUser *
sandbox_find_user (Sandbox *sb, const char *email_or_oid)
{
  if (email_or_oid == NULL)
    return NULL;
  for (guint i = 0; i < sb->users->len; i++)
    {
      SandboxUser *u = sb->users->pdata[i];

      if (g_ascii_strcasecmp (u->email, email_or_oid) == 0
          || g_ascii_strcasecmp (u->upn, email_or_oid) == 0
          || g_strcmp0 (u->oid, email_or_oid) == 0)
        return u;
    }
  return NULL;
}

SandboxTenant *
sandbox_find_tenant (Sandbox *sb, const char *id_or_domain)
{
  for (guint i = 0; i < sb->tenants->len; i++)
    {
      SandboxTenant *t = sb->tenants->pdata[i];

      if (g_strcmp0 (t->id, id_or_domain) == 0 || g_ascii_strcasecmp (t->domain, id_or_domain) == 0)
        return t;
    }
  return NULL;
}

SandboxDrive *
sandbox_find_drive (Sandbox *sb, const char *id)
{
  for (guint i = 0; i < sb->drives->len; i++)
    {
      SandboxDrive *d = sb->drives->pdata[i];

      if (g_strcmp0 (d->id, id) == 0)
        return d;
    }
  return NULL;
}

SandboxSite *
sandbox_find_site (Sandbox *sb, const char *id)
{
  for (guint i = 0; i < sb->sites->len; i++)
    {
      SandboxSite *s = sb->sites->pdata[i];

      if (g_strcmp0 (s->id, id) == 0 || g_strcmp0 (s->name, id) == 0)
        return s;
    }
  return NULL;
}

static GPtrArray *
users_array (SandboxUser *a, SandboxUser *b)
{
  GPtrArray *arr = g_ptr_array_new ();

  if (a != NULL)
    g_ptr_array_add (arr, a);
  if (b != NULL)
    g_ptr_array_add (arr, b);
  return arr;
}

static void
seed_shares (Sandbox *sb,
             SandboxUser *alice,
             SandboxUser *bob,
             SandboxUser *carol,
             SandboxUser *mallory,
             SandboxItem *bob_plan,
             SandboxItem *bob_sales,
             SandboxItem *bob_design,
             SandboxItem *carol_folder,
             SandboxItem *mallory_proposal,
             SandboxItem *mallory_internal)
{
  g_autoptr (GPtrArray) to_alice = users_array (alice, NULL);
  gboolean created;

  /* Bob invited Alice to read "Team plan.docx". */
  sandbox_grant_add (sb, bob_plan, alice, FALSE, bob);
  /* Bob made a people-specific edit link to "Sales figures.xlsx" for Alice. */
  sandbox_link_find_or_create (sb, bob_sales, bob, "edit", "users", to_alice, &created);
  /* Bob made an organization view link to "Design review.pptx". */
  sandbox_link_find_or_create (sb, bob_design, bob, "view", "organization", NULL, &created);
  /* Carol gave Alice and Bob write access to her folder. */
  sandbox_grant_add (sb, carol_folder, alice, TRUE, carol);
  sandbox_grant_add (sb, carol_folder, bob, TRUE, carol);
  /* Fabrikam allows anonymous links; Mallory made one, and an organization one. */
  sandbox_link_find_or_create (sb, mallory_proposal, mallory, "view", "anonymous", NULL, &created);
  sandbox_link_find_or_create (sb, mallory_internal, mallory, "view", "organization", NULL,
                               &created);
}

void
sandbox_seed (Sandbox *sb)
{
  SandboxTenant *contoso, *fabrikam;
  SandboxUser *alice, *bob, *carol, *mallory, *dana;
  SandboxSite *team, *projects;
  SandboxItem *docs, *photos, *folder, *bob_plan, *bob_sales, *bob_design, *carol_folder;
  SandboxItem *mallory_proposal, *mallory_internal, *quarterly, *budget, *handbook;

  sb->tenants = g_ptr_array_new ();
  sb->users = g_ptr_array_new ();
  sb->drives = g_ptr_array_new ();
  sb->sites = g_ptr_array_new ();
  sb->items = g_hash_table_new (g_str_hash, g_str_equal);
  sb->generated
      = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) sandbox_item_free);
  sb->links = g_hash_table_new (g_str_hash, g_str_equal);
  sb->pinned = g_ptr_array_new ();

  contoso = add_tenant (sb, "Contoso", "contoso.example", FALSE);
  fabrikam = add_tenant (sb, "Fabrikam", "fabrikam.example", TRUE);
  alice = add_user (sb, contoso, "alice", "Alice Martin");
  bob = add_user (sb, contoso, "bob", "Bob Dupont");
  carol = add_user (sb, contoso, "carol", "Carol Lee");
  mallory = add_user (sb, fabrikam, "mallory", "Mallory Smith");
  /* Signs in with a name that is not her mail address, as many do. */
  dana = add_user_full (sb, contoso, "dana.durand", "Dana Durand",
                        "dana@contoso.onmicrosoft.example", "dana-password");
  /* Contoso's administrator: may consent to apps for the whole organization. */
  carol->is_admin = TRUE;

  {
    g_autofree char *label = g_strconcat ("client ", "foyer", NULL);

    sb->client_id = sandbox_uuid (sb, label);
  }
  sb->redirect_uri
      = g_strdup_printf ("%s/common/oauth2/nativeclient", sb->base_url[SANDBOX_HOST_LOGIN]);
  /* Foyer's app registration: the embedded sign-in's native-client URI and
   * the system browser's loopback addresses (any port), as docs/real-tenant.md
   * tells an administrator to register them. */
  sb->redirect_uris = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (sb->redirect_uris, g_strdup (sb->redirect_uri));
  g_ptr_array_add (sb->redirect_uris, g_strdup ("http://localhost"));
  g_ptr_array_add (sb->redirect_uris, g_strdup ("http://127.0.0.1"));
  /* SharePoint Online's well-known application id. */
  sb->sharepoint_client_id = g_strdup ("00000003-0000-0ff1-ce00-000000000000");

  /* Alice's OneDrive. */
  docs = add_folder (sb, alice->drive->root, "Documents");
  quarterly = add_file (sb, docs, "Quarterly report.docx");
  budget = add_file (sb, docs, "Budget 2027.xlsx");
  add_file (sb, docs, "Roadmap.pptx");
  add_file (sb, docs, "Contract.pdf");
  add_item (sb, docs, "notes.txt", SANDBOX_KIND_TEXT, 1342);
  add_file (sb, docs, "archive.zip");
  photos = add_folder (sb, docs, "photos");
  add_image (sb, photos, "Beach.jpg", 4032, 3024);
  add_image (sb, photos, "Portrait.jpg", 3024, 4032);
  add_image (sb, photos, "Diagram.png", 1600, 900);
  add_image (sb, photos, "Logo.png", 512, 512);
  sb->big_folder = add_folder (sb, alice->drive->root, "Big folder");
  sb->big_folder->n_generated = BIG_FOLDER_SIZE;
  folder = add_folder (sb, alice->drive->root, "Projects");
  add_file (sb, folder, "Project plan.docx");
  add_file (sb, folder, "Specification.pdf");
  add_file (sb, alice->drive->root, "Getting started.pdf");

  /* Bob's OneDrive. */
  docs = add_folder (sb, bob->drive->root, "Documents");
  bob_plan = add_file (sb, docs, "Team plan.docx");
  bob_sales = add_file (sb, docs, "Sales figures.xlsx");
  bob_design = add_file (sb, docs, "Design review.pptx");
  add_image (sb, docs, "Whiteboard.jpg", 2048, 1536);
  add_file (sb, docs, "Private notes.txt");

  /* Carol's OneDrive. */
  docs = add_folder (sb, carol->drive->root, "Documents");
  add_file (sb, docs, "Research.pdf");
  carol_folder = add_folder (sb, carol->drive->root, "Shared with team");
  add_file (sb, carol_folder, "Meeting minutes.docx");
  add_image (sb, carol_folder, "Chart.png", 1200, 800);

  /* Dana's OneDrive. */
  docs = add_folder (sb, dana->drive->root, "Documents");
  add_file (sb, docs, "Onboarding checklist.docx");

  /* Mallory's OneDrive, in the foreign tenant. */
  docs = add_folder (sb, mallory->drive->root, "Documents");
  mallory_proposal = add_file (sb, docs, "Fabrikam proposal.docx");
  mallory_internal = add_file (sb, docs, "Internal pricing.xlsx");

  /* Team sites. */
  team = add_site (sb, contoso, "ContosoTeam", "Contoso Team",
                   "Where the Contoso team works together");
  team->drive->root->created_by = alice;
  handbook = add_file (sb, team->drive->root, "Team handbook.docx");
  add_file (sb, team->drive->root, "Brand guidelines.pdf");
  add_file (sb, team->drive->root, "Sprint board.xlsx");
  folder = add_folder (sb, team->drive->root, "Marketing");
  add_file (sb, folder, "Launch.pptx");
  add_image (sb, folder, "Banner.png", 1920, 480);
  for (guint i = 0; i < team->drive->root->children->len; i++)
    ((SandboxItem *) team->drive->root->children->pdata[i])->created_by = alice;
  projects
      = add_site (sb, fabrikam, "FabrikamProjects", "Fabrikam Projects", "Fabrikam's projects");
  projects->drive->root->created_by = mallory;
  add_file (sb, projects->drive->root, "Fabrikam roadmap.pptx");

  g_ptr_array_add (alice->followed_sites, team);
  g_ptr_array_add (bob->followed_sites, team);
  g_ptr_array_add (mallory->followed_sites, projects);

  seed_shares (sb, alice, bob, carol, mallory, bob_plan, bob_sales, bob_design, carol_folder,
               mallory_proposal, mallory_internal);

  g_ptr_array_add (alice->recent, quarterly);
  g_ptr_array_add (alice->recent, budget);
  g_ptr_array_add (alice->recent, bob_plan);
  g_ptr_array_add (alice->recent, handbook);
  g_ptr_array_add (bob->recent, bob_plan);
  g_ptr_array_add (bob->recent, handbook);
  g_ptr_array_add (carol->recent, carol_folder->children->pdata[0]);
  g_ptr_array_add (mallory->recent, mallory_proposal);

  sandbox_foreach_item (sb, sort_children, NULL);
}
