/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The SharePoint host: document pages at sharing URLs and item URLs. A page
 * needs the host's own FedAuth session cookie; without it the browser goes
 * through the login host, which answers at once when its ESTSAUTH session
 * exists (SSO) and comes back here to set FedAuth. Also serves the
 * pre-authenticated thumbnail, download and preview URLs that Graph hands out.
 */
#define G_LOG_DOMAIN "foyer-sandbox"

#include "config.h"

#include "sandbox.h"

#include "foyer-core.h"

#include <string.h>

static void
ticket_free (SandboxTicket *t)
{
  g_free (t->item_id);
  g_free (t->what);
  g_free (t);
}

void
sandbox_sharepoint_init (Sandbox *sb)
{
  sb->tickets
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) ticket_free);
  sb->thumb_cache
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
}

char *
sandbox_ticket_url (
    Sandbox *sb, SandboxItem *item, SandboxUser *user, const char *what, int lifetime)
{
  SandboxTicket *t = g_new0 (SandboxTicket, 1);
  char *token = foyer_random_token (24);
  const char *base = sb->base_url[SANDBOX_HOST_SHAREPOINT];

  if (g_hash_table_size (sb->tickets) > 20000)
    {
      GHashTableIter iter;
      gpointer key, value;
      gint64 now = sandbox_now (sb);

      g_hash_table_iter_init (&iter, sb->tickets);
      while (g_hash_table_iter_next (&iter, &key, &value))
        if (((SandboxTicket *) value)->expires < now)
          g_hash_table_iter_remove (&iter);
    }
  t->item_id = g_strdup (item->id);
  t->user = user;
  t->what = g_strdup (what);
  t->expires = sandbox_now (sb) + lifetime;
  g_hash_table_insert (sb->tickets, token, t);
  if (g_str_equal (what, "preview"))
    return g_strdup_printf ("%s/_layouts/15/embed.aspx?preview=%s", base, token);
  if (g_str_equal (what, "content"))
    return g_strdup_printf ("%s/_download/%s", base, token);
  return g_strdup_printf ("%s/_thumb/%s/%s", base, token, what);
}

/* Download URLs come with every file in a listing, so they are stateless:
 * "<item id>.<user oid>.<expiry>" and a MAC of it under a key made at start. */
#define DOWNLOAD_LIFETIME 3600

static char *
download_mac (Sandbox *sb, const char *payload)
{
  if (sb->ticket_key == NULL)
    sb->ticket_key = foyer_random_token (32);
  return g_compute_hmac_for_string (G_CHECKSUM_SHA256, (const guchar *) sb->ticket_key,
                                    strlen (sb->ticket_key), payload, -1);
}

char *
sandbox_download_url (Sandbox *sb, SandboxItem *item, SandboxUser *user)
{
  g_autofree char *payload = g_strdup_printf ("%s.%s.%" G_GINT64_FORMAT, item->id, user->oid,
                                              sandbox_now (sb) + DOWNLOAD_LIFETIME);
  g_autofree char *mac = download_mac (sb, payload);

  return g_strdup_printf ("%s/_download/%s.%s", sb->base_url[SANDBOX_HOST_SHAREPOINT], payload,
                          mac);
}

/* The item and user of a valid, unexpired download token, or FALSE. */
static gboolean
download_lookup (Sandbox *sb, const char *token, SandboxItem **item, SandboxUser **user)
{
  g_auto (GStrv) parts = g_strsplit (token, ".", -1);
  g_autofree char *payload = NULL;
  g_autofree char *mac = NULL;
  gint64 expires;

  if (g_strv_length (parts) != 4)
    return FALSE;
  payload = g_strdup_printf ("%s.%s.%s", parts[0], parts[1], parts[2]);
  mac = download_mac (sb, payload);
  if (!g_str_equal (mac, parts[3]))
    return FALSE;
  expires = g_ascii_strtoll (parts[2], NULL, 10);
  *item = sandbox_find_item (sb, parts[0]);
  *user = sandbox_find_user (sb, parts[1]);
  return expires >= sandbox_now (sb) && *item != NULL && *user != NULL;
}

static SandboxTicket *
ticket_lookup (Sandbox *sb, const char *token, const char *what, SandboxItem **item)
{
  SandboxTicket *t = token != NULL ? g_hash_table_lookup (sb->tickets, token) : NULL;

  if (t == NULL || t->expires < sandbox_now (sb))
    return NULL;
  if (what != NULL && !g_str_equal (t->what, what))
    return NULL;
  *item = sandbox_find_item (sb, t->item_id);
  return *item != NULL ? t : NULL;
}

static void
denied_page (SandboxRequest *req, guint status, const char *title, const char *text)
{
  g_autofree char *esc = g_markup_escape_text (text, -1);
  g_autofree char *esc_title = g_markup_escape_text (title, -1);
  g_autofree char *viewer
      = req->user != NULL ? g_markup_escape_text (req->user->email, -1) : g_strdup ("");
  g_autofree char *body = g_strdup_printf (
      "<main id=\"denied\" data-viewer=\"%s\"><h1>%s</h1><p>%s</p></main>", viewer, esc_title, esc);

  sandbox_respond_html (req, status, title, body);
}

