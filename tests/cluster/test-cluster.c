/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * foyer-service as several identical nodes on one real PostgreSQL, behind
 * the real HAProxy configured by deploy/haproxy.cfg (docs/deploy.md), and
 * what must hold when things fail:
 *
 * - any node answers any request: a token from one node works on the
 *   others, a post on one reaches WebSockets held by the others, a retried
 *   post that lands on another node gets the first reply (idempotency);
 * - signing out on one node ends the session everywhere, its WebSockets on
 *   other nodes included; a rotated token signing key is taken up by every
 *   node while the older tokens go on working;
 * - (fault 1) 100 clients spread over three nodes post and listen; one node
 *   is killed (kill -9) mid-stream; its clients reconnect through HAProxy
 *   to the others; every acknowledged message is stored once and was
 *   delivered once to every client;
 * - (fault 2) PostgreSQL is stopped as by a crash under load: the nodes
 *   answer 503 (never 500, never die) while it is away, recover by
 *   themselves, and lose nothing they acknowledged;
 * - nodes (and `foyer-service migrate`) started together on an empty
 *   database migrate it once, under PostgreSQL's advisory lock;
 * - (fault 3) two nodes race to post 1,000 messages into one space: its
 *   sequence numbers are 1…N, no gap, no repeat.
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "foyer-chat-client.h"
#include "foyer-core.h"
#include "foyer-event-stream.h"
#include "foyer-jwe.h"
#include "foyer-kms-client.h"
#include "foyer-outbox.h"
#include "foyer-test-net.h"
#include "foyer-test-pg.h"
#include "foyer-test-service.h"
#include "foyer-test-util.h"
#include "security-util.h"

#define MAX_NODES 3

typedef struct
{
  char *database;
  char *key_dir;
  FoyerTestService *nodes[MAX_NODES];
  guint n_nodes;
  GSubprocess *haproxy;
  char *haproxy_url;
  char *haproxy_dir;
} Cluster;

/* ---- the cluster ---- */

static char *
temp_dir (const char *prefix)
{
  const char *work = g_getenv ("FOYER_TEST_WORKDIR");
  g_autofree char *tmpl = g_build_filename (work != NULL ? work : g_get_tmp_dir (), prefix, NULL);

  return g_strdup (g_mkdtemp (tmpl));
}

static void
run_tool (const char *const *argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) process = g_subprocess_newv (
      argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_MERGE, &error);

  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait_check (process, NULL, &error));
  g_assert_no_error (error);
}

static guint16
free_port (void)
{
  g_autoptr (GSocket) socket
      = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static guint16
port_of (FoyerTestService *node)
{
  g_autofree char *host = NULL;
  guint16 port = 0;

  g_assert_true (foyer_test_net_parse_url (foyer_test_service_get_base_url (node), &host, &port));
  return port;
}

static gboolean
line_is (const char *line, const char *keyword)
{
  while (*line == ' ' || *line == '\t')
    line++;
  return g_str_has_prefix (line, keyword);
}

/* deploy/haproxy.cfg as it is, but on loopback: the nodes' addresses and
 * ports, plain HTTP (TLS to the nodes off, a plain listener instead of
 * :443 and :80), no chroot, user or daemon, and the per-address limits off
 * (every client of a test has the same address). */
static char *
loopback_config (Cluster *c, guint16 port)
{
  g_autofree char *path
      = g_build_filename (g_getenv ("FOYER_SRCDIR"), "deploy", "haproxy.cfg", NULL);
  g_autofree char *errors = g_build_filename (g_getenv ("FOYER_SRCDIR"), "deploy", "errors", NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  GString *out = g_string_new (NULL);
  gboolean bound = FALSE, global = FALSE;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      if (line[0] != ' ' && line[0] != '\0' && line[0] != '#')
        global = g_str_has_prefix (line, "global");
      if (global
          && (line_is (line, "log ") || line_is (line, "chroot") || line_is (line, "stats ")
              || line_is (line, "user ") || line_is (line, "group ") || line_is (line, "daemon")))
        continue;
      /* No syslog here; and as many connections as this machine's
       * descriptor limit allows. */
      if (line_is (line, "log global") || line_is (line, "option httplog"))
        continue;
      if (global && line_is (line, "maxconn "))
        {
          g_string_append (out, "    maxconn 4000\n");
          continue;
        }
      if (line_is (line, "bind "))
        {
          if (!bound)
            g_string_append_printf (out, "    bind 127.0.0.1:%u\n", port);
          bound = TRUE;
          continue;
        }
      if (strstr (line, "redirect scheme https") != NULL
          || line_is (line, "tcp-request connection reject"))
        continue;
      if (line_is (line, "errorfile "))
        {
          g_auto (GStrv) words = g_strsplit (g_strstrip (g_strdup (line)), " ", -1);
          g_autofree char *base = g_path_get_basename (words[2]);

          g_string_append_printf (out, "    errorfile %s %s/%s\n", words[1], errors, base);
          continue;
        }
      if (line_is (line, "default-server "))
        {
          g_auto (GStrv) words = g_strsplit (g_strstrip (g_strdup (line)), " ", -1);

          g_string_append (out, "   ");
          for (guint w = 0; words[w] != NULL; w++)
            {
              if (strcmp (words[w], "ssl") == 0)
                continue;
              if (strcmp (words[w], "verify") == 0 || strcmp (words[w], "ca-file") == 0)
                {
                  w++;
                  continue;
                }
              g_string_append_printf (out, " %s", words[w]);
            }
          g_string_append_c (out, '\n');
          continue;
        }
      if (line_is (line, "server node"))
        {
          g_auto (GStrv) words = g_strsplit (g_strstrip (g_strdup (line)), " ", -1);
          guint n = (guint) atoi (words[1] + 4);

          if (n >= 1 && n <= c->n_nodes)
            g_string_append_printf (out, "    server %s 127.0.0.1:%u\n", words[1],
                                    port_of (c->nodes[n - 1]));
          continue;
        }
      g_string_append_printf (out, "%s\n", line);
    }
  g_assert_true (bound);
  return g_string_free (out, FALSE);
}

static void
die_with_test (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
start_haproxy (Cluster *c)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocessLauncher) launcher
      = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_autofree char *config_path = NULL;
  g_autofree char *config = NULL;
  gint64 deadline;
  guint16 port = free_port ();

  c->haproxy_dir = temp_dir ("haproxy-XXXXXX");
  config = loopback_config (c, port);
  config_path = g_build_filename (c->haproxy_dir, "haproxy.cfg", NULL);
  g_assert_true (g_file_set_contents (config_path, config, -1, NULL));
  {
    const char *check[] = { "haproxy", "-q", "-c", "-f", config_path, NULL };

    run_tool (check);
  }
  g_subprocess_launcher_set_child_setup (launcher, die_with_test, NULL, NULL);
  c->haproxy
      = g_subprocess_launcher_spawn (launcher, &error, "haproxy", "-db", "-f", config_path, NULL);
  g_assert_no_error (error);
  c->haproxy_url = g_strdup_printf ("http://127.0.0.1:%u", port);
  /* Ready once HAProxy answers and finds a node ready. */
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline)
    {
      int fd = foyer_test_net_dial (NULL, "127.0.0.1", port, NULL);

      if (fd >= 0)
        {
          g_autoptr (SecReply) reply = NULL;

          close (fd);
          reply = sec_request (c->haproxy_url, "GET", "/v1/ready", NULL, NULL, NULL);
          if (reply->status == 200)
            return;
        }
      g_usleep (50 * 1000);
    }
  g_error ("HAProxy did not come up");
}

