/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-graph"

#include "config.h"

#include "foyer-graph-error.h"

#include "foyer-graph-error-private.h"

#include "foyer-core.h"
#include "foyer-json.h"

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>
#include <string.h>

typedef struct
{
  guint status;
  char *code;
  char *request_id;
  guint retry_after;
} FoyerGraphErrorPrivate;

static void
foyer_graph_error_private_init (FoyerGraphErrorPrivate *priv)
{
  priv->status = 0;
  priv->code = NULL;
  priv->request_id = NULL;
  priv->retry_after = 0;
}

static void
foyer_graph_error_private_copy (const FoyerGraphErrorPrivate *src, FoyerGraphErrorPrivate *dest)
{
  dest->status = src->status;
  dest->retry_after = src->retry_after;
  dest->code = g_strdup (src->code);
  dest->request_id = g_strdup (src->request_id);
}

static void
foyer_graph_error_private_clear (FoyerGraphErrorPrivate *priv)
{
  g_clear_pointer (&priv->code, g_free);
  g_clear_pointer (&priv->request_id, g_free);
}

G_DEFINE_EXTENDED_ERROR (FoyerGraphError, foyer_graph_error)

static const struct
{
  const char *graph_code;
  FoyerGraphError code;
} known_codes[] = {
  { "accessDenied", FOYER_GRAPH_ERROR_ACCESS_DENIED },
  { "accessRestricted", FOYER_GRAPH_ERROR_ACCESS_DENIED },
  { "notAllowed", FOYER_GRAPH_ERROR_ACCESS_DENIED },
  { "malwareDetected", FOYER_GRAPH_ERROR_ACCESS_DENIED },
  { "itemNotFound", FOYER_GRAPH_ERROR_NOT_FOUND },
  { "activityLimitReached", FOYER_GRAPH_ERROR_THROTTLED },
  { "throttledRequest", FOYER_GRAPH_ERROR_THROTTLED },
  { "unauthenticated", FOYER_GRAPH_ERROR_UNAUTHENTICATED },
  { "InvalidAuthenticationToken", FOYER_GRAPH_ERROR_UNAUTHENTICATED },
  { "invalidRequest", FOYER_GRAPH_ERROR_INVALID_REQUEST },
  { "invalidRange", FOYER_GRAPH_ERROR_INVALID_REQUEST },
  { "BadRequest", FOYER_GRAPH_ERROR_INVALID_REQUEST },
  { "nameAlreadyExists", FOYER_GRAPH_ERROR_NAME_ALREADY_EXISTS },
  { "notSupported", FOYER_GRAPH_ERROR_NOT_SUPPORTED },
  { "quotaLimitReached", FOYER_GRAPH_ERROR_QUOTA },
  { "serviceNotAvailable", FOYER_GRAPH_ERROR_SERVICE_UNAVAILABLE },
  { "generalException", FOYER_GRAPH_ERROR_FAILED },
  { "resourceModified", FOYER_GRAPH_ERROR_FAILED },
};

static gboolean
lookup_graph_code (const char *graph_code, FoyerGraphError *out)
{
  if (graph_code == NULL)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (known_codes); i++)
    if (g_ascii_strcasecmp (known_codes[i].graph_code, graph_code) == 0)
      {
        *out = known_codes[i].code;
        return TRUE;
      }
  return FALSE;
}

static FoyerGraphError
code_from_status (guint http_status)
{
  switch (http_status)
    {
    case 400:
      return FOYER_GRAPH_ERROR_INVALID_REQUEST;
    case 401:
      return FOYER_GRAPH_ERROR_UNAUTHENTICATED;
    case 403:
      return FOYER_GRAPH_ERROR_ACCESS_DENIED;
    case 404:
    case 410:
      return FOYER_GRAPH_ERROR_NOT_FOUND;
    case 409:
      return FOYER_GRAPH_ERROR_NAME_ALREADY_EXISTS;
    case 429:
      return FOYER_GRAPH_ERROR_THROTTLED;
    case 501:
      return FOYER_GRAPH_ERROR_NOT_SUPPORTED;
    case 502:
    case 503:
    case 504:
      return FOYER_GRAPH_ERROR_SERVICE_UNAVAILABLE;
    case 507:
      return FOYER_GRAPH_ERROR_QUOTA;
    default:
      return FOYER_GRAPH_ERROR_FAILED;
    }
}

/* The code to act on: a known Graph code wins over the HTTP status, and a
 * 429 is throttling whatever the body says. */
FoyerGraphError
foyer_graph_error_code_from_graph (const char *graph_code, guint http_status)
{
  FoyerGraphError code;

  if (http_status == 429)
    return FOYER_GRAPH_ERROR_THROTTLED;
  if (lookup_graph_code (graph_code, &code))
    return code;
  return code_from_status (http_status);
}