static void
document_page (
    SandboxRequest *req, SandboxItem *item, SandboxUser *viewer, const char *mode, gboolean preview)
{
  g_autofree char *name = g_markup_escape_text (item->name, -1);
  g_autofree char *email = g_markup_escape_text (viewer->email, -1);
  g_autofree char *display = g_markup_escape_text (viewer->name, -1);
  g_autofree char *body = g_strdup_printf (
      "<main id=\"document\" data-item-id=\"%s\" data-drive-id=\"%s\" data-viewer=\"%s\" "
      "data-mode=\"%s\" "
      "data-preview=\"%s\">"
      "<header><h1 id=\"title\">%s</h1>"
      "<p id=\"viewer\">Signed in as <b>%s</b> (%s) &middot; <span "
      "id=\"mode\">%s</span></p></header>"
      "<section class=\"page\"><p>%s of a %s document, served by "
      "foyer-ms-sandbox.</p></section></main>",
      item->id, item->drive->id, email, mode, preview ? "true" : "false", name, display, email,
      g_str_equal (mode, "edit") ? "Editing" : "Viewing", preview ? "A preview" : "The contents",
      sandbox_kind_mime (item->kind) != NULL ? sandbox_kind_mime (item->kind) : "folder");

  sandbox_respond_html (req, 200, item->name, body);
}

static SandboxSession *
sharepoint_session (SandboxRequest *req)
{
  g_autofree char *value = sandbox_request_cookie (req, "FedAuth");
  SandboxSession *session
      = value != NULL ? g_hash_table_lookup (req->sb->sp_sessions, value) : NULL;

  return sandbox_session_valid (req->sb, session) ? session : NULL;
}

static void
redirect_to_sign_in (SandboxRequest *req)
{
  Sandbox *sb = req->sb;
  GUri *uri = soup_server_message_get_uri (req->msg);
  g_autofree char *back = g_uri_to_string_partial (uri, G_URI_HIDE_USERINFO | G_URI_HIDE_FRAGMENT);
  g_autofree char *path_query = NULL;
  g_autofree char *state = NULL;
  g_autofree char *redirect
      = g_strdup_printf ("%s/_forms/default.aspx", sb->base_url[SANDBOX_HOST_SHAREPOINT]);
  g_autofree char *esc_redirect = g_uri_escape_string (redirect, NULL, FALSE);
  g_autofree char *url = NULL;

  path_query = g_uri_get_query (uri) != NULL
                   ? g_strdup_printf ("%s?%s", g_uri_get_path (uri), g_uri_get_query (uri))
                   : g_strdup (g_uri_get_path (uri));
  state = foyer_base64url_encode ((const guint8 *) path_query, strlen (path_query));
  url = g_strdup_printf ("%s/organizations/oauth2/v2.0/authorize?client_id=%s&response_type=code"
                         "&redirect_uri=%s&scope=openid%%20profile&response_mode=query&state=%s",
                         sb->base_url[SANDBOX_HOST_LOGIN], sb->sharepoint_client_id, esc_redirect,
                         state);
  sandbox_respond_redirect (req, url);
}

static void
handle_forms (SandboxRequest *req)
{
  const char *code = req->query != NULL ? g_hash_table_lookup (req->query, "code") : NULL;
  const char *state = req->query != NULL ? g_hash_table_lookup (req->query, "state") : NULL;
  SandboxUser *user = sandbox_redeem_sharepoint_code (req->sb, code);
  gsize len = 0;
  g_autofree guint8 *raw = state != NULL ? foyer_base64url_decode (state, &len) : NULL;
  g_autofree char *back = raw != NULL ? g_strndup ((const char *) raw, len) : NULL;
  SandboxSession *session;
  char *value;
  g_autofree char *cookie = NULL;
  g_autofree char *url = NULL;

  if (user == NULL)
    {
      denied_page (req, 403, "Sign-in failed",
                   "The sign-in response is missing, expired or was already used.");
      return;
    }
  /* Only paths on this host: no open redirect. */
  if (back == NULL || back[0] != '/' || back[1] == '/')
    back = (g_free (back), g_strdup ("/"));
  sandbox_set_user (req, user);
  session = g_new0 (SandboxSession, 1);
  session->user = user;
  session->serial = ++req->sb->serial;
  value = foyer_random_token (32);
  g_hash_table_insert (req->sb->sp_sessions, value, session);
  cookie = g_strdup_printf ("FedAuth=%s; Path=/; HttpOnly", value);
  soup_message_headers_append (soup_server_message_get_response_headers (req->msg), "Set-Cookie",
                               cookie);
  url = g_strconcat (req->sb->base_url[SANDBOX_HOST_SHAREPOINT], back, NULL);
  sandbox_respond_redirect (req, url);
}