static Cluster *
cluster_new (guint n_nodes, gboolean with_haproxy)
{
  Cluster *c = g_new0 (Cluster, 1);
  g_autoptr (GError) error = NULL;
  g_autofree char *keys_parent = temp_dir ("cluster-keys-XXXXXX");

  c->database = foyer_test_pg_new_database (&error);
  g_assert_no_error (error);
  c->key_dir = g_build_filename (keys_parent, "keys", NULL);
  {
    const char *generate[] = {
      foyer_test_service_get_executable (), "keys", "generate", "--key-dir", c->key_dir, NULL
    };

    run_tool (generate);
  }
  c->n_nodes = n_nodes;
  for (guint i = 0; i < n_nodes; i++)
    {
      c->nodes[i] = foyer_test_service_new_node (c->database, c->key_dir, NULL, &error);
      g_assert_no_error (error);
    }
  g_assert_true (foyer_test_service_add_user (c->nodes[0], FOYER_TEST_ALICE_EMAIL, "Alice Martin",
                                              FOYER_TEST_ALICE_PASSWORD, TRUE, &error));
  g_assert_true (foyer_test_service_add_user (c->nodes[0], FOYER_TEST_BOB_EMAIL, "Bob Durand",
                                              FOYER_TEST_BOB_PASSWORD, FALSE, &error));
  if (with_haproxy)
    start_haproxy (c);
  return c;
}

static void
cluster_free (Cluster *c)
{
  if (c->haproxy != NULL)
    {
      g_subprocess_send_signal (c->haproxy, SIGTERM);
      g_subprocess_wait (c->haproxy, NULL, NULL);
      g_object_unref (c->haproxy);
    }
  for (guint i = 0; i < c->n_nodes; i++)
    g_clear_pointer (&c->nodes[i], foyer_test_service_free);
  g_free (c->database);
  g_free (c->key_dir);
  g_free (c->haproxy_url);
  g_free (c->haproxy_dir);
  g_free (c);
}

static const char *
node_url (Cluster *c, guint i)
{
  return foyer_test_service_get_base_url (c->nodes[i]);
}

/* ---- raw helpers ---- */

static JsonObject *
request_ok (const char *base,
            const char *method,
            const char *path,
            const char *token,
            const char *body,
            guint want)
{
  g_autoptr (SecReply) reply = sec_request (base, method, path, token, NULL, body);

  if (reply->status != want)
    g_error ("%s %s on %s: %u (%s), not %u", method, path, base, reply->status,
             reply->body != NULL ? reply->body : "", want);
  return reply->body != NULL && *reply->body != '\0' ? sec_reply_json (reply) : NULL;
}

typedef struct
{
  char *space;
  char *key_uri;
  char *body; /* a JWE sealed with the space's key */
} Space;

static void
space_clear (Space *s)
{
  g_free (s->space);
  g_free (s->key_uri);
  g_free (s->body);
}

/* alice makes a space (its resource and key through the KMS of node 0)
 * and adds the people given. */
static void
make_space (const char *base, const char *token, const char *const *members, Space *out)
{
  g_autoptr (JsonObject) resource
      = request_ok (base, "POST", "/kms/v1/resources", token, "{\"authorizations\":[]}", 201);
  g_autofree char *key_body = g_strdup_printf ("{\"resourceUri\":\"%s\"}",
                                               json_object_get_string_member (resource, "uri"));
  g_autoptr (JsonObject) key = request_ok (base, "POST", "/kms/v1/keys", token, key_body, 201);
  JsonObject *jwk = json_object_get_object_member (key, "jwk");
  gsize len = 0;
  g_autofree guint8 *raw = foyer_base64url_decode (json_object_get_string_member (jwk, "k"), &len);
  g_autoptr (GError) error = NULL;
  g_autofree char *title = NULL;
  g_autofree char *space_body = NULL;
  g_autoptr (JsonObject) space = NULL;

  out->key_uri = g_strdup (json_object_get_string_member (key, "uri"));
  title = foyer_jwe_encrypt_string (raw, len, out->key_uri, "A space", &error);
  g_assert_no_error (error);
  out->body = foyer_jwe_encrypt_string (raw, len, out->key_uri, "A message", &error);
  g_assert_no_error (error);
  space_body = g_strdup_printf ("{\"title\":\"%s\",\"kmsResourceUri\":\"%s\"}", title,
                                json_object_get_string_member (resource, "uri"));
  space = request_ok (base, "POST", "/v1/spaces", token, space_body, 201);
  out->space = g_strdup (json_object_get_string_member (space, "id"));
  for (guint i = 0; members != NULL && members[i] != NULL; i++)
    {
      g_autofree char *path = g_strdup_printf ("/v1/spaces/%s/members", out->space);
      g_autofree char *body = g_strdup_printf ("{\"personId\":\"%s\"}", members[i]);
      g_autoptr (JsonObject) added = request_ok (base, "POST", path, token, body, 201);
    }
}

