/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A small SoupServer on 127.0.0.1 standing in for Graph in the graph tests
 * and benchmarks. It logs every request (method, path, time, headers) and
 * hands it to a responder the test sets; responses can be delayed without
 * blocking, and the number of requests in flight is tracked.
 */
#pragma once

#include <libsoup/soup.h>

#include "foyer-graph-client.h"
#include "foyer-test-tls.h"

G_BEGIN_DECLS

typedef struct _MockServer MockServer;

typedef struct
{
  char *method;
  char *path; /* with the query, as sent */
  char *authorization;
  char *user_agent;
  char *prefer;
  char *client_request_id;
  char *body;
  gint64 time_us; /* monotonic, when the request arrived */
} MockRequest;

/* Sets status, headers and body of msg. index counts requests so far
 * (0-based) for all paths. Return a delay in ms (0: answer now). */
typedef guint (*MockResponder) (
    MockServer *mock, SoupServerMessage *msg, const char *path, guint index, gpointer data);

struct _MockServer
{
  SoupServer *server;
  FoyerTestTlsListener *tls;
  char *origin;   /* https://127.0.0.1:port */
  char *base_url; /* origin + /v1.0 */
  GPtrArray *log; /* MockRequest* */
  GPtrArray *pending;
  MockResponder responder;
  gpointer responder_data;
  guint in_flight;
  guint max_in_flight;
};

MockServer *mock_server_new (MockResponder responder, gpointer data);
void mock_server_free (MockServer *mock);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MockServer, mock_server_free)

guint mock_server_count (MockServer *mock, const char *path_prefix);
MockRequest *mock_server_request (MockServer *mock, guint index);

void mock_json (SoupServerMessage *msg, guint status, const char *json);
void mock_graph_error (SoupServerMessage *msg,
                       guint status,
                       const char *code,
                       const char *inner_code,
                       const char *request_id);

/* A Graph client for base_url that trusts the tests' CA (the mock's certificate). */
FoyerGraphClient *mock_graph_client_new (const char *base_url, FoyerAuthorizer *authorizer);

/* Iterates the default main context until *flag is TRUE, failing the test
 * after timeout_ms. */
void mock_wait_for (gboolean *flag, guint timeout_ms);
void mock_wait_ms (guint ms);
/* Until the server has seen n requests in all; until it answered every one. */
void mock_wait_for_requests (MockServer *mock, guint n, guint timeout_ms);
void mock_wait_answered (MockServer *mock, guint timeout_ms);

G_END_DECLS
