/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A shared document's message that cannot be posted, against a real
 * foyer-service on loopback: the sender sees it pending, waiting for the
 * service with why (no Retry to click: it goes by itself), and it goes
 * once the service is back; and when a post reached the service but its
 * reply was lost, sending it again does not make a second copy (the same
 * clientMessageId goes again). A small TCP proxy in this test stands
 * between the app and the service to lose those replies.
 */
#include "config.h"

#include <adwaita.h>

#include "foyer-application.h"
#include "foyer-document-item.h"
#include "foyer-message-row.h"
#include "foyer-message-row-private.h"
#include "foyer-session.h"
#include "foyer-test-service.h"
#include "foyer-test-util.h"
#include "foyer-ui-test.h"
#include "foyer-window.h"

static FoyerApplication *app;

static const char REF_JSON[]
    = "{\"v\":1,\"provider\":\"microsoft\",\"cloud\":\"worldwide\",\"driveId\":\"b!drive\","
      "\"itemId\":\"01ITEM\",\"title\":\"Quarterly report.docx\","
      "\"url\":\"https://contoso.sharepoint.com/:w:/g/personal/alice/EAbc\",\"linkType\":\"view\","
      "\"audience\":\"organization\",\"mimeType\":\"application/"
      "vnd.openxmlformats-officedocument.wordprocessingml.document\",\"size\":18000,"
      "\"sharedBy\":\"Alice Martin\"}";

static void
sign_in (FoyerSession *session, const char *url, const char *email, const char *password)
{
  FoyerTestWait wait = { NULL };
  g_autoptr (GError) error = NULL;

  foyer_session_sign_in_async (session, url, email, password, NULL, foyer_test_wait_cb, &wait);
  g_assert_true (foyer_session_sign_in_finish (session, foyer_test_wait (&wait), &error));
  g_assert_no_error (error);
  g_object_unref (wait.result);
}

static gboolean
session_online (gpointer data)
{
  return foyer_session_get_state (FOYER_SESSION (data)) == FOYER_SESSION_ONLINE;
}

static FoyerSpaceItem *
create_space (FoyerSession *session, const char *title)
{
  const char *const members[] = { FOYER_TEST_BOB_EMAIL, NULL };
  FoyerTestWait wait = { NULL };
  g_autoptr (GError) error = NULL;
  FoyerSpaceItem *space;

  foyer_session_create_space_async (session, title, members, NULL, foyer_test_wait_cb, &wait);
  space = foyer_session_create_space_finish (session, foyer_test_wait (&wait), &error);
  g_assert_no_error (error);
  g_object_unref (wait.result);
  return space;
}

typedef struct
{
  FoyerSession *session;
  const char *space_id;
} SpaceWait;

static gboolean
space_known (gpointer data)
{
  SpaceWait *w = data;

  return foyer_session_find_space (w->session, w->space_id) != NULL;
}

/* The messages of a space carrying a document, and in which state. */
static guint
count_documents (FoyerSpaceItem *space, FoyerMessageState state)
{
  GListModel *list = G_LIST_MODEL (foyer_space_item_get_messages (space));
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr (FoyerMessageItem) item = g_list_model_get_item (list, i);
      GObject *attachment = foyer_message_item_get_attachment (item);

      if (FOYER_IS_DOCUMENT_ITEM (attachment) && foyer_message_item_get_state (item) == state
          && g_strcmp0 (foyer_document_item_get_json (FOYER_DOCUMENT_ITEM (attachment)), REF_JSON)
                 == 0)
        n++;
    }
  return n;
}

static FoyerMessageItem *
find_document (FoyerSpaceItem *space)
{
  GListModel *list = G_LIST_MODEL (foyer_space_item_get_messages (space));

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr (FoyerMessageItem) item = g_list_model_get_item (list, i);

      if (FOYER_IS_DOCUMENT_ITEM (foyer_message_item_get_attachment (item)))
        return item;
    }
  return NULL;
}

typedef struct
{
  FoyerSpaceItem *space;
  FoyerMessageState state;
  guint count;
} DocWait;

static gboolean
documents_are (gpointer data)
{
  DocWait *w = data;

  return count_documents (w->space, w->state) == w->count;
}

static gboolean
outbox_idle (gpointer data)
{
  return foyer_session_get_unsent_count (data) == 0;
}