static char *
post_json (Space *s, const char *client_message_id)
{
  return g_strdup_printf ("{\"clientMessageId\":\"%s\",\"keyUri\":\"%s\",\"body\":\"%s\","
                          "\"attachments\":[]}",
                          client_message_id, s->key_uri, s->body);
}

static char *
query_url (const char *database, const char *sql)
{
  g_autoptr (GError) error = NULL;
  char *rows = foyer_test_pg_query (database, sql, &error);

  g_assert_no_error (error);
  return rows;
}

static char *
query (Cluster *c, const char *sql)
{
  return query_url (c->database, sql);
}

/* ---- any node answers any request ---- */

typedef struct
{
  GSocketConnection *ws;
  GString *text;
} Listener;

/* The next event's JSON from a WebSocket opened with sec_websocket_open
 * (uncompressed text frames, read a frame at a time). */
static char *
next_event (GSocketConnection *ws, guint timeout_ms)
{
  GSocket *socket = g_socket_connection_get_socket (ws);
  guint8 head[10];
  gsize length;

  g_socket_set_timeout (socket, (timeout_ms + 999) / 1000);
  for (;;)
    {
      g_autofree guint8 *payload = NULL;

      if (g_socket_receive (socket, (char *) head, 2, NULL, NULL) != 2)
        return NULL;
      length = head[1] & 0x7f;
      if (length == 126)
        {
          if (g_socket_receive (socket, (char *) head + 2, 2, NULL, NULL) != 2)
            return NULL;
          length = (head[2] << 8) | head[3];
        }
      g_assert_cmpuint (length, <, 126 * 1024);
      payload = g_malloc (length + 1);
      for (gsize got = 0; got < length;)
        {
          gssize n = g_socket_receive (socket, (char *) payload + got, length - got, NULL, NULL);

          if (n <= 0)
            return NULL;
          got += (gsize) n;
        }
      payload[length] = '\0';
      if ((head[0] & 0x0f) == 1)
        return (char *) g_steal_pointer (&payload);
      if ((head[0] & 0x0f) == 8)
        return NULL;
    }
}

static void
test_any_node (void)
{
  Cluster *c = cluster_new (3, FALSE);
  g_autofree char *alice
      = sec_sign_in_ok (c->nodes[0], FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD);
  g_autofree char *bob = NULL;
  g_autofree char *bob_id = NULL;
  g_autoptr (GSocketConnection) ws = NULL;
  g_autofree char *event = NULL;
  g_autofree char *body = NULL;
  g_autofree char *path = NULL;
  g_autofree char *catch_up = NULL;
  g_autoptr (JsonObject) first = NULL;
  g_autoptr (JsonObject) again = NULL;
  g_autoptr (JsonObject) page = NULL;
  const char *members[2] = { NULL, NULL };
  guint status = 0;
  Space s = { 0 };

  /* A token made on node 0 is good on node 1 and 2. */
  bob = sec_sign_in (node_url (c, 1), FOYER_TEST_BOB_EMAIL, FOYER_TEST_BOB_PASSWORD, &status);
  g_assert_nonnull (bob);
  bob_id = sec_person_id (node_url (c, 2), bob);
  g_assert_nonnull (sec_person_id (node_url (c, 1), alice));
  members[0] = bob_id;
  make_space (node_url (c, 0), alice, members, &s);

  /* Bob listens on node 2; alice posts on node 1. */
  ws = sec_websocket_open (node_url (c, 2), bob, &status);
  g_assert_nonnull (ws);
  path = g_strdup_printf ("/v1/spaces/%s/messages", s.space);
  body = post_json (&s, "any-1");
  first = request_ok (node_url (c, 1), "POST", path, alice, body, 201);
  do
    {
      g_free (event);
      event = next_event (ws, 10000);
      g_assert_nonnull (event);
    }
  while (strstr (event, "message.created") == NULL);
  g_assert_nonnull (strstr (event, "\"clientMessageId\":\"any-1\""));
  g_assert_nonnull (strstr (event, json_object_get_string_member (first, "id")));

  /* The same post retried on node 0: the first reply, nothing new. */
  again = request_ok (node_url (c, 0), "POST", path, alice, body, 200);
  g_assert_cmpstr (json_object_get_string_member (again, "id"), ==,
                   json_object_get_string_member (first, "id"));
  g_assert_cmpint (json_object_get_int_member (again, "seq"), ==,
                   json_object_get_int_member (first, "seq"));
  g_free (catch_up);
  catch_up = query (c, "SELECT count(*) FROM messages WHERE client_message_id = 'any-1'");
  g_assert_cmpstr (catch_up, ==, "1\n");

  /* Catching up on node 0 sees what node 1 stored. */
  page = request_ok (node_url (c, 0), "GET", "/v1/events?after=0", bob, NULL, 200);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (page, "items")), >=, 2);

  g_object_unref (g_steal_pointer (&ws));
  space_clear (&s);
  cluster_free (c);
}

/* The same clientMessageId sent to two nodes at the same instant: one
 * message, both replies name it. */
typedef struct
{
  const char *base;
  const char *path;
  const char *token;
  const char *body;
  GThread *thread;
  guint status;
  char *id;
} Racer;

static gpointer
racer_thread (gpointer data)
{
  Racer *r = data;
  g_autoptr (SecReply) reply = sec_request (r->base, "POST", r->path, r->token, NULL, r->body);
  g_autoptr (JsonObject) object = NULL;

  r->status = reply->status;
  if (reply->status / 100 == 2)
    {
      object = sec_reply_json (reply);
      r->id = g_strdup (json_object_get_string_member (object, "id"));
    }
  return NULL;
}

