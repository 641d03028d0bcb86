/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-session"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "foyer-chat-client.h"
#include "foyer-document-item.h"
#include "foyer-event-stream.h"
#include "foyer-json-request.h"
#include "foyer-jwe.h"
#include "foyer-kms-client.h"
#include "foyer-org-policy.h"
#include "foyer-outbox.h"
#include "foyer-service-secret.h"
#include "foyer-session.h"
#include "foyer-session-private.h"
#include "foyer-store.h"

G_DEFINE_FINAL_TYPE (FoyerSession, foyer_session, G_TYPE_OBJECT)

enum
{
  MESSAGE_RECEIVED,
  MEMBERS_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

void
_foyer_session_space_state_free (SpaceState *state)
{
  g_free (state->resource_uri);
  g_free (state->key_uri);
  g_strfreev (state->member_emails);
  g_strfreev (state->member_names);
  g_free (state);
}

void
_foyer_session_set_state (FoyerSession *self, FoyerSessionState state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

SpaceState *
_foyer_session_space_state (FoyerSession *self, const char *space_id)
{
  return g_hash_table_lookup (self->space_state, space_id);
}

GDateTime *
_foyer_session_parse_time (const char *text)
{
  GDateTime *time = text != NULL ? g_date_time_new_from_iso8601 (text, NULL) : NULL;

  return time != NULL ? time : g_date_time_new_now_utc ();
}

const char *
_foyer_session_person_name (FoyerSession *self, const char *person_id)
{
  const char *name = person_id != NULL ? g_hash_table_lookup (self->names, person_id) : NULL;

  return name != NULL ? name : _ ("Unknown person");
}

/* Finishes a call to the service that answers with an object: the object,
 * or NULL and error set (also when the answer is not an object). */
JsonNode *
_foyer_session_object_finish (GObject *source, GAsyncResult *result, GError **error)
{
  GError *local = NULL;
  g_autoptr (JsonNode) node = NULL;

  node = foyer_chat_client_call_finish (FOYER_CHAT_CLIENT (source), result, &local);
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    return g_steal_pointer (&node);
  if (local == NULL)
    local = g_error_new_literal (FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_SERVER,
                                 _ ("The Foyer service sent an unexpected reply"));
  g_propagate_error (error, local);
  return NULL;
}

void
_foyer_session_remember_person (FoyerSession *self, JsonObject *person)
{
  const char *id = foyer_json_get_string (person, "personId");
  const char *name = foyer_json_get_string (person, "name");

  if (id == NULL)
    id = foyer_json_get_string (person, "id");
  if (id != NULL && name != NULL)
    g_hash_table_replace (self->names, g_strdup (id), g_strdup (name));
}

/* Decrypting: every JWE names its key; keys come from the KMS (cached). */

typedef struct
{
  FoyerSession *self;
  char *jwe;
  DecryptedFunc func;
  gpointer data;
  GDestroyNotify destroy;
} DecryptOp;

static void
decrypt_op_finish (DecryptOp *op, const char *plaintext, const GError *error)
{
  op->func (op->self, plaintext, error, op->data);
  if (op->destroy != NULL)
    op->destroy (op->data);
  g_object_unref (op->self);
  g_free (op->jwe);
  g_free (op);
}

static void
decrypt_key_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  DecryptOp *op = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerKmsKey) key = NULL;
  g_autofree char *plaintext = NULL;
  const guint8 *bytes;
  gsize len = 0;

  key = foyer_kms_client_get_key_finish (FOYER_KMS_CLIENT (source), result, &error);
  if (key != NULL)
    {
      bytes = foyer_kms_key_get_data (key, &len);
      plaintext = foyer_jwe_decrypt_string (bytes, len, op->jwe, &error);
    }
  decrypt_op_finish (op, plaintext, error);
}

void
_foyer_session_decrypt (
    FoyerSession *self, const char *jwe, DecryptedFunc func, gpointer data, GDestroyNotify destroy)
{
  DecryptOp *op = g_new0 (DecryptOp, 1);
  g_autoptr (GError) error = NULL;
  g_autofree char *kid = NULL;

  op->self = g_object_ref (self);
  op->jwe = g_strdup (jwe);
  op->func = func;
  op->data = data;
  op->destroy = destroy;

  if (jwe == NULL || !foyer_jwe_check (jwe, FOYER_JWE_MAX_LENGTH, &kid, &error) || kid == NULL)
    {
      if (error == NULL)
        g_set_error_literal (&error, FOYER_CRYPTO_ERROR, FOYER_CRYPTO_ERROR_MALFORMED,
                             _ ("The encrypted data is malformed"));
      decrypt_op_finish (op, NULL, error);
      return;
    }
  /* Signed out (or disconnected) while an earlier step was in flight. */
  if (self->kms == NULL)
    {
      g_set_error_literal (&error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                           _ ("You are no longer signed in"));
      decrypt_op_finish (op, NULL, error);
      return;
    }

  foyer_kms_client_get_key_async (self->kms, kid, self->cancellable, decrypt_key_cb, op);
}