static gboolean
documents_at_least (gpointer data)
{
  DocWait *w = data;

  return count_documents (w->space, w->state) >= w->count;
}

static gboolean
text_sent (gpointer data)
{
  GListModel *list = G_LIST_MODEL (foyer_space_item_get_messages (data));
  guint n = g_list_model_get_n_items (list);
  g_autoptr (FoyerMessageItem) last = n > 0 ? g_list_model_get_item (list, n - 1) : NULL;

  return last != NULL && foyer_message_item_get_state (last) == FOYER_MESSAGE_STATE_SENT;
}

static void
find_rows (GtkWidget *widget, GPtrArray *rows)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (FOYER_IS_MESSAGE_ROW (child))
        g_ptr_array_add (rows, child);
      else
        find_rows (child, rows);
    }
}

static FoyerMessageRow *
row_for (FoyerWindow *window, FoyerMessageItem *item)
{
  g_autoptr (GPtrArray) rows = g_ptr_array_new ();

  find_rows (GTK_WIDGET (window), rows);
  for (guint i = 0; i < rows->len; i++)
    if (_foyer_message_row_get_item (g_ptr_array_index (rows, i)) == item)
      return g_ptr_array_index (rows, i);
  return NULL;
}

/* The row says the message waits for the service, and offers nothing to
 * click: one truth with the window's "Offline". */
static gboolean
waiting_shown (gpointer data)
{
  gpointer *pair = data;
  FoyerMessageRow *row = row_for (pair[0], pair[1]);
  GtkWidget *status
      = row != NULL ? foyer_ui_test_child (GTK_WIDGET (row), FOYER_TYPE_MESSAGE_ROW, "status_label")
                    : NULL;

  return status != NULL && gtk_widget_get_mapped (status)
         && g_str_has_prefix (gtk_label_get_text (GTK_LABEL (status)),
                              "Waiting for Foyer’s service")
         && !gtk_widget_get_visible (_foyer_message_row_get_retry_button (row));
}

/* Given up for now by the outbox: pending, with why it waits. */
static gboolean
document_waits (gpointer data)
{
  FoyerMessageItem *item = find_document (data);

  return item != NULL && foyer_message_item_get_state (item) == FOYER_MESSAGE_STATE_PENDING
         && foyer_message_item_get_error (item) != NULL;
}

/* Posting while the service is down: pending, waiting with why, and sent
 * by itself once the service is back. */
static void
test_service_down (void)
{
  g_autoptr (GError) error = NULL;
  FoyerTestService *service = foyer_test_service_new ();
  FoyerSession *alice = foyer_application_get_session (app);
  g_autoptr (FoyerSession) bob = foyer_session_new ();
  g_autoptr (FoyerSpaceItem) space = NULL;
  FoyerSpaceItem *bob_space;
  FoyerWindow *window;
  FoyerMessageItem *item;
  gpointer pair[2];
  SpaceWait for_bob;
  DocWait sent, at_bob;

  g_assert_nonnull (service);
  window = foyer_window_new (GTK_APPLICATION (app), alice, NULL);
  gtk_window_present (GTK_WINDOW (window));
  sign_in (alice, foyer_test_service_get_base_url (service), FOYER_TEST_ALICE_EMAIL,
           FOYER_TEST_ALICE_PASSWORD);
  sign_in (bob, foyer_test_service_get_base_url (service), FOYER_TEST_BOB_EMAIL,
           FOYER_TEST_BOB_PASSWORD);
  g_assert_true (foyer_ui_test_wait_until (session_online, alice, 20000));

  space = create_space (alice, "Retry");
  foyer_window_open_space (window, space);
  /* The space's key is known from here on, as in any conversation. */
  foyer_session_send_text (alice, space, "Before the outage");
  g_assert_true (foyer_ui_test_wait_until (text_sent, space, 20000));
  for_bob = (SpaceWait){ bob, foyer_space_item_get_id (space) };
  g_assert_true (foyer_ui_test_wait_until (space_known, &for_bob, 20000));
  bob_space = foyer_session_find_space (bob, for_bob.space_id);
  foyer_session_open_space (bob, bob_space);

  g_assert_true (foyer_test_service_stop (service));
  foyer_session_share_document (alice, space, REF_JSON, NULL);
  item = find_document (space);
  g_assert_nonnull (item);
  g_assert_cmpint (foyer_message_item_get_state (item), ==, FOYER_MESSAGE_STATE_PENDING);

  g_assert_true (foyer_ui_test_wait_until (document_waits, space, 30000));
  g_assert_cmpstr (foyer_message_item_get_error (item), ==,
                   "Waiting for Foyer’s service — sent when the connection returns");
  pair[0] = window;
  pair[1] = item;
  g_assert_true (foyer_ui_test_wait_until (waiting_shown, pair, 10000));
  g_assert_cmpuint (count_documents (space, FOYER_MESSAGE_STATE_FAILED), ==, 0);
  foyer_ui_test_wait_for_draw (GTK_WIDGET (window));
  g_free (foyer_ui_test_save_png (GTK_WIDGET (window), "share-retry-waiting"));

  /* The service is back: the document goes by itself. */
  g_assert_true (foyer_test_service_restart (service, &error));
  g_assert_no_error (error);
  sent = (DocWait){ space, FOYER_MESSAGE_STATE_SENT, 1 };
  g_assert_true (foyer_ui_test_wait_until (documents_are, &sent, 30000));
  g_assert_cmpuint (count_documents (space, FOYER_MESSAGE_STATE_FAILED), ==, 0);
  at_bob = (DocWait){ bob_space, FOYER_MESSAGE_STATE_SENT, 1 };
  g_assert_true (foyer_ui_test_wait_until (documents_are, &at_bob, 30000));

  gtk_window_destroy (GTK_WINDOW (window));
  foyer_session_disconnect (alice);
  foyer_session_disconnect (bob);
  g_assert_true (foyer_test_service_stop (service));
  foyer_test_service_free (service);
}