static void
test_idempotent_across_nodes (void)
{
  Cluster *c = cluster_new (2, FALSE);
  g_autofree char *alice
      = sec_sign_in_ok (c->nodes[0], FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD);
  g_autofree char *path = NULL;
  Space s = { 0 };

  make_space (node_url (c, 0), alice, NULL, &s);
  path = g_strdup_printf ("/v1/spaces/%s/messages", s.space);
  for (guint round = 0; round < 20; round++)
    {
      g_autofree char *id = g_strdup_printf ("race-%u", round);
      g_autofree char *body = post_json (&s, id);
      g_autofree char *sql
          = g_strdup_printf ("SELECT count(*) FROM messages WHERE client_message_id = '%s'", id);
      g_autofree char *count = NULL;
      Racer racers[2]
          = { { node_url (c, 0), path, alice, body }, { node_url (c, 1), path, alice, body } };
      guint created = 0;

      for (guint i = 0; i < 2; i++)
        racers[i].thread = g_thread_new ("racer", racer_thread, &racers[i]);
      for (guint i = 0; i < 2; i++)
        g_thread_join (racers[i].thread);
      for (guint i = 0; i < 2; i++)
        {
          g_assert_true (racers[i].status == 201 || racers[i].status == 200);
          created += racers[i].status == 201;
        }
      g_assert_cmpuint (created, ==, 1);
      g_assert_cmpstr (racers[0].id, ==, racers[1].id);
      count = query (c, sql);
      g_assert_cmpstr (count, ==, "1\n");
      g_free (racers[0].id);
      g_free (racers[1].id);
    }
  space_clear (&s);
  cluster_free (c);
}

/* ---- sessions and keys across nodes ---- */

static void
test_sign_out_everywhere (void)
{
  Cluster *c = cluster_new (3, FALSE);
  g_autofree char *bob
      = sec_sign_in_ok (c->nodes[0], FOYER_TEST_BOB_EMAIL, FOYER_TEST_BOB_PASSWORD);
  g_autofree char *alice
      = sec_sign_in_ok (c->nodes[0], FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD);
  g_autofree char *bob_id = sec_person_id (node_url (c, 0), bob);
  g_autofree char *path = g_strdup_printf ("/v1/people/%s/sessions", bob_id);
  g_autoptr (GSocketConnection) on_1 = NULL;
  g_autoptr (GSocketConnection) on_2 = NULL;
  guint status = 0, code = 0;
  gint64 start;

  /* Known to every node first (each has verified it once). */
  for (guint i = 0; i < 3; i++)
    g_assert_nonnull (sec_person_id (node_url (c, i), bob));
  on_1 = sec_websocket_open (node_url (c, 1), bob, &status);
  on_2 = sec_websocket_open (node_url (c, 2), bob, &status);
  g_assert_nonnull (on_1);
  g_assert_nonnull (on_2);

  /* An administrator signs bob out on node 0. */
  start = g_get_monotonic_time ();
  g_clear_pointer (&path, g_free);
  path = g_strdup_printf ("/v1/people/%s/sessions", bob_id);
  request_ok (node_url (c, 0), "DELETE", path, alice, NULL, 204);
  /* The token is refused everywhere at once… */
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (SecReply) reply
          = sec_request (node_url (c, i), "GET", "/v1/people/me", bob, NULL, NULL);

      g_assert_cmpuint (reply->status, ==, 401);
    }
  /* …and the WebSockets held by the other nodes are closed (NOTIFY). */
  g_assert_true (sec_websocket_wait_close (on_1, 10000, &code));
  g_assert_cmpuint (code, ==, 1008);
  g_assert_true (sec_websocket_wait_close (on_2, 10000, &code));
  g_assert_cmpuint (code, ==, 1008);
  g_test_message ("WebSockets on other nodes closed %.0f ms after the sign-out",
                  (g_get_monotonic_time () - start) / 1000.0);
  cluster_free (c);
}

static void
test_token_key_rotation (void)
{
  Cluster *c = cluster_new (2, FALSE);
  g_autofree char *old
      = sec_sign_in_ok (c->nodes[0], FOYER_TEST_BOB_EMAIL, FOYER_TEST_BOB_PASSWORD);
  g_autofree char *said = NULL;
  g_autofree char *fresh = NULL;
  g_autoptr (GError) error = NULL;
  const char *rotate[] = {
    foyer_test_service_get_executable (), "keys", "rotate-token-key", "--key-dir", c->key_dir, NULL
  };
  gint64 deadline;

  g_assert_nonnull (sec_person_id (node_url (c, 1), old));
  run_tool (rotate);
  /* Node 1 signs with the new key once it has seen the file (a second at
   * most); node 0 verifies it (a kid it does not know makes it look). */
  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (g_get_monotonic_time () < deadline)
    {
      g_autofree char *token
          = sec_sign_in_ok (c->nodes[1], FOYER_TEST_BOB_EMAIL, FOYER_TEST_BOB_PASSWORD);
      g_auto (GStrv) parts = g_strsplit (token, ".", 3);
      g_auto (GStrv) old_parts = g_strsplit (old, ".", 3);

      /* The protected header names the key (its kid). */
      if (strcmp (parts[0], old_parts[0]) != 0)
        {
          fresh = g_steal_pointer (&token);
          break;
        }
      g_usleep (200 * 1000);
    }
  g_assert_nonnull (fresh);
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *me_fresh = sec_person_id (node_url (c, i), fresh);
      g_autofree char *me_old = sec_person_id (node_url (c, i), old);

      g_assert_nonnull (me_fresh);
      g_assert_nonnull (me_old);
    }
  cluster_free (c);
}

/* ---- migrations: nodes starting together ---- */

static guint
count_lines (const char *text, const char *line)
{
  guint n = 0;

  for (const char *at = text; (at = strstr (at, line)) != NULL; at += strlen (line))
    n++;
  return n;
}

typedef struct
{
  const char *database;
  const char *key_dir;
  FoyerTestService *node;
  GError *error;
  gint started;
  gint done;
} Starter;

/* A node's parent-death signal follows the thread that started it: the
 * thread stays until the test is done with the node. */
static gpointer
starter_thread (gpointer data)
{
  Starter *s = data;

  s->node = foyer_test_service_new_node (s->database, s->key_dir, NULL, &s->error);
  g_atomic_int_set (&s->started, TRUE);
  while (!g_atomic_int_get (&s->done))
    g_usleep (10 * 1000);
  return NULL;
}

/* Three `migrate` at once on an empty database: one applies each
 * migration (CREATE TABLE without IF NOT EXISTS would fail a second
 * time), the others wait on the advisory lock and find it done. Then three
 * nodes started at once on another empty database all come up ready. */
