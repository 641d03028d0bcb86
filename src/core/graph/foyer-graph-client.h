/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * FoyerGraphClient: asynchronous Microsoft Graph calls. Every request goes
 * through one engine that adds the bearer token (only for the Graph host),
 * the ISV User-Agent, a per-host concurrency limit, Retry-After and
 * exponential backoff with jitter, one forced token refresh on 401, and
 * cancellation. Waits are main-loop timeouts, never sleeps.
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "foyer-authorizer.h"
#include "foyer-cloud.h"
#include "foyer-drive-item.h"
#include "foyer-graph-link.h"

G_BEGIN_DECLS

#define FOYER_TYPE_GRAPH_CLIENT (foyer_graph_client_get_type ())
G_DECLARE_FINAL_TYPE (FoyerGraphClient, foyer_graph_client, FOYER, GRAPH_CLIENT, GObject)

/* What the app uses: the cloud's Graph URL, its TLS trust (a descriptor's
 * CA), and its hosts as the only places a redirect or a nextLink may lead. */
FoyerGraphClient *foyer_graph_client_new_for_cloud (FoyerCloud *cloud, FoyerAuthorizer *authorizer);
/* Any https base URL, any https redirect; the system's anchors unless the
 * "tls-database" construct property names another database (tests). */
FoyerGraphClient *foyer_graph_client_new (const char *base_url, FoyerAuthorizer *authorizer);
/* Another client like self (cloud, trust, authorizer, limits) with queues of
 * its own, e.g. for thumbnails beside listings. */
FoyerGraphClient *foyer_graph_client_new_sibling (FoyerGraphClient *self);

const char *foyer_graph_client_get_base_url (FoyerGraphClient *self);
FoyerAuthorizer *foyer_graph_client_get_authorizer (FoyerGraphClient *self);
guint foyer_graph_client_get_max_concurrent_per_host (FoyerGraphClient *self);
void foyer_graph_client_set_max_concurrent_per_host (FoyerGraphClient *self, guint limit);
void foyer_graph_client_set_max_retries (FoyerGraphClient *self, guint retries);
void foyer_graph_client_set_base_delay_ms (FoyerGraphClient *self, guint delay_ms);
void foyer_graph_client_set_max_wait_ms (FoyerGraphClient *self, guint wait_ms);

/* Generic requests. path_or_url is relative to the base URL ("/me/drive")
 * or absolute (an @odata.nextLink). The bearer token goes only to the base
 * URL's origin. A 2xx with no body yields a JSON null node. */
void foyer_graph_client_request_async (FoyerGraphClient *self,
                                       const char *method,
                                       const char *path_or_url,
                                       JsonNode *body,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data);
JsonNode *
foyer_graph_client_request_finish (FoyerGraphClient *self, GAsyncResult *result, GError **error);
JsonNode *foyer_graph_client_request_finish_full (FoyerGraphClient *self,
                                                  GAsyncResult *result,
                                                  guint *out_status,
                                                  GError **error);

/* Raw bytes (thumbnail content). Redirects (302 to the files host) are
 * followed without the Graph token unless they stay on the Graph host. */
void foyer_graph_client_request_bytes_async (FoyerGraphClient *self,
                                             const char *method,
                                             const char *path_or_url,
                                             GCancellable *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer user_data);
GBytes *foyer_graph_client_request_bytes_finish (FoyerGraphClient *self,
                                                 GAsyncResult *result,
                                                 GError **error);

/* Progress of a body being sent: the bytes written so far in this attempt. */
typedef void (*FoyerGraphProgressFunc) (guint64 bytes_sent, gpointer user_data);

/* Sends body as it is: a file's content (PUT …:/content) or an upload
 * fragment to an upload URL, with content_range ("bytes 0-327679/1000000")
 * or NULL. As for every request the token goes to the Graph origin only,
 * so an upload URL gets none, and 429/503 wait for Retry-After; a write
 * is not repeated after a transport error or another 5xx. progress
 * (may be NULL) is called on the caller's main context. Each body goes on
 * a connection of its own. Finish with foyer_graph_client_request_finish_full(). */
void foyer_graph_client_send_bytes_async (FoyerGraphClient *self,
                                          const char *method,
                                          const char *path_or_url,
                                          GBytes *body,
                                          const char *content_type,
                                          const char *content_range,
                                          FoyerGraphProgressFunc progress,
                                          gpointer progress_data,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer user_data);

/* Paths. drive_id NULL means /me/drive; item_id NULL or "root" means the
 * drive's root. Segments are percent-encoded. */
char *foyer_graph_share_id_encode (const char *sharing_url);
char *foyer_graph_escape_segment (const char *segment);
char *foyer_graph_path_with_select (const char *path, const char *select);
char *foyer_graph_item_path (const char *drive_id, const char *item_id, const char *suffix);
char *foyer_graph_thumbnail_path (const char *drive_id, const char *item_id, const char *size);
char *foyer_graph_shared_thumbnail_path (const char *share_id, const char *size);

