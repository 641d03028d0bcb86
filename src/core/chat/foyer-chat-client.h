/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Async client of the conversation role of foyer-service: sessions,
 * people, organization settings, spaces, members, messages and the
 * catch-up of events. Every call finishes with foyer_chat_client_call_finish (),
 * which gives the JSON the service answered (see docs/service-api.md).
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

#define FOYER_CHAT_ERROR (foyer_chat_error_quark ())

/* Same codes as FoyerRemoteError and FoyerKmsError. */
typedef enum
{
  FOYER_CHAT_ERROR_UNAUTHORIZED, /* sign in again */
  FOYER_CHAT_ERROR_FORBIDDEN,    /* not a member / not an administrator */
  FOYER_CHAT_ERROR_NOT_FOUND,
  FOYER_CHAT_ERROR_INVALID, /* the request was refused as malformed */
  FOYER_CHAT_ERROR_NETWORK, /* retry later */
  FOYER_CHAT_ERROR_SERVER,  /* retry later */
} FoyerChatError;

GQuark foyer_chat_error_quark (void);
const char *foyer_chat_error_get_refusal (const GError *error);
const char *foyer_chat_error_get_service_message (const GError *error);

#define FOYER_TYPE_CHAT_CLIENT (foyer_chat_client_get_type ())
G_DECLARE_FINAL_TYPE (FoyerChatClient, foyer_chat_client, FOYER, CHAT_CLIENT, GObject)

FoyerChatClient *foyer_chat_client_new (const char *base_url);
SoupSession *foyer_chat_client_get_session (FoyerChatClient *self);
char *foyer_chat_client_get_events_url (FoyerChatClient *self);
const char *foyer_chat_client_get_token (FoyerChatClient *self);
const char *foyer_chat_client_get_person_id (FoyerChatClient *self);
void foyer_chat_client_set_token (FoyerChatClient *self, const char *token, const char *person_id);

JsonNode *
foyer_chat_client_call_finish (FoyerChatClient *self, GAsyncResult *result, GError **error);

void foyer_chat_client_request_async (FoyerChatClient *self,
                                      const char *method,
                                      const char *path,
                                      JsonNode *body,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data);

/* Finishes with the person object; the client keeps the token. */
void foyer_chat_client_login_async (FoyerChatClient *self,
                                    const char *email,
                                    const char *password,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data);
void foyer_chat_client_sign_out_async (FoyerChatClient *self,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data);
void foyer_chat_client_get_me_async (FoyerChatClient *self,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data);
void foyer_chat_client_find_people_async (FoyerChatClient *self,
                                          const char *email,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer user_data);
void foyer_chat_client_get_org_settings_async (FoyerChatClient *self,
                                               GCancellable *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer user_data);
void foyer_chat_client_put_org_settings_async (FoyerChatClient *self,
                                               JsonNode *settings,
                                               GCancellable *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer user_data);
void foyer_chat_client_list_spaces_async (FoyerChatClient *self,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer user_data);
void foyer_chat_client_create_space_async (FoyerChatClient *self,
                                           const char *title_jwe,
                                           const char *kms_resource_uri,
                                           GCancellable *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer user_data);
void foyer_chat_client_get_space_async (FoyerChatClient *self,
                                        const char *space_id,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
void foyer_chat_client_list_members_async (FoyerChatClient *self,
                                           const char *space_id,
                                           GCancellable *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer user_data);
void foyer_chat_client_add_member_async (FoyerChatClient *self,
                                         const char *space_id,
                                         const char *person_id,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
void foyer_chat_client_remove_member_async (FoyerChatClient *self,
                                            const char *space_id,
                                            const char *person_id,
                                            GCancellable *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer user_data);
/* before = 0 for the latest page. */
void foyer_chat_client_list_messages_async (FoyerChatClient *self,
                                            const char *space_id,
                                            gint64 before,
                                            guint limit,
                                            GCancellable *cancellable,
                                            GAsyncReadyCallback callback,
                                            gpointer user_data);
void foyer_chat_client_post_message_async (FoyerChatClient *self,
                                           const char *space_id,
                                           const char *client_message_id,
                                           const char *key_uri,
                                           const char *body_jwe,
                                           const char *const *attachment_refs,
                                           GCancellable *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer user_data);
/* after < 0: only the latest cursor. */
void foyer_chat_client_get_events_async (FoyerChatClient *self,
                                         gint64 after,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);

char *foyer_chat_new_client_message_id (void);

G_END_DECLS