static void
handle_document (SandboxRequest *req)
{
  Sandbox *sb = req->sb;
  g_autofree char *url = g_strconcat (sb->base_url[SANDBOX_HOST_SHAREPOINT], req->path, NULL);
  SandboxLink *link = sandbox_link_for_url (sb, url);
  SandboxItem *item = link != NULL ? link->item : sandbox_item_for_web_url (sb, url);
  SandboxSession *session;
  SandboxAccess access;
  const char *mode;

  if (item == NULL)
    {
      denied_page (req, 404, "Not found", "Sorry, the page you are looking for does not exist.");
      return;
    }
  session = sharepoint_session (req);
  if (session == NULL)
    {
      redirect_to_sign_in (req);
      return;
    }
  sandbox_set_user (req, session->user);
  access = sandbox_item_access (sb, item, session->user);
  if (link != NULL && sandbox_link_allows (link, session->user))
    {
      g_hash_table_add (session->user->redeemed, link);
      mode = g_str_equal (link->type, "edit") ? "edit" : "view";
    }
  else if (access != SANDBOX_ACCESS_NONE)
    mode = access >= SANDBOX_ACCESS_WRITE ? "edit" : "view";
  else
    {
      g_autofree char *text
          = g_strdup_printf ("You need permission to access this item. You are signed in as %s.",
                             session->user->email);
      denied_page (req, 403, "Access Denied", text);
      return;
    }
  sandbox_touch_recent (session->user, item);
  document_page (req, item, session->user, mode, FALSE);
}

static void
handle_preview (SandboxRequest *req)
{
  const char *token = req->query != NULL ? g_hash_table_lookup (req->query, "preview") : NULL;
  SandboxItem *item = NULL;
  SandboxTicket *t = ticket_lookup (req->sb, token, "preview", &item);

  if (t == NULL)
    {
      denied_page (req, 403, "This link has expired",
                   "The preview link is not valid or has expired.");
      return;
    }
  sandbox_set_user (req, t->user);
  document_page (req, item, t->user, "view", TRUE);
}

static void
handle_thumb (SandboxRequest *req, const char *token)
{
  SandboxItem *item = NULL;
  SandboxTicket *t = ticket_lookup (req->sb, token, NULL, &item);
  g_autoptr (GBytes) bytes = NULL;
  const char *type = NULL;

  if (t == NULL || g_str_equal (t->what, "preview") || g_str_equal (t->what, "content"))
    {
      soup_server_message_set_status (req->msg, 404, NULL);
      return;
    }
  sandbox_set_user (req, t->user);
  bytes = sandbox_thumb_render (req->sb, item, t->what, &type);
  soup_server_message_set_status (req->msg, 200, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                "Cache-Control", "private, max-age=3600");
  soup_server_message_set_response (req->msg, type, SOUP_MEMORY_COPY,
                                    g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

static void
handle_download (SandboxRequest *req, const char *token)
{
  SandboxItem *item = NULL;
  SandboxUser *user = NULL;
  SandboxTicket *t = ticket_lookup (req->sb, token, "content", &item);
  g_autoptr (GBytes) bytes = NULL;
  const char *type;

  if (t != NULL)
    user = t->user;
  else if (!download_lookup (req->sb, token, &item, &user))
    {
      soup_server_message_set_status (req->msg, 404, NULL);
      return;
    }
  type = sandbox_kind_mime (item->kind);
  sandbox_set_user (req, user);
  if (sandbox_upload_content (req->sb, item) != NULL)
    bytes = g_bytes_ref (sandbox_upload_content (req->sb, item));
  else if (item->kind == SANDBOX_KIND_JPEG || item->kind == SANDBOX_KIND_PNG)
    bytes = sandbox_thumb_render (req->sb, item, "large", &type);
  else
    {
      char *text = g_strdup_printf ("%s\nA sandbox stand-in for the contents of this %s file.\n",
                                    item->name, type);

      bytes = g_bytes_new_take (text, strlen (text));
    }
  soup_server_message_set_status (req->msg, 200, NULL);
  soup_server_message_set_response (req->msg, type, SOUP_MEMORY_COPY,
                                    g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
}

void
sandbox_sharepoint_handle (SandboxRequest *req)
{
  const char *path = req->path;

  if (sandbox_upload_session_handle (req))
    return;
  if (g_str_equal (path, "/_forms/default.aspx"))
    handle_forms (req);
  else if (g_str_equal (path, "/_layouts/15/embed.aspx"))
    handle_preview (req);
  else if (g_str_has_prefix (path, "/_thumb/"))
    {
      g_auto (GStrv) parts = g_strsplit (path + strlen ("/_thumb/"), "/", 2);

      handle_thumb (req, parts[0]);
    }
  else if (g_str_has_prefix (path, "/_download/"))
    handle_download (req, path + strlen ("/_download/"));
  else
    handle_document (req);
}