/* Object */

void
_foyer_session_notify (FoyerSession *self, guint prop)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

void
_foyer_session_emit_members_changed (FoyerSession *self, const char *space_id)
{
  g_signal_emit (self, signals[MEMBERS_CHANGED], 0, space_id);
}

void
_foyer_session_emit_message_received (FoyerSession *self,
                                      FoyerSpaceItem *space,
                                      FoyerMessageItem *message)
{
  g_signal_emit (self, signals[MESSAGE_RECEIVED], 0, space, message);
}

FoyerSessionState
foyer_session_get_state (FoyerSession *self)
{
  g_return_val_if_fail (FOYER_IS_SESSION (self), FOYER_SESSION_SIGNED_OUT);

  return self->state;
}

GListModel *
foyer_session_get_spaces (FoyerSession *self)
{
  g_return_val_if_fail (FOYER_IS_SESSION (self), NULL);

  return G_LIST_MODEL (self->spaces);
}

const char *
foyer_session_get_service_url (FoyerSession *self)
{
  g_return_val_if_fail (FOYER_IS_SESSION (self), NULL);

  return self->service_url;
}

const char *
foyer_session_get_person_id (FoyerSession *self)
{
  g_return_val_if_fail (FOYER_IS_SESSION (self), NULL);

  return self->person_id;
}

const char *
foyer_session_get_person_name (FoyerSession *self)
{
  g_return_val_if_fail (FOYER_IS_SESSION (self), NULL);

  return self->person_name;
}

const char *
foyer_session_get_person_email (FoyerSession *self)
{
  g_return_val_if_fail (FOYER_IS_SESSION (self), NULL);

  return self->person_email;
}

gboolean
foyer_session_get_is_admin (FoyerSession *self)
{
  g_return_val_if_fail (FOYER_IS_SESSION (self), FALSE);

  return self->is_admin;
}

/* NULL until the service answered, or when the policy is invalid (then
 * error says why). */
FoyerOrgPolicy *
foyer_session_get_org_policy (FoyerSession *self, const GError **error)
{
  g_return_val_if_fail (FOYER_IS_SESSION (self), NULL);

  if (error != NULL)
    *error = self->policy_error;
  return self->policy;
}

static void
settings_saved_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  FoyerSession *self = g_task_get_source_object (task);
  GError *error = NULL;
  g_autoptr (JsonNode) node = NULL;
  FoyerOrgPolicy *policy;

  node = foyer_chat_client_call_finish (FOYER_CHAT_CLIENT (source), result, &error);
  policy = node != NULL ? foyer_org_policy_new_from_json (node, &error) : NULL;
  if (policy == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  g_clear_object (&self->policy);
  g_clear_error (&self->policy_error);
  self->policy = policy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ORG_POLICY]);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

/* Administrators only: the service refuses everyone else (FORBIDDEN). */
void
foyer_session_save_org_settings_async (FoyerSession *self,
                                       JsonNode *settings,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data)
{
  GTask *task;

  g_return_if_fail (FOYER_IS_SESSION (self));
  g_return_if_fail (settings != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, foyer_session_save_org_settings_async);
  if (self->client == NULL)
    {
      g_task_return_new_error (task, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_UNAUTHORIZED,
                               _ ("You are not signed in"));
      g_object_unref (task);
      return;
    }
  foyer_chat_client_put_org_settings_async (self->client, settings, cancellable, settings_saved_cb,
                                            task);
}