static void
test_start_together (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *database = foyer_test_pg_new_database (&error);
  g_autofree char *second = NULL;
  g_autofree char *keys_parent = temp_dir ("start-keys-XXXXXX");
  g_autofree char *key_dir = g_build_filename (keys_parent, "keys", NULL);
  g_autoptr (GString) said = g_string_new (NULL);
  g_autofree char *versions = NULL;
  g_autofree char *again = NULL;
  GSubprocess *migrations[3];
  Starter starters[3];
  GThread *threads[3];

  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    {
      migrations[i] = g_subprocess_new (
          G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE, &error,
          foyer_test_service_get_executable (), "migrate", "--database", database, NULL);
      g_assert_no_error (error);
    }
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *out = NULL;

      g_assert_true (g_subprocess_communicate_utf8 (migrations[i], NULL, NULL, &out, NULL, &error));
      g_assert_no_error (error);
      g_test_message ("migrate %u: %s", i, out);
      g_assert_true (g_subprocess_get_successful (migrations[i]));
      g_string_append (said, out);
      g_object_unref (migrations[i]);
    }
  for (guint v = 1; v <= 3; v++)
    {
      g_autofree char *line
          = g_strdup_printf ("Migrated the conversation schema to version %u\n", v);

      g_assert_cmpuint (count_lines (said->str, line), ==, 1);
    }
  for (guint v = 1; v <= 2; v++)
    {
      g_autofree char *line = g_strdup_printf ("Migrated the kms schema to version %u\n", v);

      g_assert_cmpuint (count_lines (said->str, line), ==, 1);
    }
  versions = query_url (database, "SELECT component, version FROM foyer_schema ORDER BY 1");
  g_assert_cmpstr (versions, ==, "conversation|3\nkms|2\n");
  /* Once current, migrate changes nothing. */
  {
    const char *argv[]
        = { foyer_test_service_get_executable (), "migrate", "--database", database, NULL };
    g_autoptr (GSubprocess) process = g_subprocess_newv (
        argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE, &error);

    g_assert_no_error (error);
    g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, &again, NULL, &error));
    g_assert_true (g_subprocess_get_successful (process));
    g_assert_null (strstr (again, "Migrated"));
  }

  second = foyer_test_pg_new_database (&error);
  g_assert_no_error (error);
  {
    const char *generate[]
        = { foyer_test_service_get_executable (), "keys", "generate", "--key-dir", key_dir, NULL };

    run_tool (generate);
  }
  for (guint i = 0; i < 3; i++)
    {
      starters[i] = (Starter){ second, key_dir, NULL, NULL, FALSE, FALSE };
      threads[i] = g_thread_new ("starter", starter_thread, &starters[i]);
    }
  for (guint i = 0; i < 3; i++)
    while (!g_atomic_int_get (&starters[i].started))
      g_usleep (10 * 1000);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (SecReply) ready = NULL;

      g_assert_no_error (starters[i].error);
      ready = sec_request (foyer_test_service_get_base_url (starters[i].node), "GET", "/v1/ready",
                           NULL, NULL, NULL);
      g_assert_cmpuint (ready->status, ==, 200);
    }
  g_free (versions);
  versions = query_url (second, "SELECT component, version FROM foyer_schema ORDER BY 1");
  g_assert_cmpstr (versions, ==, "conversation|3\nkms|2\n");
  for (guint i = 0; i < 3; i++)
    {
      foyer_test_service_free (starters[i].node);
      g_atomic_int_set (&starters[i].done, TRUE);
      g_thread_join (threads[i]);
    }
}

/* ---- fault 3: two nodes race into one space ---- */

typedef struct
{
  const char *base;
  const char *path;
  const char *token;
  Space *space;
  guint first, count;
  guint failed;
} Poster;

static gpointer
poster_thread (gpointer data)
{
  Poster *p = data;
  g_autoptr (GError) error = NULL;
  g_autofree char *host = NULL;
  guint16 port = 0;
  int fd;

  g_assert_true (foyer_test_net_parse_url (p->base, &host, &port));
  fd = foyer_test_net_dial (NULL, host, port, &error);
  g_assert_no_error (error);
  for (guint i = p->first; i < p->first + p->count; i++)
    {
      g_autofree char *id = g_strdup_printf ("seq-%u", i);
      g_autofree char *json = post_json (p->space, id);
      g_autofree char *request
          = foyer_test_net_request ("POST", p->path, p->token, json, strlen (json), TRUE);
      int status;

      g_assert_true (foyer_test_net_send_string (fd, request));
      status = foyer_test_net_read_response (fd, NULL, 30000);
      if (status != 201)
        {
          p->failed++;
          g_test_message ("post %s: %d", id, status);
        }
    }
  close (fd);
  return NULL;
}

static void
test_sequence_race (void)
{
  Cluster *c = cluster_new (2, FALSE);
  g_autofree char *alice
      = sec_sign_in_ok (c->nodes[0], FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD);
  g_autofree char *path = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *seqs = NULL;
  g_autofree char *expected = NULL;
  g_autoptr (GString) want = g_string_new (NULL);
  Poster posters[8];
  GThread *threads[8];
  Space s = { 0 };
  gint64 start;

  make_space (node_url (c, 0), alice, NULL, &s);
  path = g_strdup_printf ("/v1/spaces/%s/messages", s.space);
  /* Eight connections, four on each node, 125 posts each. */
  start = g_get_monotonic_time ();
  for (guint i = 0; i < 8; i++)
    {
      posters[i] = (Poster){ node_url (c, i % 2), path, alice, &s, i * 125, 125, 0 };
      threads[i] = g_thread_new ("poster", poster_thread, &posters[i]);
    }
  for (guint i = 0; i < 8; i++)
    {
      g_thread_join (threads[i]);
      g_assert_cmpuint (posters[i].failed, ==, 0);
    }
  g_test_message ("1,000 posts from two nodes in %.1f s", (g_get_monotonic_time () - start) / 1e6);
  sql = g_strdup_printf ("SELECT seq FROM messages WHERE space_id = '%s' ORDER BY seq", s.space);
  seqs = query (c, sql);
  for (guint n = 1; n <= 1000; n++)
    g_string_append_printf (want, "%u\n", n);
  g_assert_cmpstr (seqs, ==, want->str);
  g_free (sql);
  sql = g_strdup_printf ("SELECT last_seq FROM spaces WHERE id = '%s'", s.space);
  expected = query (c, sql);
  g_assert_cmpstr (expected, ==, "1000\n");
  space_clear (&s);
  cluster_free (c);
}

