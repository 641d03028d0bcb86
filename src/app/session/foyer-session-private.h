/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerSession is five files, one per concern, over this header:
 * foyer-session.c (the object, decrypting), foyer-session-connection.c
 * (signing in, starting, live events, signing out), foyer-session-spaces.c
 * (spaces, their members, creating one), foyer-session-messages.c (history,
 * sending through the outbox, retrying), foyer-session-cache.c (what is
 * kept sealed in the local store) and foyer-session-search.c (the search
 * index it feeds, and pages of history read for it and the Files view).
 */
#pragma once

#include "foyer-chat-client.h"
#include "foyer-document-item.h"
#include "foyer-event-stream.h"
#include "foyer-json-request.h"
#include "foyer-jwe.h"
#include "foyer-kms-client.h"
#include "foyer-org-policy.h"
#include "foyer-outbox.h"
#include "foyer-search-index.h"
#include "foyer-service-secret.h"
#include "foyer-session.h"
#include "foyer-space-key.h"
#include "foyer-store.h"

G_BEGIN_DECLS

/* What the session knows of a space beyond what the sidebar shows. */
typedef struct
{
  char *resource_uri;
  char *key_uri;
  gboolean history_loaded;
  gboolean cache_pending; /* cached messages not read yet: read on open */
  gboolean has_more;
  gboolean loading;
  gint64 last_read_seq;
  GStrv member_emails;
  GStrv member_names;    /* in the order of member_emails */
  gboolean rekey_needed; /* a member left: a new key before the next message */
} SpaceState;

struct _FoyerSession
{
  GObject parent_instance;

  FoyerSessionState state;
  char *service_url;
  char *person_id;
  char *person_name;
  char *person_email;
  gboolean is_admin;

  FoyerChatClient *client;
  FoyerKmsClient *kms;
  FoyerEventStream *stream;
  FoyerOutbox *outbox;
  GCancellable *cancellable;

  GListStore *spaces;
  GHashTable *space_by_id;    /* id → FoyerSpaceItem */
  GHashTable *space_state;    /* id → SpaceState */
  GHashTable *names;          /* person id → display name */
  GHashTable *pending_spaces; /* client message id → space id */
  GHashTable *retry_online;   /* client message ids that failed for want of the service */
  FoyerSpaceItem *open_space;

  FoyerStore *store;
  GHashTable *dirty_spaces; /* space ids whose cache needs writing */
  gboolean outbox_dirty;    /* the outbox's queue changed since it was saved */
  guint cache_source;
  guint retry_source;
  guint retry_delay;
  guint waiting_source; /* the next try of what waits for the service */
  guint waiting_delay;
  GQueue waiting_sends; /* SendOp: written before the key service was reachable */
  FoyerOrgPolicy *policy;
  GError *policy_error;

  FoyerSearchIndex *search;         /* never NULL; on the store once there is one */
  GObject *search_source;           /* the back-fill's FoyerSearchSource */
  GCancellable *search_cancellable; /* the back-fill running */
  GPtrArray *search_waiting;        /* FoyerSearchEntry*: until the index is loaded */
  GHashTable *search_heads;         /* space id → gint64*: the newest seq indexed */
  guint search_heads_source;        /* their sealed copy to write */
  GPtrArray *search_catch_up;       /* "<head> <space id>" to catch up at this connection */
  char *search_catching_up;         /* the space being caught up */
  gint64 search_catch_up_to;        /* … down to this seq */
  gint64 search_catch_up_newest;    /* … from this one */
  gboolean search_caught_up;        /* at this connection */
  gboolean search_again;            /* spaces joined during the back-fill */
};

typedef struct
{
  FoyerSession *self;
  FoyerSpaceItem *space;
  FoyerMessageItem *item;
  char *text;
  char *ref_json; /* a shared document's reference, or NULL */
} SendOp;

enum
{
  PROP_0,
  PROP_STATE,
  PROP_PERSON_NAME,
  PROP_ORG_POLICY,
  PROP_SEARCH_INDEX,
  N_PROPS
};

/* foyer-session.c */
void _foyer_session_notify (FoyerSession *self, guint prop);
void _foyer_session_emit_members_changed (FoyerSession *self, const char *space_id);
void _foyer_session_emit_message_received (FoyerSession *self,
                                           FoyerSpaceItem *space,
                                           FoyerMessageItem *message);
void _foyer_session_set_state (FoyerSession *self, FoyerSessionState state);
void _foyer_session_space_state_free (SpaceState *state);
SpaceState *_foyer_session_space_state (FoyerSession *self, const char *space_id);
GDateTime *_foyer_session_parse_time (const char *text);
const char *_foyer_session_person_name (FoyerSession *self, const char *person_id);
void _foyer_session_remember_person (FoyerSession *self, JsonObject *person);
JsonNode *_foyer_session_object_finish (GObject *source, GAsyncResult *result, GError **error);
typedef void (*DecryptedFunc) (FoyerSession *self,
                               const char *plaintext,
                               const GError *error,
                               gpointer data);
void _foyer_session_decrypt (
    FoyerSession *self, const char *jwe, DecryptedFunc func, gpointer data, GDestroyNotify destroy);

/* foyer-session-cache.c */
gboolean _foyer_session_flush_cache_cb (gpointer data);
void _foyer_session_mark_dirty (FoyerSession *self, FoyerSpaceItem *space);
void _foyer_session_outbox_changed_cb (FoyerSession *self);
void _foyer_session_load_cache (FoyerSession *self);
void _foyer_session_load_cached_messages (FoyerSession *self, FoyerSpaceItem *space);

/* foyer-session-spaces.c */
void _foyer_session_fetch_members (FoyerSession *self, const char *space_id);
FoyerSpaceItem *_foyer_session_new_space (FoyerSession *self,
                                          const char *id,
                                          const char *resource_uri,
                                          const char *key_uri);
FoyerSpaceItem *_foyer_session_add_space (FoyerSession *self, JsonObject *object);
void _foyer_session_apply_space_key (FoyerSession *self, JsonObject *space);
void _foyer_session_remove_space (FoyerSession *self, const char *space_id);

/* foyer-session-messages.c */
void _foyer_session_add_message (FoyerSession *self, JsonObject *object, gboolean live);
void _foyer_session_outbox_sent_cb (FoyerSession *self, const char *client_id, JsonNode *reply);
void
_foyer_session_outbox_failed_cb (FoyerSession *self, const char *client_id, const GError *error);
void _foyer_session_send_op_free (SendOp *op);
void _foyer_session_send_waiting (FoyerSession *self);
void _foyer_session_send_key_cb (GObject *source, GAsyncResult *result, gpointer user_data);
void _foyer_session_send (FoyerSession *self,
                          FoyerSpaceItem *space,
                          const char *text,
                          const char *ref_json);

/* foyer-session-search.c */
void
_foyer_session_index_message (FoyerSession *self, FoyerSpaceItem *space, FoyerMessageItem *item);
void _foyer_session_search_set_store (FoyerSession *self, FoyerStore *store);
void _foyer_session_search_start (FoyerSession *self);
void _foyer_session_search_stop (FoyerSession *self);
void _foyer_session_search_clear (FoyerSession *self);
void _foyer_session_search_spaces_changed (FoyerSession *self,
                                           guint position,
                                           guint removed,
                                           guint added);

#define FOYER_STORE_NS_SEARCH_HEADS "search-heads"

G_END_DECLS