/* Single items. */
void foyer_graph_client_get_item_async (FoyerGraphClient *self,
                                        const char *drive_id,
                                        const char *item_id,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
FoyerDriveItem *
foyer_graph_client_get_item_finish (FoyerGraphClient *self, GAsyncResult *result, GError **error);

/* sharing_url_or_share_id: a sharing URL, or an already encoded "u!…". */
void foyer_graph_client_get_shared_item_async (FoyerGraphClient *self,
                                               const char *sharing_url_or_share_id,
                                               gboolean redeem,
                                               GCancellable *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer user_data);
FoyerDriveItem *foyer_graph_client_get_shared_item_finish (FoyerGraphClient *self,
                                                           GAsyncResult *result,
                                                           GError **error);

JsonObject *
foyer_graph_client_get_me_finish (FoyerGraphClient *self, GAsyncResult *result, GError **error);

/* The same through the shares API, with the caller's own credentials:
 * sharing_url_or_share_id as for get_shared_item. */
void foyer_graph_client_get_shared_thumbnail_async (FoyerGraphClient *self,
                                                    const char *sharing_url_or_share_id,
                                                    const char *size,
                                                    GCancellable *cancellable,
                                                    GAsyncReadyCallback callback,
                                                    gpointer user_data);
GBytes *foyer_graph_client_get_shared_thumbnail_finish (FoyerGraphClient *self,
                                                        GAsyncResult *result,
                                                        GError **error);

/* preview: {getUrl, postUrl, postParameters}. page may be NULL, zoom 0. */
void foyer_graph_client_preview_async (FoyerGraphClient *self,
                                       const char *drive_id,
                                       const char *item_id,
                                       const char *page,
                                       double zoom,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data);
JsonObject *
foyer_graph_client_preview_finish (FoyerGraphClient *self, GAsyncResult *result, GError **error);

/* preview through the shares API: POST /shares/{shareId}/driveItem/preview.
 * Finish with foyer_graph_client_preview_finish(). */
void foyer_graph_client_preview_shared_async (FoyerGraphClient *self,
                                              const char *sharing_url_or_share_id,
                                              const char *page,
                                              double zoom,
                                              GCancellable *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer user_data);

/* createLink. scope EXISTING asks for no new link: the item's webUrl. */
void foyer_graph_client_create_link_async (FoyerGraphClient *self,
                                           const char *drive_id,
                                           const char *item_id,
                                           FoyerLinkType type,
                                           FoyerGraphLinkScope scope,
                                           GCancellable *cancellable,
                                           GAsyncReadyCallback callback,
                                           gpointer user_data);
FoyerGraphLink *foyer_graph_client_create_link_finish (FoyerGraphClient *self,
                                                       GAsyncResult *result,
                                                       GError **error);

/* Tries first_scope, then each broader-to-narrower scope after it in the
 * order anonymous → organization → existing, moving on when the tenant
 * refuses (403 / notSupported / invalidRequest). The link's `scope` is the
 * one it ended with and `requested_scope` the one first asked for. */
void foyer_graph_create_link_with_fallback_async (FoyerGraphClient *self,
                                                  const char *drive_id,
                                                  const char *item_id,
                                                  FoyerLinkType type,
                                                  FoyerGraphLinkScope first_scope,
                                                  GCancellable *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer user_data);
FoyerGraphLink *foyer_graph_create_link_with_fallback_finish (FoyerGraphClient *self,
                                                              GAsyncResult *result,
                                                              GError **error);

/* permissions: every page of the `value` array, following Graph's nextLinks
 * (owners see all). */
void foyer_graph_client_list_permissions_async (FoyerGraphClient *self,
                                                const char *drive_id,
                                                const char *item_id,
                                                GCancellable *cancellable,
                                                GAsyncReadyCallback callback,
                                                gpointer user_data);
JsonArray *foyer_graph_client_list_permissions_finish (FoyerGraphClient *self,
                                                       GAsyncResult *result,
                                                       GError **error);

/* invite: grants read or write to e-mail addresses; returns the permissions. */
void foyer_graph_client_invite_async (FoyerGraphClient *self,
                                      const char *drive_id,
                                      const char *item_id,
                                      const char *const *emails,
                                      gboolean write,
                                      gboolean require_sign_in,
                                      gboolean send_invitation,
                                      const char *message,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data);
JsonArray *
foyer_graph_client_invite_finish (FoyerGraphClient *self, GAsyncResult *result, GError **error);

/* The organization's name (GET /organization), for people to read. */
void foyer_graph_client_get_organization_name_async (FoyerGraphClient *self,
                                                     GCancellable *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer user_data);
char *foyer_graph_client_get_organization_name_finish (FoyerGraphClient *self,
                                                       GAsyncResult *result,
                                                       GError **error);
char *foyer_graph_organization_name_from_json (JsonNode *root);

G_END_DECLS