/* A TCP proxy that can lose the replies to message posts (after the
 * service got them) and keeps the event stream away meanwhile, so that
 * only the post's own reply could tell the app it went through. */

typedef struct
{
  GSocketService *listener;
  guint16 port;
  guint16 upstream_port;
  gboolean losing;
  guint posts_lost;
  GPtrArray *links; /* Link */
} Proxy;

typedef struct
{
  Proxy *proxy;
  GIOStream *client;
  GIOStream *upstream;
  gboolean doomed; /* a post went up: its reply is lost */
  gboolean closed;
  guint8 up_buf[16384];
  guint8 down_buf[16384];
} Link;

static void
link_close (Link *link)
{
  if (link->closed)
    return;
  link->closed = TRUE;
  /* The sockets themselves: a stream with a read pending cannot be closed. */
  g_socket_close (g_socket_connection_get_socket (G_SOCKET_CONNECTION (link->client)), NULL);
  if (link->upstream != NULL)
    g_socket_close (g_socket_connection_get_socket (G_SOCKET_CONNECTION (link->upstream)), NULL);
}

static void pump_up (Link *link);
static void pump_down (Link *link);

static void
up_written_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Link *link = user_data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL))
    link_close (link);
  else if (!link->closed)
    pump_up (link);
}

static void
up_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Link *link = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (n <= 0 || link->closed)
    {
      link_close (link);
      return;
    }
  if (link->proxy->losing && n > 5)
    {
      if (memcmp (link->up_buf, "GET /v1/events", 14) == 0
          && g_strstr_len ((char *) link->up_buf, n, "Upgrade") != NULL)
        {
          link_close (link);
          return;
        }
      if (memcmp (link->up_buf, "POST ", 5) == 0
          && g_strstr_len ((char *) link->up_buf, n, "/messages ") != NULL)
        {
          link->doomed = TRUE;
          link->proxy->posts_lost++;
        }
    }
  g_output_stream_write_all_async (g_io_stream_get_output_stream (link->upstream), link->up_buf, n,
                                   G_PRIORITY_DEFAULT, NULL, up_written_cb, link);
}

static void
pump_up (Link *link)
{
  g_input_stream_read_async (g_io_stream_get_input_stream (link->client), link->up_buf,
                             sizeof link->up_buf, G_PRIORITY_DEFAULT, NULL, up_read_cb, link);
}

static void
down_written_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Link *link = user_data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL))
    link_close (link);
  else if (!link->closed)
    pump_down (link);
}