/* ---- fault 2: PostgreSQL goes away under load ---- */

typedef struct
{
  const char *base;
  const char *path;
  const char *token;
  Space *space;
  guint index;
  gint stop;
  GHashTable *acked; /* client message ids answered 200/201 */
  GMutex *lock;
  guint statuses[600];
  guint answered, errors_5xx_not_503;
} Load;

static gpointer
load_thread (gpointer data)
{
  Load *l = data;

  for (guint i = 0; !g_atomic_int_get (&l->stop); i++)
    {
      g_autofree char *id = g_strdup_printf ("load-%u-%u", l->index, i);
      g_autofree char *json = post_json (l->space, id);

      /* Each message until it is acknowledged, as the app's outbox does. */
      for (;;)
        {
          g_autoptr (SecReply) reply = sec_request (l->base, "POST", l->path, l->token, NULL, json);

          if (reply->status < G_N_ELEMENTS (l->statuses))
            l->statuses[reply->status]++;
          if (reply->status == 200 || reply->status == 201)
            {
              g_mutex_lock (l->lock);
              g_hash_table_add (l->acked, g_steal_pointer (&id));
              g_mutex_unlock (l->lock);
              break;
            }
          if (g_atomic_int_get (&l->stop) > 1)
            return NULL;
          g_usleep (20 * 1000);
        }
    }
  return NULL;
}

static guint
ready_status (const char *base)
{
  g_autoptr (SecReply) reply = sec_request (base, "GET", "/v1/ready", NULL, NULL, NULL);

  return reply->status;
}

static void
test_database_restart (void)
{
  Cluster *c = cluster_new (2, FALSE);
  g_autofree char *alice
      = sec_sign_in_ok (c->nodes[0], FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD);
  g_autoptr (GHashTable) acked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;
  GMutex lock;
  Load loads[4];
  GThread *threads[4];
  Space s = { 0 };
  guint before = 0, statuses[600] = { 0 };
  gint64 deadline;
  GHashTableIter iter;
  gpointer key;

  g_mutex_init (&lock);
  make_space (node_url (c, 0), alice, NULL, &s);
  path = g_strdup_printf ("/v1/spaces/%s/messages", s.space);
  for (guint i = 0; i < 4; i++)
    {
      memset (&loads[i], 0, sizeof loads[i]);
      loads[i] = (Load){ node_url (c, i % 2), path, alice, &s, i, 0, acked, &lock };
      threads[i] = g_thread_new ("load", load_thread, &loads[i]);
    }
  /* Under load… */
  while (before < 40)
    {
      g_mutex_lock (&lock);
      before = g_hash_table_size (acked);
      g_mutex_unlock (&lock);
      g_usleep (10 * 1000);
    }

  /* …PostgreSQL stops as if it crashed. */
  g_assert_true (foyer_test_pg_stop (TRUE, &error));
  g_assert_no_error (error);
  /* The nodes live on and say 503, and are not ready. */
  for (guint round = 0; round < 20; round++)
    for (guint i = 0; i < 2; i++)
      {
        g_autoptr (SecReply) reply
            = sec_request (node_url (c, i), "GET", "/v1/spaces", alice, NULL, NULL);

        g_assert_cmpuint (reply->status, ==, 503);
        g_assert_nonnull (strstr (reply->headers, "Retry-After"));
      }
  for (guint i = 0; i < 2; i++)
    {
      g_assert_cmpuint (ready_status (node_url (c, i)), ==, 503);
      g_assert_true (sec_service_alive (c->nodes[i]));
    }

  /* It comes back; the nodes recover by themselves. */
  g_assert_true (foyer_test_pg_start (&error));
  g_assert_no_error (error);
  deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  for (guint i = 0; i < 2; i++)
    while (ready_status (node_url (c, i)) != 200)
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_usleep (50 * 1000);
      }
  /* Posting goes on: more acknowledged after than before. */
  {
    guint after = before;

    while (after < before + 40)
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_mutex_lock (&lock);
        after = g_hash_table_size (acked);
        g_mutex_unlock (&lock);
        g_usleep (10 * 1000);
      }
  }
  for (guint i = 0; i < 4; i++)
    g_atomic_int_set (&loads[i].stop, 1);
  for (guint i = 0; i < 4; i++)
    {
      g_thread_join (threads[i]);
      for (guint k = 0; k < G_N_ELEMENTS (statuses); k++)
        statuses[k] += loads[i].statuses[k];
    }
  g_test_message ("answers: %u × 201, %u × 200, %u × 503, %u × 500", statuses[201], statuses[200],
                  statuses[503], statuses[500]);
  /* Never a 500, nor a dropped connection: 503 while it was away. */
  for (guint k = 0; k < G_N_ELEMENTS (statuses); k++)
    if (k != 200 && k != 201 && k != 503)
      g_assert_cmpuint (statuses[k], ==, 0);
  g_assert_cmpuint (statuses[503], >, 0);

  /* Every acknowledged message is stored, once. */
  g_hash_table_iter_init (&iter, acked);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      g_autofree char *sql = g_strdup_printf (
          "SELECT count(*) FROM messages WHERE client_message_id = '%s'", (char *) key);
      g_autofree char *count = query (c, sql);

      g_assert_cmpstr (count, ==, "1\n");
    }
  for (guint i = 0; i < 2; i++)
    g_assert_true (foyer_test_service_stop (c->nodes[i]));
  g_mutex_clear (&lock);
  space_clear (&s);
  cluster_free (c);
}

/* ---- fault 1: a node killed under 100 clients ---- */

#define CLIENTS    100
#define PEOPLE     20
#define POSTS_EACH 4

typedef struct
{
  guint index;
  FoyerChatClient *chat;
  FoyerEventStream *stream;
  FoyerOutbox *outbox;
  GHashTable *received; /* message id → times delivered */
  guint sent;
} Client;

typedef struct
{
  Client clients[CLIENTS];
  GHashTable *acked; /* message id → client message id */
  guint duplicates;
} Crowd;

static Crowd *crowd;