gboolean
foyer_session_save_org_settings_finish (FoyerSession *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Messages the outbox still has to post (not counting failed ones). */
guint
foyer_session_get_unsent_count (FoyerSession *self)
{
  g_return_val_if_fail (FOYER_IS_SESSION (self), 0);

  return self->outbox != NULL ? foyer_outbox_get_pending_count (self->outbox) : 0;
}

/* The names of the space's other members, in the order of
 * foyer_session_get_member_emails (). */
const char *const *
foyer_session_get_member_names (FoyerSession *self, FoyerSpaceItem *space)
{
  SpaceState *state;

  g_return_val_if_fail (FOYER_IS_SESSION (self), NULL);
  g_return_val_if_fail (FOYER_IS_SPACE_ITEM (space), NULL);

  state = _foyer_session_space_state (self, foyer_space_item_get_id (space));
  return state != NULL ? (const char *const *) state->member_names : NULL;
}

/* The e-mail addresses of the space's other members, as last fetched. */
const char *const *
foyer_session_get_member_emails (FoyerSession *self, FoyerSpaceItem *space)
{
  SpaceState *state;

  g_return_val_if_fail (FOYER_IS_SESSION (self), NULL);
  g_return_val_if_fail (FOYER_IS_SPACE_ITEM (space), NULL);

  state = _foyer_session_space_state (self, foyer_space_item_get_id (space));
  return state != NULL ? (const char *const *) state->member_emails : NULL;
}

/* The encrypted local store that caches spaces and recent messages. */
void
foyer_session_set_store (FoyerSession *self, FoyerStore *store)
{
  g_return_if_fail (FOYER_IS_SESSION (self));
  g_return_if_fail (!store || FOYER_IS_STORE (store));

  if (g_set_object (&self->store, store))
    _foyer_session_search_set_store (self, store);
}

FoyerStore *
foyer_session_get_store (FoyerSession *self)
{
  g_return_val_if_fail (FOYER_IS_SESSION (self), NULL);

  return self->store;
}

FoyerSpaceItem *
foyer_session_find_space (FoyerSession *self, const char *space_id)
{
  g_return_val_if_fail (FOYER_IS_SESSION (self), NULL);

  return space_id != NULL ? g_hash_table_lookup (self->space_by_id, space_id) : NULL;
}

static void
foyer_session_dispose (GObject *object)
{
  FoyerSession *self = FOYER_SESSION (object);

  if (self->spaces != NULL)
    foyer_session_disconnect (self);
  _foyer_session_search_stop (self);
  g_clear_object (&self->search_source);

  G_OBJECT_CLASS (foyer_session_parent_class)->dispose (object);
}

static void
foyer_session_finalize (GObject *object)
{
  FoyerSession *self = FOYER_SESSION (object);

  g_clear_object (&self->spaces);
  g_clear_object (&self->store);
  g_clear_object (&self->search);
  g_clear_pointer (&self->search_waiting, g_ptr_array_unref);
  g_hash_table_unref (self->search_heads);
  g_hash_table_unref (self->dirty_spaces);
  g_hash_table_unref (self->space_by_id);
  g_hash_table_unref (self->space_state);
  g_hash_table_unref (self->names);
  g_hash_table_unref (self->pending_spaces);
  g_hash_table_unref (self->retry_online);

  G_OBJECT_CLASS (foyer_session_parent_class)->finalize (object);
}

static void
foyer_session_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FoyerSession *self = FOYER_SESSION (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_PERSON_NAME:
      g_value_set_string (value, self->person_name);
      break;
    case PROP_ORG_POLICY:
      g_value_set_object (value, self->policy);
      break;
    case PROP_SEARCH_INDEX:
      g_value_set_object (value, self->search);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_session_class_init (FoyerSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = foyer_session_dispose;
  object_class->finalize = foyer_session_finalize;
  object_class->get_property = foyer_session_get_property;

  properties[PROP_STATE]
      = g_param_spec_enum ("state", NULL, NULL, FOYER_TYPE_SESSION_STATE, FOYER_SESSION_SIGNED_OUT,
                           G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PERSON_NAME]
      = g_param_spec_string ("person-name", NULL, NULL, NULL,
                             G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ORG_POLICY]
      = g_param_spec_object ("org-policy", NULL, NULL, FOYER_TYPE_ORG_POLICY,
                             G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Replaced when the store is set. */
  properties[PROP_SEARCH_INDEX]
      = g_param_spec_object ("search-index", NULL, NULL, FOYER_TYPE_SEARCH_INDEX,
                             G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A message from someone else arrived live (space, message). */
  signals[MESSAGE_RECEIVED]
      = g_signal_new ("message-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                      NULL, NULL, G_TYPE_NONE, 2, FOYER_TYPE_SPACE_ITEM, FOYER_TYPE_MESSAGE_ITEM);
  /* A space's member list was fetched again (space id). */
  signals[MEMBERS_CHANGED]
      = g_signal_new ("members-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                      NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
foyer_session_init (FoyerSession *self)
{
  self->spaces = g_list_store_new (FOYER_TYPE_SPACE_ITEM);
  self->space_by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->space_state = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) _foyer_session_space_state_free);
  self->names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->pending_spaces = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->retry_online = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->dirty_spaces = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->search = foyer_search_index_new (NULL);
  self->search_heads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_signal_connect_swapped (self->spaces, "items-changed",
                            G_CALLBACK (_foyer_session_search_spaces_changed), self);
}

FoyerSession *
foyer_session_new (void)
{
  return g_object_new (FOYER_TYPE_SESSION, NULL);
}
