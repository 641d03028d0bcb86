/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-core"

#include "config.h"

#include "foyer-core.h"

#include <errno.h>
#include <gio/gio.h>
#include <string.h>
#include <sys/random.h>

const char *
foyer_core_version (void)
{
  return PACKAGE_VERSION;
}

/* Microsoft asks ISVs to decorate their traffic as ISV|Company|App/Version. */
const char *
foyer_core_user_agent (void)
{
  return "ISV|Foyer|Foyer/" PACKAGE_VERSION;
}

gboolean
foyer_random_bytes (guint8 *buffer, gsize length, GError **error)
{
  gsize done = 0;

  g_return_val_if_fail (buffer != NULL || length == 0, FALSE);

  while (done < length)
    {
      ssize_t n = getrandom (buffer + done, length - done, 0);

      if (n < 0)
        {
          int saved = errno;

          if (saved == EINTR)
            continue;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       "Could not read random bytes: %s", g_strerror (saved));
          return FALSE;
        }
      done += (gsize) n;
    }

  return TRUE;
}

/* A URL-safe random string carrying n_bytes of entropy. Aborts if the
 * kernel cannot give random bytes: nothing secure can go on without them. */
char *
foyer_random_token (gsize n_bytes)
{
  g_autofree guint8 *bytes = g_malloc (MAX (n_bytes, 1));
  g_autoptr (GError) error = NULL;

  if (!foyer_random_bytes (bytes, n_bytes, &error))
    g_error ("%s", error->message);

  return foyer_base64url_encode (bytes, n_bytes);
}

char *
foyer_base64url_encode (const guint8 *data, gsize length)
{
  char *text = g_base64_encode (data, length);
  char *out = text;

  for (char *p = text; *p != '\0'; p++)
    {
      if (*p == '=')
        break;
      *out++ = *p == '+' ? '-' : *p == '/' ? '_' : *p;
    }
  *out = '\0';

  return text;
}

guint8 *
foyer_base64url_decode (const char *text, gsize *out_length)
{
  gsize len;
  g_autoptr (GString) std = NULL;
  g_autofree guint8 *decoded = NULL;
  gsize decoded_len = 0;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (out_length != NULL, NULL);

  len = strlen (text);
  if (len % 4 == 1)
    return NULL;

  std = g_string_sized_new (len + 3);
  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];

      if (c == '-')
        c = '+';
      else if (c == '_')
        c = '/';
      else if (!g_ascii_isalnum (c))
        return NULL;
      g_string_append_c (std, c);
    }
  while (std->len % 4 != 0)
    g_string_append_c (std, '=');

  decoded = g_base64_decode (std->str, &decoded_len);
  if (decoded == NULL && std->len > 0)
    return NULL;

  *out_length = decoded_len;
  return decoded != NULL ? g_steal_pointer (&decoded) : g_new0 (guint8, 1);
}

gboolean
foyer_host_is_loopback (const char *host)
{
  g_autoptr (GInetAddress) address = NULL;
  g_autofree char *bare = NULL;

  if (host == NULL || *host == '\0')
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;

  /* Accept "[::1]" as written in URLs. */
  if (host[0] == '[')
    {
      gsize len = strlen (host);

      if (len < 3 || host[len - 1] != ']')
        return FALSE;
      bare = g_strndup (host + 1, len - 2);
    }
  else
    bare = g_strdup (host);

  address = g_inet_address_new_from_string (bare);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/* Browsers (the WHATWG URL standard) read '\\' as '/' and drop tabs and
 * newlines, where GLib keeps them in the host: "https://evil.example\\.
 * sharepoint.com/" is evil.example to WebKit and *.sharepoint.com to a
 * suffix check on GUri's host. Such characters are refused outright. */
static gboolean
url_chars_ok (const char *url)
{
  const char *authority = strstr (url, "://");
  const char *authority_end
      = authority != NULL ? authority + 3 + strcspn (authority + 3, "/?#") : url;

  for (const char *p = url; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c <= 0x20 || c >= 0x7f || c == '\\')
        return FALSE;
      if (c == '%' && !(g_ascii_isxdigit (p[1]) && g_ascii_isxdigit (p[2])))
        return FALSE;
      /* A browser leaves some of these unescaped in a path or a query;
       * none has any business in a host (nor an escape, which GLib and
       * browsers decode in a host each their own way). */
      if (p < authority_end && strchr ("\"<>^`{|}%", c) != NULL)
        return FALSE;
    }
  return TRUE;
}

static gboolean
dns_name_ok (const char *host)
{
  g_auto (GStrv) labels = g_strsplit (host, ".", -1);
  guint n = g_strv_length (labels);

  if (strlen (host) > 253 || n < 1)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      gsize len = strlen (labels[i]);

      if (len == 0 || len > 63 || labels[i][0] == '-' || labels[i][len - 1] == '-')
        return FALSE;
      for (gsize j = 0; j < len; j++)
        if (!g_ascii_isalnum (labels[i][j]) && labels[i][j] != '-')
          return FALSE;
    }
  return TRUE;
}

static gboolean
host_ok (const char *host)
{
  g_autoptr (GInetAddress) address = NULL;

  if (host == NULL || *host == '\0')
    return FALSE;
  /* GUri gives an IPv6 literal without its brackets. */
  if (strchr (host, ':') != NULL)
    return (address = g_inet_address_new_from_string (host)) != NULL;
  if (strspn (host, "0123456789.") == strlen (host))
    return (address = g_inet_address_new_from_string (host)) != NULL;
  return dns_name_ok (host);
}

GUri *
foyer_web_url_parse (const char *url)
{
  g_autoptr (GUri) uri = NULL;
  const char *scheme;
  int port;

  if (url == NULL || *url == '\0' || strlen (url) > 8192 || !url_chars_ok (url))
    return NULL;
  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  if (uri == NULL)
    return NULL;
  scheme = g_uri_get_scheme (uri);
  port = g_uri_get_port (uri);
  if ((g_ascii_strcasecmp (scheme, "https") != 0 && g_ascii_strcasecmp (scheme, "http") != 0)
      || g_uri_get_userinfo (uri) != NULL || !host_ok (g_uri_get_host (uri))
      || (port != -1 && (port < 1 || port > 65535)))
    return NULL;
  return g_steal_pointer (&uri);
}

gboolean
foyer_json_depth_within (const char *data, gsize length, guint max_depth)
{
  guint depth = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; data != NULL && i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if ((c == '[' || c == '{') && ++depth > max_depth)
        return FALSE;
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return TRUE;
}
