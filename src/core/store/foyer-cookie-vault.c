/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-store"

#include "config.h"

#include "foyer-cookie-vault.h"

#include "foyer-json.h"
#include "foyer-record-cipher.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <openssl/crypto.h>
#include <string.h>

/* The whole jar is one record, so saving replaces the set atomically. */
#define VAULT_KEY     "jar"
#define VAULT_VERSION 1

static gboolean
cookie_expired (SoupCookie *cookie, GDateTime *now)
{
  GDateTime *expires = soup_cookie_get_expires (cookie);

  /* Session cookies (no expiry) are kept: the Microsoft sign-in needs them. */
  return expires != NULL && g_date_time_compare (expires, now) <= 0;
}

/* A cookie's four texts, in soup_cookie_new ()'s order, and their names
 * in the vault. */
static const struct
{
  const char *member;
  const char *(*get) (SoupCookie *cookie);
} text_fields[] = {
  { "name", soup_cookie_get_name },
  { "value", soup_cookie_get_value },
  { "domain", soup_cookie_get_domain },
  { "path", soup_cookie_get_path },
};

static gboolean
cookie_is_utf8 (SoupCookie *cookie)
{
  for (gsize i = 0; i < G_N_ELEMENTS (text_fields); i++)
    {
      const char *text = text_fields[i].get (cookie);

      if (text == NULL || !g_utf8_validate (text, -1, NULL))
        return FALSE;
    }
  return TRUE;
}

static const char *
same_site_to_string (SoupSameSitePolicy policy)
{
  switch (policy)
    {
    case SOUP_SAME_SITE_POLICY_LAX:
      return "lax";
    case SOUP_SAME_SITE_POLICY_STRICT:
      return "strict";
    case SOUP_SAME_SITE_POLICY_NONE:
    default:
      return "none";
    }
}

static SoupSameSitePolicy
same_site_from_string (const char *text)
{
  if (g_strcmp0 (text, "lax") == 0)
    return SOUP_SAME_SITE_POLICY_LAX;
  if (g_strcmp0 (text, "strict") == 0)
    return SOUP_SAME_SITE_POLICY_STRICT;
  return SOUP_SAME_SITE_POLICY_NONE;
}

/* The unexpired cookies as the JSON document kept in the vault:
 * {"v":1,"cookies":[{"name","value","domain","path","expires"?,"secure",
 * "httpOnly","sameSite"}]}, expires in Unix seconds, absent for session
 * cookies. The bytes are wiped when released. */
GBytes *
foyer_cookie_vault_serialize (GSList *cookies, GDateTime *now)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;
  GBytes *bytes;
  gsize length = 0;
  char *text;

  g_return_val_if_fail (now != NULL, NULL);

  json_builder_begin_object (builder);
  foyer_json_builder_add_int (builder, "v", VAULT_VERSION);
  json_builder_set_member_name (builder, "cookies");
  json_builder_begin_array (builder);
  for (GSList *l = cookies; l != NULL; l = l->next)
    {
      SoupCookie *cookie = l->data;
      GDateTime *expires = soup_cookie_get_expires (cookie);

      /* JSON holds UTF-8 only; a cookie that is not would make the whole jar
       * unreadable, so it is left out (Microsoft's cookies are ASCII). */
      if (cookie_expired (cookie, now) || !cookie_is_utf8 (cookie))
        continue;

      json_builder_begin_object (builder);
      for (gsize i = 0; i < G_N_ELEMENTS (text_fields); i++)
        foyer_json_builder_add_string (builder, text_fields[i].member, text_fields[i].get (cookie));
      if (expires != NULL)
        foyer_json_builder_add_int (builder, "expires", g_date_time_to_unix (expires));
      foyer_json_builder_add_boolean (builder, "secure", soup_cookie_get_secure (cookie));
      foyer_json_builder_add_boolean (builder, "httpOnly", soup_cookie_get_http_only (cookie));
      foyer_json_builder_add_string (
          builder, "sameSite", same_site_to_string (soup_cookie_get_same_site_policy (cookie)));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &length);
  bytes = foyer_secure_bytes_new (text, length);
  OPENSSL_cleanse (text, length);
  g_free (text);

  return bytes;
}

static SoupCookie *
cookie_from_json (JsonNode *node, GDateTime *now)
{
  JsonObject *object;
  JsonNode *expires_node;
  const char *text[G_N_ELEMENTS (text_fields)];
  g_autoptr (SoupCookie) cookie = NULL;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  object = json_node_get_object (node);

  for (gsize i = 0; i < G_N_ELEMENTS (text_fields); i++)
    {
      text[i] = foyer_json_get_string (object, text_fields[i].member);
      if (text[i] == NULL)
        return NULL;
    }

  cookie = soup_cookie_new (text[0], text[1], text[2], text[3], -1);
  if (!cookie_is_utf8 (cookie))
    return NULL;
  expires_node = json_object_get_member (object, "expires");
  if (expires_node != NULL)
    {
      g_autoptr (GDateTime) expires = NULL;

      if (!JSON_NODE_HOLDS_VALUE (expires_node)
          || json_node_get_value_type (expires_node) != G_TYPE_INT64)
        return NULL;
      expires = g_date_time_new_from_unix_utc (json_node_get_int (expires_node));
      if (expires == NULL)
        return NULL;
      soup_cookie_set_expires (cookie, expires);
    }
  soup_cookie_set_secure (cookie, foyer_json_get_boolean (object, "secure", FALSE));
  soup_cookie_set_http_only (cookie, foyer_json_get_boolean (object, "httpOnly", FALSE));
  soup_cookie_set_same_site_policy (
      cookie, same_site_from_string (foyer_json_get_string (object, "sameSite")));

  if (cookie_expired (cookie, now))
    return NULL;

  return g_steal_pointer (&cookie);
}

