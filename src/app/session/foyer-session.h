/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The signed-in person's connection to the organization's Foyer service:
 * spaces and their messages, decrypted with keys from the KMS, kept live by
 * the event stream, with an outbox for what is written while offline. It
 * owns the models the window shows; the window never talks to the network.
 */
#pragma once

#include <gio/gio.h>

#include "foyer-org-policy.h"
#include "foyer-search-index.h"
#include "foyer-space-item.h"
#include "foyer-store.h"

G_BEGIN_DECLS

typedef enum
{
  FOYER_SESSION_SIGNED_OUT,
  FOYER_SESSION_CONNECTING,
  FOYER_SESSION_ONLINE,
  FOYER_SESSION_OFFLINE,
} FoyerSessionState;

#define FOYER_TYPE_SESSION (foyer_session_get_type ())
G_DECLARE_FINAL_TYPE (FoyerSession, foyer_session, FOYER, SESSION, GObject)

FoyerSession *foyer_session_new (void);

FoyerSessionState foyer_session_get_state (FoyerSession *self);
GListModel *foyer_session_get_spaces (FoyerSession *self);
const char *foyer_session_get_service_url (FoyerSession *self);
const char *foyer_session_get_person_id (FoyerSession *self);
const char *foyer_session_get_person_name (FoyerSession *self);
const char *foyer_session_get_person_email (FoyerSession *self);
gboolean foyer_session_get_is_admin (FoyerSession *self);
FoyerSpaceItem *foyer_session_find_space (FoyerSession *self, const char *space_id);
void foyer_session_set_store (FoyerSession *self, FoyerStore *store);
FoyerStore *foyer_session_get_store (FoyerSession *self);
/* Search on the device over what this person's spaces said (never NULL). */
FoyerSearchIndex *foyer_session_get_search_index (FoyerSession *self);
const char *const *foyer_session_get_member_emails (FoyerSession *self, FoyerSpaceItem *space);
const char *const *foyer_session_get_member_names (FoyerSession *self, FoyerSpaceItem *space);
FoyerOrgPolicy *foyer_session_get_org_policy (FoyerSession *self, const GError **error);
void foyer_session_save_org_settings_async (FoyerSession *self,
                                            JsonNode *settings,
                                            GCancellable *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer user_data);
gboolean
foyer_session_save_org_settings_finish (FoyerSession *self, GAsyncResult *result, GError **error);

void foyer_session_sign_in_async (FoyerSession *self,
                                  const char *service_url,
                                  const char *email,
                                  const char *password,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data);
gboolean foyer_session_sign_in_finish (FoyerSession *self, GAsyncResult *result, GError **error);

/* Signs in again with the token kept in the Secret Service, if any. */
void foyer_session_restore_async (FoyerSession *self,
                                  const char *service_url,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data);
gboolean foyer_session_restore_finish (FoyerSession *self, GAsyncResult *result, GError **error);

void foyer_session_disconnect (FoyerSession *self);
void foyer_session_sign_out (FoyerSession *self);

void foyer_session_open_space (FoyerSession *self, FoyerSpaceItem *space);
void foyer_session_load_older (FoyerSession *self, FoyerSpaceItem *space);
void foyer_session_send_text (FoyerSession *self, FoyerSpaceItem *space, const char *text);
void foyer_session_share_document (FoyerSession *self,
                                   FoyerSpaceItem *space,
                                   const char *ref_json,
                                   const char *comment);
guint foyer_session_get_unsent_count (FoyerSession *self);
void foyer_session_fetch_history_async (FoyerSession *self,
                                        const char *space_id,
                                        gint64 before,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
GPtrArray *foyer_session_fetch_history_finish (FoyerSession *self,
                                               GAsyncResult *result,
                                               gint64 *out_next_before,
                                               GError **error);
gboolean
foyer_session_retry_message (FoyerSession *self, FoyerSpaceItem *space, const char *message_id);

void foyer_session_create_space_async (FoyerSession *self,
                                       const char *title,
                                       const char *const *member_emails,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data);
FoyerSpaceItem *
foyer_session_create_space_finish (FoyerSession *self, GAsyncResult *result, GError **error);

void foyer_session_add_member_async (FoyerSession *self,
                                     FoyerSpaceItem *space,
                                     const char *email,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data);
gboolean foyer_session_add_member_finish (FoyerSession *self, GAsyncResult *result, GError **error);

void foyer_session_remove_member_async (FoyerSession *self,
                                        FoyerSpaceItem *space,
                                        const char *person_id,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
void foyer_session_remove_member_by_email_async (FoyerSession *self,
                                                 FoyerSpaceItem *space,
                                                 const char *email,
                                                 GCancellable *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer user_data);
gboolean
foyer_session_remove_member_finish (FoyerSession *self, GAsyncResult *result, GError **error);

G_END_DECLS

#include "foyer-app-enums.h"