static void
client_event_cb (FoyerEventStream *stream, const char *type, JsonNode *event, gpointer user_data)
{
  Client *client = user_data;
  JsonObject *message;
  const char *id;
  guint times;

  if (g_strcmp0 (type, "message.created") != 0)
    return;
  message = json_object_get_object_member (json_node_get_object (event), "message");
  id = json_object_get_string_member (message, "id");
  times = GPOINTER_TO_UINT (g_hash_table_lookup (client->received, id)) + 1;
  if (times > 1)
    crowd->duplicates++;
  g_hash_table_replace (client->received, g_strdup (id), GUINT_TO_POINTER (times));
}

static void
client_sent_cb (FoyerOutbox *outbox,
                const char *client_message_id,
                JsonNode *reply,
                gpointer user_data)
{
  Client *client = user_data;

  client->sent++;
  g_hash_table_insert (
      crowd->acked, g_strdup (json_object_get_string_member (json_node_get_object (reply), "id")),
      g_strdup (client_message_id));
}

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

typedef gboolean (*Condition) (void);

static void
spin_until (Condition condition, guint seconds, const char *what)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (seconds, timeout_cb, &timed_out);

  while (!condition () && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    g_error ("Timed out waiting for %s", what);
  g_source_remove (id);
}

static gboolean
all_connected (void)
{
  for (guint i = 0; i < CLIENTS; i++)
    if (!foyer_event_stream_get_connected (crowd->clients[i].stream))
      return FALSE;
  return TRUE;
}

static guint target_sent;

static gboolean
enough_sent (void)
{
  return g_hash_table_size (crowd->acked) >= target_sent;
}

static gboolean
all_sent_and_received (void)
{
  for (guint i = 0; i < CLIENTS; i++)
    {
      Client *client = &crowd->clients[i];

      if (foyer_outbox_get_pending_count (client->outbox) > 0
          || g_hash_table_size (client->received) < CLIENTS * POSTS_EACH)
        return FALSE;
    }
  return TRUE;
}

static void
post_some (guint first, guint count)
{
  for (guint i = 0; i < CLIENTS; i++)
    for (guint k = first; k < first + count; k++)
      {
        Client *client = &crowd->clients[i];
        g_autofree char *id = foyer_outbox_post (
            client->outbox, g_object_get_data (G_OBJECT (client->outbox), "space"),
            g_object_get_data (G_OBJECT (client->outbox), "key"),
            g_object_get_data (G_OBJECT (client->outbox), "body"), NULL);
      }
}

static guint
count_upgrades (FoyerTestService *node)
{
  g_autofree char *log = NULL;
  guint n = 0;

  if (!g_file_get_contents (foyer_test_service_get_log_path (node), &log, NULL, NULL))
    return 0;
  for (const char *p = log; (p = strstr (p, "GET /v1/events 101")) != NULL; p++)
    n++;
  return n;
}

static void
test_node_killed (void)
{
  Cluster *c = cluster_new (3, TRUE);
  g_autofree char *alice
      = sec_sign_in_ok (c->nodes[0], FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD);
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) emails = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  guint upgrades_before[MAX_NODES], reconnects = 0;
  GHashTableIter iter;
  gpointer key, value;
  Space s = { 0 };

  crowd = g_new0 (Crowd, 1);
  crowd->acked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  /* 20 people, 5 devices each: 100 clients, all in one space. */
  for (guint p = 0; p < PEOPLE; p++)
    {
      g_autofree char *email = g_strdup_printf ("person%u@contoso.example", p);

      g_assert_true (foyer_test_service_add_user (c->nodes[0], email, "Someone", "person-password",
                                                  FALSE, &error));
      g_assert_no_error (error);
      g_ptr_array_add (emails, g_steal_pointer (&email));
    }
  for (guint p = 0; p < PEOPLE; p++)
    {
      g_autofree char *token
          = sec_sign_in_ok (c->nodes[0], g_ptr_array_index (emails, p), "person-password");

      g_ptr_array_add (ids, sec_person_id (node_url (c, 0), token));
    }
  g_ptr_array_add (ids, NULL);
  make_space (node_url (c, 0), alice, (const char *const *) ids->pdata, &s);

  /* Each client as the app is: a chat client, an event stream and an
   * outbox, all through HAProxy. */
  for (guint i = 0; i < CLIENTS; i++)
    {
      Client *client = &crowd->clients[i];
      FoyerTestWait wait = { NULL };
      g_autoptr (JsonNode) me = NULL;

      client->index = i;
      client->received = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      client->chat = foyer_chat_client_new (c->haproxy_url);
      foyer_chat_client_login_async (client->chat, g_ptr_array_index (emails, i % PEOPLE),
                                     "person-password", NULL, foyer_test_wait_cb, &wait);
      me = foyer_chat_client_call_finish (client->chat, foyer_test_wait (&wait), &error);
      g_assert_no_error (error);
      foyer_test_wait_clear (&wait);
      client->stream = foyer_event_stream_new (client->chat);
      foyer_event_stream_set_backoff (client->stream, 100, 1000);
      g_signal_connect (client->stream, "event", G_CALLBACK (client_event_cb), client);
      client->outbox = foyer_outbox_new (client->chat);
      foyer_outbox_set_retry_delay (client->outbox, 100, 1000);
      foyer_outbox_watch_stream (client->outbox, client->stream);
      g_object_set_data_full (G_OBJECT (client->outbox), "space", g_strdup (s.space), g_free);
      g_object_set_data_full (G_OBJECT (client->outbox), "key", g_strdup (s.key_uri), g_free);
      g_object_set_data_full (G_OBJECT (client->outbox), "body", g_strdup (s.body), g_free);
      g_signal_connect (client->outbox, "sent", G_CALLBACK (client_sent_cb), client);
      foyer_event_stream_start (client->stream, -1);
    }
  spin_until (all_connected, 60, "100 event streams");
  for (guint n = 0; n < 3; n++)
    upgrades_before[n] = count_upgrades (c->nodes[n]);
  g_test_message ("WebSockets per node: %u, %u, %u", upgrades_before[0], upgrades_before[1],
                  upgrades_before[2]);
  g_assert_cmpuint (upgrades_before[2], >, 0);

  /* Half the posts; node 3 dies with the rest in flight. */
  post_some (0, POSTS_EACH / 2);
  target_sent = CLIENTS;
  spin_until (enough_sent, 60, "the first posts");
  post_some (POSTS_EACH / 2, POSTS_EACH - POSTS_EACH / 2);
  g_assert_true (foyer_test_service_kill (c->nodes[2]));

  spin_until (all_sent_and_received, 120, "every post sent and delivered to every client");
  for (guint i = 0; i < CLIENTS; i++)
    reconnects += foyer_event_stream_get_reconnect_count (crowd->clients[i].stream);
  g_test_message ("%u reconnects; WebSockets after on nodes 1 and 2: %u, %u", reconnects,
                  count_upgrades (c->nodes[0]), count_upgrades (c->nodes[1]));
  /* The clients of the dead node came back through HAProxy, on the others. */
  g_assert_cmpuint (reconnects, >=, upgrades_before[2]);
  g_assert_cmpuint (count_upgrades (c->nodes[0]) + count_upgrades (c->nodes[1]), >=,
                    upgrades_before[0] + upgrades_before[1] + upgrades_before[2]);

  /* Each acknowledged message: stored once, delivered once to everyone. */
  g_assert_cmpuint (g_hash_table_size (crowd->acked), ==, CLIENTS * POSTS_EACH);
  g_assert_cmpuint (crowd->duplicates, ==, 0);
  {
    g_autofree char *sql = g_strdup_printf (
        "SELECT count(*), count(DISTINCT client_message_id), max(seq) FROM messages"
        " WHERE space_id = '%s'",
        s.space);
    g_autofree char *counts = query (c, sql);
    g_autofree char *want = g_strdup_printf ("%u|%u|%u\n", CLIENTS * POSTS_EACH,
                                             CLIENTS * POSTS_EACH, CLIENTS * POSTS_EACH);

    g_assert_cmpstr (counts, ==, want);
  }
  g_hash_table_iter_init (&iter, crowd->acked);
  while (g_hash_table_iter_next (&iter, &key, &value))
    for (guint i = 0; i < CLIENTS; i++)
      g_assert_cmpuint (GPOINTER_TO_UINT (g_hash_table_lookup (crowd->clients[i].received, key)),
                        ==, 1);

  for (guint i = 0; i < CLIENTS; i++)
    {
      Client *client = &crowd->clients[i];

      foyer_event_stream_stop (client->stream);
      g_clear_object (&client->outbox);
      g_clear_object (&client->stream);
      g_clear_object (&client->chat);
      g_hash_table_unref (client->received);
    }
  g_hash_table_unref (crowd->acked);
  g_clear_pointer (&crowd, g_free);
  space_clear (&s);
  cluster_free (c);
}