static GSList *
corrupt (GError **error)
{
  g_set_error (error, FOYER_STORE_ERROR, FOYER_STORE_ERROR_CORRUPT,
               _ ("The saved web session could not be read"));
  return NULL;
}

/* Reads what foyer_cookie_vault_serialize() wrote. Entries that are
 * malformed or expired at now are left out; a document that is not a
 * cookie jar at all is FOYER_STORE_ERROR_CORRUPT. */
GSList *
foyer_cookie_vault_deserialize (const guint8 *data, gsize length, GDateTime *now, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  JsonNode *root, *version, *list;
  JsonObject *object;
  JsonArray *array;
  GSList *cookies = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (now != NULL, NULL);

  if (length == 0 || length > G_MAXSSIZE
      || !json_parser_load_from_data (parser, (const char *) data, (gssize) length, NULL))
    return corrupt (error);

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return corrupt (error);
  object = json_node_get_object (root);
  version = json_object_get_member (object, "v");
  list = json_object_get_member (object, "cookies");
  if (version == NULL || !JSON_NODE_HOLDS_VALUE (version)
      || json_node_get_value_type (version) != G_TYPE_INT64
      || json_node_get_int (version) != VAULT_VERSION || list == NULL
      || !JSON_NODE_HOLDS_ARRAY (list))
    return corrupt (error);

  array = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      SoupCookie *cookie = cookie_from_json (json_array_get_element (array, i), now);

      if (cookie != NULL)
        cookies = g_slist_prepend (cookies, cookie);
    }

  return g_slist_reverse (cookies);
}

/* Replaces the saved cookies with the unexpired ones of cookies (a GSList
 * of SoupCookie, as webkit_cookie_manager_get_all_cookies_finish returns). */
gboolean
foyer_cookie_vault_save (FoyerStore *store, GSList *cookies, GError **error)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GBytes) bytes = NULL;

  g_return_val_if_fail (FOYER_IS_STORE (store), FALSE);

  bytes = foyer_cookie_vault_serialize (cookies, now);

  return foyer_store_put (store, FOYER_STORE_NS_COOKIES, VAULT_KEY, bytes, error);
}

static GSList *
cookies_from_record (GBytes *bytes, GError **error)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  gsize length = 0;
  const guint8 *data = g_bytes_get_data (bytes, &length);

  return foyer_cookie_vault_deserialize (data, length, now, error);
}

/* The saved, unexpired cookies (a GSList of SoupCookie, free with
 * g_slist_free_full (list, (GDestroyNotify) soup_cookie_free)). NULL without
 * an error when none are saved. A jar that failed authentication was
 * dropped: the error is FOYER_STORE_ERROR_TAMPERED and the user signs in again. */
GSList *
foyer_cookie_vault_load (FoyerStore *store, GError **error)
{
  g_autoptr (GBytes) bytes = NULL;

  g_return_val_if_fail (FOYER_IS_STORE (store), NULL);

  bytes = foyer_store_get (store, FOYER_STORE_NS_COOKIES, VAULT_KEY, error);
  if (bytes == NULL)
    return NULL;

  return cookies_from_record (bytes, error);
}

gboolean
foyer_cookie_vault_clear (FoyerStore *store, GError **error)
{
  g_return_val_if_fail (FOYER_IS_STORE (store), FALSE);

  return foyer_store_delete_namespace (store, FOYER_STORE_NS_COOKIES, error);
}

static void
save_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (foyer_store_put_finish (FOYER_STORE (object), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
foyer_cookie_vault_save_async (FoyerStore *store,
                               GSList *cookies,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autoptr (GBytes) bytes = NULL;
  GTask *task;

  g_return_if_fail (FOYER_IS_STORE (store));

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_cookie_vault_save_async);
  bytes = foyer_cookie_vault_serialize (cookies, now);
  foyer_store_put_async (store, FOYER_STORE_NS_COOKIES, VAULT_KEY, bytes, cancellable, save_cb,
                         task);
}

gboolean
foyer_cookie_vault_save_finish (FoyerStore *store, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
free_cookie_list (gpointer list)
{
  g_slist_free_full (list, (GDestroyNotify) soup_cookie_free);
}

static void
load_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GBytes) bytes = NULL;
  GError *error = NULL;
  GSList *cookies = NULL;

  bytes = foyer_store_get_finish (FOYER_STORE (object), result, &error);
  if (bytes != NULL)
    cookies = cookies_from_record (bytes, &error);

  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, cookies, free_cookie_list);
}

void
foyer_cookie_vault_load_async (FoyerStore *store,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data)
{
  GTask *task;

  g_return_if_fail (FOYER_IS_STORE (store));

  task = g_task_new (store, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_cookie_vault_load_async);
  foyer_store_get_async (store, FOYER_STORE_NS_COOKIES, VAULT_KEY, cancellable, load_cb, task);
}

GSList *
foyer_cookie_vault_load_finish (FoyerStore *store, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, store), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