static const char *
describe (FoyerGraphError code)
{
  switch (code)
    {
    case FOYER_GRAPH_ERROR_ACCESS_DENIED:
      return _ ("You do not have access to this item");
    case FOYER_GRAPH_ERROR_NOT_FOUND:
      return _ ("The item was not found");
    case FOYER_GRAPH_ERROR_THROTTLED:
      return _ ("Microsoft is limiting requests; try again later");
    case FOYER_GRAPH_ERROR_UNAUTHENTICATED:
      return _ ("Your Microsoft account needs to be connected again");
    case FOYER_GRAPH_ERROR_INVALID_REQUEST:
      return _ ("Microsoft refused the request");
    case FOYER_GRAPH_ERROR_NAME_ALREADY_EXISTS:
      return _ ("An item with this name already exists");
    case FOYER_GRAPH_ERROR_NOT_SUPPORTED:
      return _ ("This is not supported for this item");
    case FOYER_GRAPH_ERROR_QUOTA:
      return _ ("The storage quota is exhausted");
    case FOYER_GRAPH_ERROR_MALFORMED_RESPONSE:
      return _ ("Microsoft sent a response that could not be read");
    case FOYER_GRAPH_ERROR_SERVICE_UNAVAILABLE:
      return _ ("The Microsoft service is unavailable; try again later");
    case FOYER_GRAPH_ERROR_NETWORK:
      return _ ("Could not reach Microsoft");
    case FOYER_GRAPH_ERROR_FAILED:
    default:
      return _ ("The Microsoft request failed");
    }
}

GError *
foyer_graph_error_new (FoyerGraphError code,
                       guint http_status,
                       const char *graph_code,
                       const char *request_id,
                       const char *message)
{
  GError *error;
  FoyerGraphErrorPrivate *priv;

  error
      = g_error_new (FOYER_GRAPH_ERROR, code, "%s (HTTP %u, %s, request-id %s)",
                     message != NULL ? message : describe (code), http_status,
                     graph_code != NULL ? graph_code : "-", request_id != NULL ? request_id : "-");
  priv = foyer_graph_error_get_private (error);
  priv->status = http_status;
  priv->code = g_strdup (graph_code);
  priv->request_id = g_strdup (request_id);
  return error;
}

GError *
foyer_graph_error_new_from_json (guint http_status, const char *request_id_header, JsonNode *root)
{
  JsonObject *level = NULL;
  const char *top_code = NULL;
  const char *known = NULL;
  const char *request_id = request_id_header;
  FoyerGraphError ignored;

  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    level = foyer_json_get_object (json_node_get_object (root), "error");
  if (level != NULL)
    top_code = foyer_json_get_string (level, "code");

  /* Inner errors nest; the deepest code we know is the one to act on. The
   * depth is bounded so that a hostile body cannot make this loop long. */
  for (int depth = 0; level != NULL && depth < 32; depth++)
    {
      const char *code = foyer_json_get_string (level, "code");
      const char *rid = foyer_json_get_string (level, "request-id");
      JsonObject *inner;

      if (lookup_graph_code (code, &ignored))
        known = code;
      if (rid != NULL && request_id_header == NULL)
        request_id = rid;
      inner = foyer_json_get_object (level, "innerError");
      if (inner == NULL)
        inner = foyer_json_get_object (level, "innererror");
      level = inner;
    }

  if (known == NULL)
    known = top_code;

  return foyer_graph_error_new (foyer_graph_error_code_from_graph (known, http_status), http_status,
                                known, request_id, NULL);
}

GError *
foyer_graph_error_new_from_response (guint http_status, const char *request_id_header, GBytes *body)
{
  gsize size = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &size) : NULL;
  g_autoptr (JsonNode) root = foyer_json_parse (data, size);

  return foyer_graph_error_new_from_json (http_status, request_id_header, root);
}

guint
foyer_graph_error_get_status (const GError *error)
{
  FoyerGraphErrorPrivate *priv;

  if (error == NULL || error->domain != FOYER_GRAPH_ERROR)
    return 0;
  priv = foyer_graph_error_get_private (error);
  return priv != NULL ? priv->status : 0;
}

const char *
foyer_graph_error_get_code (const GError *error)
{
  FoyerGraphErrorPrivate *priv;

  if (error == NULL || error->domain != FOYER_GRAPH_ERROR)
    return NULL;
  priv = foyer_graph_error_get_private (error);
  return priv != NULL ? priv->code : NULL;
}

const char *
foyer_graph_error_get_request_id (const GError *error)
{
  FoyerGraphErrorPrivate *priv;

  if (error == NULL || error->domain != FOYER_GRAPH_ERROR)
    return NULL;
  priv = foyer_graph_error_get_private (error);
  return priv != NULL ? priv->request_id : NULL;
}

guint
foyer_graph_error_get_retry_after (const GError *error)
{
  FoyerGraphErrorPrivate *priv;

  if (error == NULL || error->domain != FOYER_GRAPH_ERROR)
    return 0;
  priv = foyer_graph_error_get_private (error);
  return priv != NULL ? priv->retry_after : 0;
}

void
_foyer_graph_error_set_retry_after (GError *error, guint seconds)
{
  FoyerGraphErrorPrivate *priv;

  if (error == NULL || error->domain != FOYER_GRAPH_ERROR)
    return;
  priv = foyer_graph_error_get_private (error);
  if (priv != NULL)
    priv->retry_after = seconds;
}

/* Graph answered with JSON of an unexpected shape; what names the part. */
GError *
foyer_graph_error_new_malformed (const char *what)
{
  g_autofree char *message = g_strdup_printf (_ ("Microsoft sent a malformed response (%s)"), what);

  return foyer_graph_error_new (FOYER_GRAPH_ERROR_MALFORMED_RESPONSE, 0, NULL, NULL, message);
}
