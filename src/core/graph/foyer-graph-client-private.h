/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Graph client is two files: foyer-graph-client.c is the object and
 * its request engine (token, per-host queue, retries, redirects);
 * foyer-graph-client-calls.c is the calls Foyer makes (paths, items,
 * thumbnails, links, permissions), each one request through the engine.
 */
#pragma once

#include "foyer-graph-client.h"

G_BEGIN_DECLS

/* One request through the engine. want_bytes: the body as GBytes (finish
 * with foyer_graph_client_request_bytes_finish ()), else parsed JSON
 * (foyer_graph_client_request_finish ()); prefer: a Prefer header or NULL. */
void _foyer_graph_client_request (FoyerGraphClient *self,
                                  const char *method,
                                  const char *path_or_url,
                                  JsonNode *body,
                                  gboolean want_bytes,
                                  const char *prefer,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data,
                                  gpointer source_tag);

/* TRUE when url is on the client's Graph origin (the token goes there). */
gboolean _foyer_graph_client_is_graph_url (FoyerGraphClient *self, const char *url);

G_END_DECLS