static void
down_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Link *link = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  /* The service answered a post whose reply is to be lost. */
  if (n <= 0 || link->closed || link->doomed)
    {
      link_close (link);
      return;
    }
  g_output_stream_write_all_async (g_io_stream_get_output_stream (link->client), link->down_buf, n,
                                   G_PRIORITY_DEFAULT, NULL, down_written_cb, link);
}

static void
pump_down (Link *link)
{
  g_input_stream_read_async (g_io_stream_get_input_stream (link->upstream), link->down_buf,
                             sizeof link->down_buf, G_PRIORITY_DEFAULT, NULL, down_read_cb, link);
}

static void
upstream_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Link *link = user_data;
  GSocketConnection *connection
      = g_socket_client_connect_to_host_finish (G_SOCKET_CLIENT (source), result, NULL);

  g_object_unref (source);
  if (connection == NULL || link->closed)
    {
      if (connection != NULL)
        g_socket_close (g_socket_connection_get_socket (connection), NULL);
      g_clear_object (&connection);
      link_close (link);
      return;
    }
  link->upstream = G_IO_STREAM (connection);
  pump_up (link);
  pump_down (link);
}

static gboolean
incoming_cb (GSocketService *service, GSocketConnection *connection, GObject *source, Proxy *proxy)
{
  Link *link = g_new0 (Link, 1);
  GSocketClient *client = g_socket_client_new ();

  link->proxy = proxy;
  link->client = G_IO_STREAM (g_object_ref (connection));
  g_ptr_array_add (proxy->links, link);
  g_socket_client_connect_to_host_async (client, "127.0.0.1", proxy->upstream_port, NULL,
                                         upstream_cb, link);
  return TRUE;
}

static void
proxy_set_losing (Proxy *proxy, gboolean losing)
{
  proxy->losing = losing;
  /* Connections open now (the event stream among them) go. */
  if (losing)
    for (guint i = 0; i < proxy->links->len; i++)
      link_close (g_ptr_array_index (proxy->links, i));
}

/* A post that reached the service but whose reply was lost: sending it
 * again sends the same clientMessageId, and there is one message, not two. */
