/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-auth"

#include "config.h"

#include "foyer-token-set.h"

#include "foyer-auth-error.h"
#include "foyer-json.h"

#include <glib/gi18n-lib.h>

struct _FoyerTokenSet
{
  GObject parent_instance;

  char *access_token;
  gint64 expires_at;
  char *refresh_token;
  char *scope;
  char *id_token;
  JsonObject *claims;
};

G_DEFINE_FINAL_TYPE (FoyerTokenSet, foyer_token_set, G_TYPE_OBJECT)

static void
foyer_token_set_finalize (GObject *object)
{
  FoyerTokenSet *self = FOYER_TOKEN_SET (object);

  g_free (self->access_token);
  g_free (self->refresh_token);
  g_free (self->scope);
  g_free (self->id_token);
  g_clear_pointer (&self->claims, json_object_unref);
  G_OBJECT_CLASS (foyer_token_set_parent_class)->finalize (object);
}

static void
foyer_token_set_class_init (FoyerTokenSetClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = foyer_token_set_finalize;
}

static void
foyer_token_set_init (FoyerTokenSet *self)
{
}

/* expires_in is a number in v2 replies, a string in older ones. */
static gboolean
read_expires_in (JsonObject *obj, gint64 *out)
{
  JsonNode *node = json_object_get_member (obj, "expires_in");

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    *out = json_node_get_int (node);
  else if (json_node_get_value_type (node) == G_TYPE_STRING)
    {
      guint64 v = 0;

      if (!g_ascii_string_to_unsigned (json_node_get_string (node), 10, 0, G_MAXINT32, &v, NULL))
        return FALSE;
      *out = (gint64) v;
    }
  else
    return FALSE;
  return *out > 0 && *out <= G_MAXINT32;
}

static FoyerTokenSet *
malformed (GError **error)
{
  g_set_error_literal (error, FOYER_AUTH_ERROR, FOYER_AUTH_ERROR_INVALID_RESPONSE,
                       _ ("Microsoft sign-in sent an answer Foyer does not understand."));
  return NULL;
}

FoyerTokenSet *
foyer_token_set_new_from_json (JsonNode *root, gint64 received_at, GError **error)
{
  g_autoptr (FoyerTokenSet) self = NULL;
  JsonObject *obj;
  const char *access_token;
  const char *token_type;
  gint64 expires_in = 0;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return malformed (error);
  obj = json_node_get_object (root);
  access_token = foyer_json_get_string (obj, "access_token");
  token_type = foyer_json_get_string (obj, "token_type");
  if (access_token == NULL || *access_token == '\0' || token_type == NULL
      || g_ascii_strcasecmp (token_type, "Bearer") != 0 || !read_expires_in (obj, &expires_in))
    return malformed (error);

  self = g_object_new (FOYER_TYPE_TOKEN_SET, NULL);
  self->access_token = g_strdup (access_token);
  self->expires_at = received_at + expires_in;
  self->refresh_token = g_strdup (foyer_json_get_string (obj, "refresh_token"));
  self->scope = g_strdup (foyer_json_get_string (obj, "scope"));
  self->id_token = g_strdup (foyer_json_get_string (obj, "id_token"));
  return g_steal_pointer (&self);
}

const char *
foyer_token_set_get_access_token (FoyerTokenSet *self)
{
  g_return_val_if_fail (FOYER_IS_TOKEN_SET (self), NULL);
  return self->access_token;
}

gint64
foyer_token_set_get_expires_at (FoyerTokenSet *self)
{
  g_return_val_if_fail (FOYER_IS_TOKEN_SET (self), 0);
  return self->expires_at;
}

const char *
foyer_token_set_get_refresh_token (FoyerTokenSet *self)
{
  g_return_val_if_fail (FOYER_IS_TOKEN_SET (self), NULL);
  return self->refresh_token;
}

const char *
foyer_token_set_get_id_token (FoyerTokenSet *self)
{
  g_return_val_if_fail (FOYER_IS_TOKEN_SET (self), NULL);
  return self->id_token;
}

JsonObject *
foyer_token_set_get_claims (FoyerTokenSet *self)
{
  g_return_val_if_fail (FOYER_IS_TOKEN_SET (self), NULL);
  return self->claims;
}

void
foyer_token_set_set_claims (FoyerTokenSet *self, JsonObject *claims)
{
  g_return_if_fail (FOYER_IS_TOKEN_SET (self));

  if (claims != NULL)
    json_object_ref (claims);
  g_clear_pointer (&self->claims, json_object_unref);
  self->claims = claims;
}

const char *
foyer_token_set_get_claim (FoyerTokenSet *self, const char *name)
{
  g_return_val_if_fail (FOYER_IS_TOKEN_SET (self), NULL);

  if (self->claims == NULL)
    return NULL;
  return foyer_json_get_string (self->claims, name);
}

gboolean
foyer_token_set_needs_refresh (FoyerTokenSet *self, gint64 now, gint64 margin)
{
  g_return_val_if_fail (FOYER_IS_TOKEN_SET (self), TRUE);
  return now + margin >= self->expires_at;
}
