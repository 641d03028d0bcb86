/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The sandbox's sign-in pages, driven over HTTP as a browser would. */
#include "config.h"

#include <string.h>

#include "auth-browser.h"

/* A blocking browser that follows no redirect by itself and keeps cookies. */
static char *
browse (SoupSession *browser,
        const char *method,
        const char *url,
        const char *form,
        guint *status,
        char **location)
{
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) error = NULL;
  const char *loc;

  g_assert_nonnull (msg);
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  if (form != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (form, strlen (form));

      soup_message_set_request_body_from_bytes (msg, "application/x-www-form-urlencoded", bytes);
    }
  body = soup_session_send_and_read (browser, msg, NULL, &error);
  g_assert_no_error (error);
  *status = soup_message_get_status (msg);
  loc = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Location");
  if (location != NULL)
    {
      g_autoptr (GUri) base = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
      g_autoptr (GUri) abs
          = loc ? g_uri_parse_relative (base, loc, G_URI_FLAGS_ENCODED, NULL) : NULL;

      *location = abs ? g_uri_to_string (abs) : NULL;
    }
  return g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

static char *
between (const char *text, const char *before, const char *after)
{
  const char *start = strstr (text, before);
  const char *end;

  if (start == NULL)
    return NULL;
  start += strlen (before);
  end = strstr (start, after);
  return end ? g_strndup (start, end - start) : NULL;
}

static char *
form_post (SoupSession *browser,
           const char *page_url,
           const char *page,
           const char *extra,
           guint *status,
           char **location)
{
  g_autofree char *ctx = between (page, "name=\"ctx\" value=\"", "\"");
  g_autofree char *action = between (page, "action=\"", "\"");
  g_autofree char *ctx_escaped = NULL;
  g_autofree char *form = NULL;
  g_autoptr (GUri) base = g_uri_parse (page_url, G_URI_FLAGS_ENCODED, NULL);
  g_autoptr (GUri) target = NULL;
  g_autofree char *target_url = NULL;

  g_assert_nonnull (ctx);
  g_assert_nonnull (action);
  ctx_escaped = g_uri_escape_string (ctx, NULL, FALSE);
  form = g_strdup_printf ("ctx=%s&%s", ctx_escaped, extra);
  target = g_uri_parse_relative (base, action, G_URI_FLAGS_ENCODED, NULL);
  target_url = g_uri_to_string (target);
  return browse (browser, "POST", target_url, form, status, location);
}

char *
auth_browser_sign_in (GTlsDatabase *trust,
                      const char *url,
                      const char *email,
                      const char *password,
                      guint *out_status,
                      char **out_page)
{
  g_autoptr (SoupSession) browser = soup_session_new ();
  g_autofree char *page = NULL;
  g_autofree char *location = NULL;
  g_autofree char *login = g_uri_escape_string (email, NULL, FALSE);
  g_autofree char *escaped = g_uri_escape_string (password, NULL, FALSE);
  g_autofree char *extra = g_strdup_printf ("login=%s&passwd=%s", login, escaped);
  guint status = 0;

  soup_session_set_tls_database (browser, trust);
  soup_session_add_feature_by_type (browser, SOUP_TYPE_COOKIE_JAR);
  page = browse (browser, "GET", url, NULL, &status, &location);
  if (status == 200 && strstr (page, "name=\"passwd\"") != NULL)
    {
      char *next = form_post (browser, url, page, extra, &status, &location);

      g_free (page);
      page = next;
    }
  if (status == 200 && strstr (page, "name=\"accept\"") != NULL)
    {
      char *next;

      g_clear_pointer (&location, g_free);
      next = form_post (browser, url, page, "accept=yes", &status, &location);
      g_free (page);
      page = next;
    }
  if (out_status != NULL)
    *out_status = status;
  if (out_page != NULL)
    *out_page = g_steal_pointer (&page);
  return status == 302 ? g_steal_pointer (&location) : NULL;
}