static void
test_reply_lost (void)
{
  g_autoptr (GError) error = NULL;
  FoyerTestService *service = foyer_test_service_new ();
  g_autoptr (FoyerSession) alice = foyer_session_new ();
  g_autoptr (FoyerSession) bob = foyer_session_new ();
  g_autoptr (FoyerSpaceItem) space = NULL;
  g_autoptr (GUri) uri = NULL;
  g_autofree char *proxy_url = NULL;
  FoyerSpaceItem *bob_space;
  FoyerMessageItem *item;
  Proxy proxy = { 0 };
  SpaceWait for_bob;
  DocWait sent, at_bob;

  g_assert_nonnull (service);
  uri = g_uri_parse (foyer_test_service_get_base_url (service), G_URI_FLAGS_NONE, &error);
  g_assert_no_error (error);
  proxy.upstream_port = g_uri_get_port (uri);
  /* Links outlive the test's end on purpose: callbacks may still be due. */
  proxy.links = g_ptr_array_new ();
  proxy.listener = g_socket_service_new ();
  {
    g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
    g_autoptr (GSocketAddress) effective = NULL;

    g_assert_true (g_socket_listener_add_address (G_SOCKET_LISTENER (proxy.listener), address,
                                                  G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                                  &effective, &error));
    g_assert_no_error (error);
    proxy.port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  }
  g_signal_connect (proxy.listener, "incoming", G_CALLBACK (incoming_cb), &proxy);
  proxy_url = g_strdup_printf ("http://127.0.0.1:%u", proxy.port);

  sign_in (alice, proxy_url, FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD);
  sign_in (bob, foyer_test_service_get_base_url (service), FOYER_TEST_BOB_EMAIL,
           FOYER_TEST_BOB_PASSWORD);
  g_assert_true (foyer_ui_test_wait_until (session_online, alice, 20000));
  space = create_space (alice, "Lost replies");
  foyer_session_open_space (alice, space);
  foyer_session_send_text (alice, space, "Before the outage");
  g_assert_true (foyer_ui_test_wait_until (text_sent, space, 20000));
  for_bob = (SpaceWait){ bob, foyer_space_item_get_id (space) };
  g_assert_true (foyer_ui_test_wait_until (space_known, &for_bob, 20000));
  bob_space = foyer_session_find_space (bob, for_bob.space_id);
  foyer_session_open_space (bob, bob_space);

  /* Nothing else waits in the outbox (a retry of the first message would
   * go first and fail for the document), then every attempt reaches the
   * service and no reply comes back. */
  g_assert_true (foyer_ui_test_wait_until (outbox_idle, alice, 20000));
  proxy_set_losing (&proxy, TRUE);
  foyer_session_share_document (alice, space, REF_JSON, NULL);
  item = find_document (space);
  g_assert_nonnull (item);
  g_assert_true (foyer_ui_test_wait_until (document_waits, space, 30000));
  g_assert_cmpuint (proxy.posts_lost, >=, 2);
  /* The service stored it once, whatever the number of attempts. */
  at_bob = (DocWait){ bob_space, FOYER_MESSAGE_STATE_SENT, 1 };
  if (!foyer_ui_test_wait_until (documents_at_least, &at_bob, 30000))
    {
      g_autofree char *service_log = NULL;

      g_file_get_contents (foyer_test_service_get_log_path (service), &service_log, NULL, NULL);
      g_test_message ("posts lost %u; service log:\n%s", proxy.posts_lost, service_log);
      g_assert_not_reached ();
    }
  g_assert_cmpuint (count_documents (bob_space, FOYER_MESSAGE_STATE_SENT), ==, 1);

  /* Replies come through again; sending it again answers with the stored
   * message. */
  proxy_set_losing (&proxy, FALSE);
  g_assert_true (foyer_session_retry_message (alice, space, foyer_message_item_get_id (item)));
  sent = (DocWait){ space, FOYER_MESSAGE_STATE_SENT, 1 };
  g_assert_true (foyer_ui_test_wait_until (documents_are, &sent, 30000));
  g_assert_cmpuint (count_documents (space, FOYER_MESSAGE_STATE_FAILED), ==, 0);
  g_assert_cmpuint (count_documents (space, FOYER_MESSAGE_STATE_PENDING), ==, 0);

  /* Bob's copy stays one, after the retry and any late event. */
  g_assert_true (foyer_ui_test_wait_until (session_online, alice, 20000));
  {
    g_autoptr (FoyerSession) carol_view = foyer_session_new ();
    FoyerSpaceItem *fresh;
    SpaceWait for_fresh;
    DocWait fresh_one;

    /* Bob again, from the service's own history rather than live events. */
    sign_in (carol_view, foyer_test_service_get_base_url (service), FOYER_TEST_BOB_EMAIL,
             FOYER_TEST_BOB_PASSWORD);
    for_fresh = (SpaceWait){ carol_view, foyer_space_item_get_id (space) };
    g_assert_true (foyer_ui_test_wait_until (space_known, &for_fresh, 20000));
    fresh = foyer_session_find_space (carol_view, for_fresh.space_id);
    foyer_session_open_space (carol_view, fresh);
    fresh_one = (DocWait){ fresh, FOYER_MESSAGE_STATE_SENT, 1 };
    g_assert_true (foyer_ui_test_wait_until (documents_are, &fresh_one, 20000));
    g_assert_true (foyer_ui_test_wait_until (text_sent, fresh, 20000));
    g_assert_cmpuint (
        g_list_model_get_n_items (G_LIST_MODEL (foyer_space_item_get_messages (fresh))), ==, 2);
    foyer_session_disconnect (carol_view);
  }
  g_assert_cmpuint (count_documents (bob_space, FOYER_MESSAGE_STATE_SENT), ==, 1);

  foyer_session_disconnect (alice);
  foyer_session_disconnect (bob);
  g_socket_service_stop (proxy.listener);
  g_socket_listener_close (G_SOCKET_LISTENER (proxy.listener));
  g_clear_object (&proxy.listener);
  for (guint i = 0; i < proxy.links->len; i++)
    link_close (g_ptr_array_index (proxy.links, i));
  g_assert_true (foyer_test_service_stop (service));
  foyer_test_service_free (service);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;

  foyer_ui_test_init (&argc, &argv);
  foyer_ui_test_notifications ();
  app = foyer_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));

  g_test_add_func ("/share/retry/service-down", test_service_down);
  g_test_add_func ("/share/retry/reply-lost", test_reply_lost);

  return g_test_run ();
}