/* ---- the configuration itself ---- */

/* deploy/haproxy.cfg as shipped, with certificates of the test's making in
 * place of the deployment's: HAProxy reads it without an error or a
 * warning. */
static void
test_haproxy_config (void)
{
  g_autofree char *dir = temp_dir ("haproxy-check-XXXXXX");
  g_autofree char *path
      = g_build_filename (g_getenv ("FOYER_SRCDIR"), "deploy", "haproxy.cfg", NULL);
  g_autofree char *errors = g_build_filename (g_getenv ("FOYER_SRCDIR"), "deploy", "errors/", NULL);
  g_autofree char *key = g_build_filename (dir, "key.pem", NULL);
  g_autofree char *cert = g_build_filename (dir, "cert.pem", NULL);
  g_autofree char *pem = g_build_filename (dir, "foyer.pem", NULL);
  g_autofree char *config_path = g_build_filename (dir, "haproxy.cfg", NULL);
  g_autofree char *text = NULL, *key_text = NULL, *cert_text = NULL, *both = NULL;
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr (GString) config = NULL;
  g_autoptr (GError) error = NULL;
  const char *make_cert[] = { "openssl",
                              "req",
                              "-x509",
                              "-newkey",
                              "ec",
                              "-pkeyopt",
                              "ec_paramgen_curve:P-256",
                              "-nodes",
                              "-keyout",
                              key,
                              "-out",
                              cert,
                              "-days",
                              "2",
                              "-subj",
                              "/CN=foyer.example",
                              NULL };
  int status = 0;

  run_tool (make_cert);
  g_assert_true (g_file_get_contents (key, &key_text, NULL, NULL));
  g_assert_true (g_file_get_contents (cert, &cert_text, NULL, NULL));
  both = g_strconcat (cert_text, key_text, NULL);
  g_assert_true (g_file_set_contents (pem, both, -1, NULL));
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  config = g_string_new (text);
  g_string_replace (config, "/etc/haproxy/foyer.pem", pem, 0);
  g_string_replace (config, "/etc/haproxy/foyer-nodes-ca.pem", cert, 0);
  g_string_replace (config, "/etc/haproxy/errors/foyer/", errors, 0);
  g_assert_true (g_file_set_contents (config_path, config->str, -1, NULL));
  {
    g_autofree char *command = g_strdup_printf ("haproxy -c -f %s", config_path);

    g_assert_true (g_spawn_command_line_sync (command, &out, &err, &status, &error));
  }
  g_assert_no_error (error);
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "Configuration file is valid"));
  g_assert_null (strstr (err, "WARNING"));
  g_assert_null (strstr (err, "ALERT"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  /* Every client of these tests is on 127.0.0.1, as behind a proxy. */
  g_setenv ("FOYER_SERVICE_MAX_PER_ADDRESS", "0", TRUE);
  g_setenv ("FOYER_SERVICE_PBKDF2_ITERATIONS", "10000", TRUE);
  if (!g_find_program_in_path ("haproxy"))
    {
      g_test_skip ("haproxy is not installed (Debian: haproxy)");
      return g_test_run ();
    }
  g_test_add_func ("/cluster/haproxy-config", test_haproxy_config);
  g_test_add_func ("/cluster/any-node", test_any_node);
  g_test_add_func ("/cluster/idempotent-across-nodes", test_idempotent_across_nodes);
  g_test_add_func ("/cluster/sign-out-everywhere", test_sign_out_everywhere);
  g_test_add_func ("/cluster/token-key-rotation", test_token_key_rotation);
  g_test_add_func ("/cluster/start-together", test_start_together);
  g_test_add_func ("/cluster/sequence-race", test_sequence_race);
  g_test_add_func ("/cluster/database-restart", test_database_restart);
  g_test_add_func ("/cluster/node-killed", test_node_killed);
  return g_test_run ();
}
