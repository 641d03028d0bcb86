/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The app's spaces and messages against a real foyer-service on loopback:
 * Alice in a real window, Bob as a second session in the same process.
 */
#include "config.h"

#include <adwaita.h>

#include "foyer-application.h"
#include "foyer-chat-client.h"
#include "foyer-jwe.h"
#include "foyer-kms-client.h"
#include "foyer-microsoft-account.h"
#include "foyer-preferences-window.h"
#include "foyer-session.h"
#include "foyer-store.h"
#include "foyer-test-service.h"
#include "foyer-test-util.h"
#include "foyer-ui-test.h"
#include "foyer-window.h"

static FoyerApplication *app;

typedef struct
{
  FoyerTestService *service;
  FoyerSession *alice;
  FoyerSession *bob;
  FoyerWindow *window;
} Fixture;

static void
sign_in (FoyerSession *session, Fixture *f, const char *email, const char *password)
{
  FoyerTestWait wait = { NULL };
  g_autoptr (GError) error = NULL;

  foyer_session_sign_in_async (session, foyer_test_service_get_base_url (f->service), email,
                               password, NULL, foyer_test_wait_cb, &wait);
  g_assert_true (foyer_session_sign_in_finish (session, foyer_test_wait (&wait), &error));
  g_assert_no_error (error);
  g_object_unref (wait.result);
}

static gboolean
session_online (gpointer data)
{
  return foyer_session_get_state (FOYER_SESSION (data)) == FOYER_SESSION_ONLINE;
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  f->service = foyer_test_service_new ();
  g_assert_nonnull (f->service);
  f->alice = foyer_application_get_session (app);
  f->bob = foyer_session_new ();

  f->window = foyer_window_new (GTK_APPLICATION (app), f->alice, NULL);
  gtk_window_present (GTK_WINDOW (f->window));

  sign_in (f->alice, f, FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD);
  sign_in (f->bob, f, FOYER_TEST_BOB_EMAIL, FOYER_TEST_BOB_PASSWORD);
  g_assert_true (foyer_ui_test_wait_until (session_online, f->alice, 20000));
  g_assert_true (foyer_ui_test_wait_until (session_online, f->bob, 20000));
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  gtk_window_destroy (GTK_WINDOW (f->window));
  foyer_session_disconnect (f->alice);
  foyer_session_disconnect (f->bob);
  g_clear_object (&f->bob);
  g_assert_true (foyer_test_service_stop (f->service));
  foyer_test_service_free (f->service);
}

static FoyerSpaceItem *
create_space (Fixture *f, const char *title, const char *const *emails)
{
  FoyerTestWait wait = { NULL };
  g_autoptr (GError) error = NULL;
  FoyerSpaceItem *space;

  foyer_session_create_space_async (f->alice, title, emails, NULL, foyer_test_wait_cb, &wait);
  space = foyer_session_create_space_finish (f->alice, foyer_test_wait (&wait), &error);
  g_assert_no_error (error);
  g_assert_nonnull (space);
  g_object_unref (wait.result);
  return space;
}

typedef struct
{
  FoyerSession *session;
  const char *id;
  const char *title;
} SpaceWait;

static gboolean
space_arrived (gpointer data)
{
  SpaceWait *w = data;
  FoyerSpaceItem *space = foyer_session_find_space (w->session, w->id);

  return space != NULL && g_strcmp0 (foyer_space_item_get_title (space), w->title) == 0;
}

static gboolean
space_gone (gpointer data)
{
  SpaceWait *w = data;

  return foyer_session_find_space (w->session, w->id) == NULL;
}

typedef struct
{
  FoyerSpaceItem *space;
  const char *body;
  FoyerMessageState state;
} MessageWait;

static FoyerMessageItem *
find_message (FoyerSpaceItem *space, const char *body, FoyerMessageState state)
{
  GListModel *list = G_LIST_MODEL (foyer_space_item_get_messages (space));

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr (FoyerMessageItem) item = g_list_model_get_item (list, i);

      if (foyer_message_item_get_state (item) == state
          && (body == NULL || g_strcmp0 (foyer_message_item_get_body (item), body) == 0))
        return item;
    }

  return NULL;
}

/* Shown as not sent yet: pending, or failed (waiting for the service). */
static gboolean
message_unsent (gpointer data)
{
  MessageWait *w = data;

  return find_message (w->space, w->body, FOYER_MESSAGE_STATE_PENDING) != NULL
         || find_message (w->space, w->body, FOYER_MESSAGE_STATE_FAILED) != NULL;
}

static gboolean
message_arrived (gpointer data)
{
  MessageWait *w = data;

  return find_message (w->space, w->body, w->state) != NULL;
}

static void
test_create_space_and_talk (Fixture *f, gconstpointer data)
{
  const char *const members[] = { FOYER_TEST_BOB_EMAIL, NULL };
  g_autoptr (FoyerSpaceItem) space = create_space (f, "Launch <plans> & more", members);
  SpaceWait for_bob = { f->bob, foyer_space_item_get_id (space), "Launch <plans> & more" };
  MessageWait at_bob
      = { NULL, "Hello Bob, see https://contoso.sharepoint.com/x", FOYER_MESSAGE_STATE_SENT };
  MessageWait at_alice = { space, "Hi Alice!", FOYER_MESSAGE_STATE_SENT };
  GtkTextBuffer *buffer;
  FoyerSpaceItem *bob_space;
  FoyerMessageItem *received;
  g_autofree char *png = NULL;

  /* The space and its decrypted title reach Bob live. */
  g_assert_true (foyer_ui_test_wait_until (space_arrived, &for_bob, 20000));
  bob_space = foyer_session_find_space (f->bob, foyer_space_item_get_id (space));
  foyer_session_open_space (f->bob, bob_space);

  /* Alice writes in the real window; Bob receives it decrypted. */
  foyer_window_open_space (f->window, space);
  g_assert_true (foyer_window_get_current_space (f->window) == space);
  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (
      foyer_ui_test_child (GTK_WIDGET (f->window), FOYER_TYPE_WINDOW, "composer_view")));
  gtk_text_buffer_set_text (buffer, at_bob.body, -1);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "win.send", NULL);
  at_bob.space = bob_space;
  g_assert_true (foyer_ui_test_wait_until (message_arrived, &at_bob, 20000));
  received = find_message (bob_space, at_bob.body, FOYER_MESSAGE_STATE_SENT);
  g_assert_cmpstr (foyer_message_item_get_author_id (received), ==,
                   foyer_session_get_person_id (f->alice));

  /* Alice's own copy went from pending to sent, exactly once. */
  g_assert_true (foyer_ui_test_wait_until (
      message_arrived, &(MessageWait){ space, at_bob.body, FOYER_MESSAGE_STATE_SENT }, 20000));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (foyer_space_item_get_messages (space))),
                    ==, 1);

  /* Bob answers; it appears in Alice's window. */
  foyer_session_send_text (f->bob, bob_space, at_alice.body);
  g_assert_true (foyer_ui_test_wait_until (message_arrived, &at_alice, 20000));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (foyer_space_item_get_messages (space))),
                    ==, 2);

  foyer_ui_test_wait_for_draw (GTK_WIDGET (f->window));
  png = foyer_ui_test_save_png (GTK_WIDGET (f->window), "spaces-live");

  /* Alice removes Bob: the space leaves Bob's list at once. */
  {
    FoyerTestWait wait = { NULL };
    g_autoptr (GError) error = NULL;

    foyer_session_remove_member_by_email_async (f->alice, space, FOYER_TEST_BOB_EMAIL, NULL,
                                                foyer_test_wait_cb, &wait);
    g_assert_true (foyer_session_remove_member_finish (f->alice, foyer_test_wait (&wait), &error));
    g_assert_no_error (error);
    g_object_unref (wait.result);
    g_assert_true (foyer_ui_test_wait_until (space_gone, &for_bob, 20000));
  }

  /* An address nobody in the organization has: adding it says so, and a
   * new space with it names it. */
  {
    FoyerTestWait wait = { NULL };
    g_autoptr (GError) error = NULL;
    const char *const nobody[] = { "nobody@nowhere.invalid", NULL };

    foyer_session_add_member_async (f->alice, space, nobody[0], NULL, foyer_test_wait_cb, &wait);
    g_assert_false (foyer_session_add_member_finish (f->alice, foyer_test_wait (&wait), &error));
    g_assert_error (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_NOT_FOUND);
    g_clear_object (&wait.result);
    g_clear_error (&error);

    foyer_session_create_space_async (f->alice, "Nobody", nobody, NULL, foyer_test_wait_cb, &wait);
    g_assert_null (foyer_session_create_space_finish (f->alice, foyer_test_wait (&wait), &error));
    g_assert_error (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_NOT_FOUND);
    g_assert_nonnull (g_strstr_len (error->message, -1, nobody[0]));
    g_clear_object (&wait.result);
  }
}

static void
raw_post_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  FoyerTestWait *wait = user_data;

  wait->result = g_object_ref (result);
}

static gboolean
notified (gpointer data)
{
  return foyer_ui_test_notifications ()->len > 0;
}

/* A client that encrypts with a key nobody can fetch, or encrypts bytes
 * that are not text: the app shows why instead of breaking. */
static void
test_undecryptable (Fixture *f, gconstpointer data)
{
  const char *const members[] = { FOYER_TEST_BOB_EMAIL, NULL };
  g_autoptr (FoyerSpaceItem) space = create_space (f, "Robustness", members);
  SpaceWait for_bob = { f->bob, foyer_space_item_get_id (space), "Robustness" };
  g_autoptr (FoyerChatClient) raw
      = foyer_chat_client_new (foyer_test_service_get_base_url (f->service));
  guint8 key[32] = { 1, 2, 3 };
  g_autofree char *kid = g_strdup_printf ("kms://%s/keys/does-not-exist", "localhost");
  g_autofree char *jwe = NULL;
  g_autoptr (GError) error = NULL;
  FoyerTestWait wait = { NULL };
  MessageWait undecryptable = { space, NULL, FOYER_MESSAGE_STATE_UNDECRYPTABLE };
  FoyerMessageItem *item;

  g_assert_true (foyer_ui_test_wait_until (space_arrived, &for_bob, 20000));

  foyer_chat_client_login_async (raw, FOYER_TEST_BOB_EMAIL, FOYER_TEST_BOB_PASSWORD, NULL,
                                 raw_post_cb, &wait);
  g_clear_pointer (&error, g_error_free);
  g_assert_nonnull (foyer_chat_client_call_finish (raw, foyer_test_wait (&wait), &error));
  g_clear_object (&wait.result);

  jwe = foyer_jwe_encrypt_string (key, sizeof key, kid, "you cannot read me", &error);
  g_assert_no_error (error);
  foyer_chat_client_post_message_async (raw, foyer_space_item_get_id (space), "raw-1", kid, jwe,
                                        NULL, NULL, raw_post_cb, &wait);
  {
    g_autoptr (JsonNode) reply
        = foyer_chat_client_call_finish (raw, foyer_test_wait (&wait), &error);
    g_assert_no_error (error);
    g_assert_nonnull (reply);
  }
  g_clear_object (&wait.result);

  g_assert_true (foyer_ui_test_wait_until (message_arrived, &undecryptable, 20000));
  item = find_message (space, NULL, FOYER_MESSAGE_STATE_UNDECRYPTABLE);
  g_assert_nonnull (foyer_message_item_get_error (item));
  g_assert_cmpstr (foyer_message_item_get_error (item), !=, "");

  /* The space is not in view: Alice is told a message came, by whom and where. */
  g_assert_true (foyer_ui_test_wait_until (notified, NULL, 10000));
  g_assert_nonnull (strstr (g_ptr_array_index (foyer_ui_test_notifications (), 0), "Robustness"));
  g_assert_nonnull (strstr (g_ptr_array_index (foyer_ui_test_notifications (), 0), "Bob"));
  g_assert_cmpuint (foyer_space_item_get_unread_count (space), ==, 1);

  /* Opening it puts "New messages" before what came while away, and reads it. */
  foyer_session_open_space (f->alice, space);
  g_assert_true (foyer_message_item_get_show_unread_marker (item));
  g_assert_cmpuint (foyer_space_item_get_unread_count (space), ==, 0);
}

static gboolean
session_offline (gpointer data)
{
  return foyer_session_get_state (FOYER_SESSION (data)) == FOYER_SESSION_OFFLINE;
}

static gboolean
file_contains (const char *path, const char *needle)
{
  g_autofree char *contents = NULL;
  gsize len = 0;

  return g_file_get_contents (path, &contents, &len, NULL)
         && g_strstr_len (contents, len, needle) != NULL;
}

/* Restarted while the service is down: the spaces and recent messages come
 * from the encrypted local store; a message written meanwhile is sent once
 * when the service is back. */
static void
test_offline_start (Fixture *f, gconstpointer data)
{
  const char *const members[] = { FOYER_TEST_BOB_EMAIL, NULL };
  g_autofree char *db = g_build_filename (g_getenv ("FOYER_TEST_WORKDIR"), "cache.db", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerStore) store = foyer_store_open_sync (db, "offline-test", NULL, &error);
  g_autoptr (FoyerSession) again = foyer_session_new ();
  g_autoptr (FoyerSession) third = foyer_session_new ();
  g_autoptr (FoyerSpaceItem) space = NULL;
  FoyerSpaceItem *cached;
  SpaceWait for_bob = { f->bob, NULL, "Quarterly <numbers>" };
  MessageWait at_bob = { NULL, "Offline thought", FOYER_MESSAGE_STATE_SENT };
  MessageWait cached_message = { NULL, "Before the outage", FOYER_MESSAGE_STATE_SENT };
  MessageWait sent_back = { space, "Before the outage", FOYER_MESSAGE_STATE_SENT };
  MessageWait unsent = { NULL, "Offline thought", FOYER_MESSAGE_STATE_PENDING };
  MessageWait mine_sent = { NULL, "Offline thought", FOYER_MESSAGE_STATE_SENT };
  const char *suffixes[] = { "", "-wal", "-shm" };
  FoyerTestWait wait = { NULL };

  g_assert_no_error (error);
  foyer_session_set_store (f->alice, store);
  /* Sign in again so that the cache knows who it belongs to. */
  sign_in (f->alice, f, FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD);
  g_assert_true (foyer_ui_test_wait_until (session_online, f->alice, 20000));

  space = create_space (f, "Quarterly <numbers>", members);
  foyer_session_open_space (f->alice, space);
  foyer_session_send_text (f->alice, space, "Before the outage");
  sent_back.space = space;
  g_assert_true (foyer_ui_test_wait_until (message_arrived, &sent_back, 20000));
  for_bob.id = foyer_space_item_get_id (space);
  g_assert_true (foyer_ui_test_wait_until (space_arrived, &for_bob, 20000));

  /* Quit (the cache is written), and the service goes away. */
  foyer_session_disconnect (f->alice);
  g_assert_true (foyer_test_service_stop (f->service));

  foyer_session_set_store (again, store);
  foyer_session_restore_async (again, foyer_test_service_get_base_url (f->service), NULL,
                               foyer_test_wait_cb, &wait);
  g_assert_true (foyer_session_restore_finish (again, foyer_test_wait (&wait), &error));
  g_assert_no_error (error);
  g_clear_object (&wait.result);
  g_assert_cmpint (foyer_session_get_state (again), ==, FOYER_SESSION_OFFLINE);

  for_bob.session = again;
  g_assert_true (foyer_ui_test_wait_until (space_arrived, &for_bob, 10000));
  cached = foyer_session_find_space (again, for_bob.id);
  cached_message.space = cached;
  /* Messages are read from the cache when the space is opened. */
  g_assert_cmpuint (
      g_list_model_get_n_items (G_LIST_MODEL (foyer_space_item_get_messages (cached))), ==, 0);
  foyer_session_open_space (again, cached);
  if (!foyer_ui_test_wait_until (message_arrived, &cached_message, 20000))
    {
      GListModel *list = G_LIST_MODEL (foyer_space_item_get_messages (cached));

      for (guint i = 0; i < g_list_model_get_n_items (list); i++)
        {
          g_autoptr (FoyerMessageItem) item = g_list_model_get_item (list, i);

          g_test_message ("cached message %u: state %d, body %s", i,
                          foyer_message_item_get_state (item), foyer_message_item_get_body (item));
        }
      g_error ("the cached message was not shown (%u messages)", g_list_model_get_n_items (list));
    }

  /* Nothing readable on disk. */
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (db, suffixes[i], NULL);

      g_assert_false (file_contains (path, "Quarterly"));
      g_assert_false (file_contains (path, "Before the outage"));
    }

  /* Written offline, and the app quits before the service is back: the
   * message is kept (sealed), shown again at the next start, and sent
   * once the service is back. */
  foyer_session_send_text (again, cached, "Offline thought");
  g_assert_true (session_offline (again));
  g_assert_nonnull (find_message (cached, "Offline thought", FOYER_MESSAGE_STATE_PENDING));
  foyer_session_disconnect (again);

  foyer_session_set_store (third, store);
  foyer_session_restore_async (third, foyer_test_service_get_base_url (f->service), NULL,
                               foyer_test_wait_cb, &wait);
  g_assert_true (foyer_session_restore_finish (third, foyer_test_wait (&wait), &error));
  g_assert_no_error (error);
  g_clear_object (&wait.result);
  for_bob.session = third;
  g_assert_true (foyer_ui_test_wait_until (space_arrived, &for_bob, 10000));
  cached = foyer_session_find_space (third, for_bob.id);
  foyer_session_open_space (third, cached);
  unsent.space = cached;
  g_assert_true (foyer_ui_test_wait_until (message_unsent, &unsent, 10000));
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (db, suffixes[i], NULL);

      g_assert_false (file_contains (path, "Offline thought"));
    }

  g_assert_true (foyer_test_service_restart (f->service, &error));
  g_assert_no_error (error);
  g_assert_true (foyer_ui_test_wait_until (session_online, third, 30000));
  mine_sent.space = cached;
  g_assert_true (foyer_ui_test_wait_until (message_arrived, &mine_sent, 30000));

  at_bob.space = foyer_session_find_space (f->bob, for_bob.id);
  foyer_session_open_space (f->bob, at_bob.space);
  g_assert_true (foyer_ui_test_wait_until (message_arrived, &at_bob, 30000));
  /* Exactly once, though it waited through a reconnection. */
  {
    GListModel *bob_list = G_LIST_MODEL (foyer_space_item_get_messages (at_bob.space));
    guint copies = 0;

    for (guint i = 0; i < g_list_model_get_n_items (bob_list); i++)
      {
        g_autoptr (FoyerMessageItem) item = g_list_model_get_item (bob_list, i);

        copies += g_strcmp0 (foyer_message_item_get_body (item), "Offline thought") == 0;
      }
    g_assert_cmpuint (copies, ==, 1);
  }
  foyer_session_disconnect (third);
  foyer_session_set_store (f->alice, NULL);
}

static gboolean
policy_known (gpointer data)
{
  const GError *error = NULL;

  return foyer_session_get_org_policy (FOYER_SESSION (data), &error) != NULL || error != NULL;
}

static void
put_settings (FoyerSession *who,
              Fixture *f,
              const char *email,
              const char *password,
              const char *json,
              GError **error)
{
  g_autoptr (FoyerChatClient) raw
      = foyer_chat_client_new (foyer_test_service_get_base_url (f->service));
  g_autoptr (JsonNode) settings = json_from_string (json, NULL);
  g_autoptr (JsonNode) person = NULL;
  g_autoptr (JsonNode) reply = NULL;
  FoyerTestWait wait = { NULL };

  foyer_chat_client_login_async (raw, email, password, NULL, foyer_test_wait_cb, &wait);
  person = foyer_chat_client_call_finish (raw, foyer_test_wait (&wait), NULL);
  g_assert_nonnull (person);
  g_clear_object (&wait.result);
  foyer_chat_client_put_org_settings_async (raw, settings, NULL, foyer_test_wait_cb, &wait);
  reply = foyer_chat_client_call_finish (raw, foyer_test_wait (&wait), error);
  g_clear_object (&wait.result);
}

static gboolean
policy_enabled (gpointer data)
{
  FoyerOrgPolicy *policy = foyer_session_get_org_policy (FOYER_SESSION (data), NULL);

  return policy != NULL && foyer_org_policy_get_enabled (policy);
}

static GtkWidget *
find_group (GtkWidget *widget, const char *title)
{
  if (ADW_IS_PREFERENCES_GROUP (widget)
      && g_strcmp0 (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (widget)), title) == 0)
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_group (child, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* The organization's Microsoft policy comes from the service; only an
 * administrator changes it. */
static void
test_org_policy (Fixture *f, gconstpointer data)
{
  const char *enabled
      = "{\"microsoft\":{\"enabled\":true,\"tenantId\":\"11111111-2222-3333-4444-555555555555\","
        "\"clientId\":\"66666666-7777-8888-9999-000000000000\",\"cloud\":\"worldwide\","
        "\"audiences\":[\"organization\",\"space\"],\"defaultAudience\":\"space\","
        "\"defaultLinkType\":\"edit\",\"signIn\":\"browser\"}}";
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerSession) later = foyer_session_new ();
  FoyerOrgPolicy *policy;

  g_assert_true (foyer_ui_test_wait_until (policy_known, f->bob, 10000));
  policy = foyer_session_get_org_policy (f->bob, NULL);
  g_assert_nonnull (policy);
  g_assert_false (foyer_org_policy_get_enabled (policy));

  put_settings (f->bob, f, FOYER_TEST_BOB_EMAIL, FOYER_TEST_BOB_PASSWORD, enabled, &error);
  g_assert_error (error, FOYER_CHAT_ERROR, FOYER_CHAT_ERROR_FORBIDDEN);
  g_clear_error (&error);
  put_settings (f->alice, f, FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD, enabled, &error);
  g_assert_no_error (error);

  sign_in (later, f, FOYER_TEST_BOB_EMAIL, FOYER_TEST_BOB_PASSWORD);
  g_assert_true (foyer_ui_test_wait_until (policy_known, later, 10000));
  policy = foyer_session_get_org_policy (later, NULL);
  g_assert_nonnull (policy);
  g_assert_true (foyer_org_policy_get_enabled (policy));
  g_assert_cmpstr (foyer_org_policy_get_tenant_id (policy), ==,
                   "11111111-2222-3333-4444-555555555555");
  g_assert_cmpint (foyer_org_policy_get_default_audience (policy), ==, FOYER_LINK_AUDIENCE_SPACE);
  g_assert_false (foyer_org_policy_allows_audience (policy, FOYER_LINK_AUDIENCE_ANYONE));
  g_assert_true (foyer_org_policy_get_browser_sign_in (policy));
  foyer_session_disconnect (later);

  /* The administrator's page: the form holds the policy, and saving it
   * goes back to the service. */
  {
    FoyerMicrosoftAccount *account = foyer_application_get_microsoft_account (app);
    FoyerPreferencesWindow *preferences;
    g_autoptr (JsonNode) settings = NULL;
    g_autofree char *text = NULL;
    GtkWidget *group;

    g_assert_true (foyer_ui_test_wait_until (policy_known, f->alice, 10000));
    /* Alice's session read the policy before her own change: sign in again. */
    sign_in (f->alice, f, FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD);
    g_assert_true (foyer_ui_test_wait_until (policy_enabled, f->alice, 10000));
    preferences = foyer_preferences_window_new (GTK_WINDOW (f->window), f->alice, account);
    gtk_window_present (GTK_WINDOW (preferences));
    group = find_group (GTK_WIDGET (preferences), "Microsoft OneDrive and SharePoint");
    g_assert_nonnull (group);
    g_assert_true (
        gtk_widget_get_visible (gtk_widget_get_ancestor (group, ADW_TYPE_PREFERENCES_PAGE)));
    settings = foyer_preferences_window_dup_settings (preferences);
    text = json_to_string (settings, FALSE);
    g_assert_nonnull (strstr (text, "\"tenantId\":\"11111111-2222-3333-4444-555555555555\""));
    g_assert_nonnull (strstr (text, "\"defaultAudience\":\"space\""));
    g_assert_nonnull (strstr (text, "\"defaultLinkType\":\"edit\""));
    g_assert_nonnull (strstr (text, "\"signIn\":\"browser\""));
    g_assert_null (strstr (text, "\"anyone\""));
    foyer_ui_test_wait_for_draw (GTK_WIDGET (preferences));
    g_free (foyer_ui_test_save_png (GTK_WIDGET (preferences), "preferences-admin"));
    gtk_window_destroy (GTK_WINDOW (preferences));

    /* Bob is not an administrator: no organization settings for him. */
    preferences = foyer_preferences_window_new (GTK_WINDOW (f->window), f->bob, account);
    group = find_group (GTK_WIDGET (preferences), "Microsoft OneDrive and SharePoint");
    g_assert_false (
        gtk_widget_get_visible (gtk_widget_get_ancestor (group, ADW_TYPE_PREFERENCES_PAGE)));
    gtk_window_destroy (GTK_WINDOW (preferences));
  }
}

/* After Carol is removed, what Alice then says is sealed with a new key
 * of the space, which Bob gets and Carol cannot. */
static void
test_removal_rotates_key (Fixture *f, gconstpointer data)
{
  const char *const members[] = { FOYER_TEST_BOB_EMAIL, FOYER_TEST_CAROL_EMAIL, NULL };
  g_autoptr (FoyerSpaceItem) space = create_space (f, "Board", members);
  SpaceWait for_bob = { f->bob, foyer_space_item_get_id (space), "Board" };
  MessageWait at_bob = { NULL, "After Carol left", FOYER_MESSAGE_STATE_SENT };
  MessageWait at_alice = { space, "After Carol left", FOYER_MESSAGE_STATE_SENT };
  g_autoptr (FoyerChatClient) carol
      = foyer_chat_client_new (foyer_test_service_get_base_url (f->service));
  g_autoptr (FoyerChatClient) alice
      = foyer_chat_client_new (foyer_test_service_get_base_url (f->service));
  g_autoptr (FoyerKmsClient) carol_kms = NULL;
  g_autoptr (JsonNode) reply = NULL;
  g_autoptr (GError) error = NULL;
  FoyerTestWait wait = { NULL };
  const char *key_uri;

  g_assert_true (foyer_ui_test_wait_until (space_arrived, &for_bob, 20000));
  at_bob.space = foyer_session_find_space (f->bob, foyer_space_item_get_id (space));
  foyer_session_open_space (f->bob, at_bob.space);

  foyer_session_remove_member_by_email_async (f->alice, space, FOYER_TEST_CAROL_EMAIL, NULL,
                                              foyer_test_wait_cb, &wait);
  g_assert_true (foyer_session_remove_member_finish (f->alice, foyer_test_wait (&wait), &error));
  g_assert_no_error (error);
  foyer_test_wait_clear (&wait);

  foyer_session_send_text (f->alice, space, at_alice.body);
  g_assert_true (foyer_ui_test_wait_until (message_arrived, &at_alice, 20000));
  g_assert_true (foyer_ui_test_wait_until (message_arrived, &at_bob, 20000));

  /* The service knows the new key; Carol's KMS answer is no. */
  foyer_chat_client_login_async (alice, FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD, NULL,
                                 foyer_test_wait_cb, &wait);
  g_clear_pointer (&reply, json_node_unref);
  reply = foyer_chat_client_call_finish (alice, foyer_test_wait (&wait), &error);
  g_assert_no_error (error);
  foyer_test_wait_clear (&wait);
  foyer_chat_client_get_space_async (alice, foyer_space_item_get_id (space), NULL,
                                     foyer_test_wait_cb, &wait);
  g_clear_pointer (&reply, json_node_unref);
  reply = foyer_chat_client_call_finish (alice, foyer_test_wait (&wait), &error);
  g_assert_no_error (error);
  foyer_test_wait_clear (&wait);
  key_uri = json_object_get_string_member (json_node_get_object (reply), "keyUri");
  g_assert_nonnull (key_uri);
  g_assert_false (
      json_object_get_boolean_member (json_node_get_object (reply), "keyRotationNeeded"));

  foyer_chat_client_login_async (carol, FOYER_TEST_CAROL_EMAIL, FOYER_TEST_CAROL_PASSWORD, NULL,
                                 foyer_test_wait_cb, &wait);
  {
    g_autoptr (JsonNode) me
        = foyer_chat_client_call_finish (carol, foyer_test_wait (&wait), &error);

    g_assert_no_error (error);
    foyer_test_wait_clear (&wait);
  }
  carol_kms = foyer_kms_client_new (foyer_chat_client_get_session (carol),
                                    foyer_test_service_get_kms_url (f->service));
  foyer_kms_client_set_token (carol_kms, foyer_chat_client_get_token (carol));
  foyer_kms_client_get_key_async (carol_kms, key_uri, NULL, foyer_test_wait_cb, &wait);
  g_assert_null (foyer_kms_client_get_key_finish (carol_kms, foyer_test_wait (&wait), &error));
  g_assert_error (error, FOYER_KMS_ERROR, FOYER_KMS_ERROR_FORBIDDEN);
  foyer_test_wait_clear (&wait);
}

typedef struct
{
  const char *path;
  const char *needle;
} LogWait;

static gboolean
log_has (gpointer data)
{
  LogWait *w = data;
  g_autofree char *text = NULL;

  return g_file_get_contents (w->path, &text, NULL, NULL) && strstr (text, w->needle) != NULL;
}

/* Signing out ends the session at the service, not only on this device:
 * a copied token is worthless from then on. */
static void
test_sign_out_ends_session (Fixture *f, gconstpointer data)
{
  g_autofree char *line = g_strdup_printf ("DELETE /v1/sessions/current 204 person=%s",
                                           foyer_session_get_person_id (f->bob));
  LogWait wait = { foyer_test_service_get_log_path (f->service), line };

  g_assert_false (log_has (&wait));
  foyer_session_sign_out (f->bob);
  g_assert_true (foyer_ui_test_wait_until (log_has, &wait, 20000));
  /* Alice, signed in elsewhere, is still online. */
  g_assert_true (session_online (f->alice));
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

  g_test_add ("/spaces/live/create-and-talk", Fixture, NULL, fixture_set_up,
              test_create_space_and_talk, fixture_tear_down);
  g_test_add ("/spaces/live/undecryptable", Fixture, NULL, fixture_set_up, test_undecryptable,
              fixture_tear_down);

  g_test_add ("/spaces/live/offline-start", Fixture, NULL, fixture_set_up, test_offline_start,
              fixture_tear_down);

  g_test_add ("/spaces/live/org-policy", Fixture, NULL, fixture_set_up, test_org_policy,
              fixture_tear_down);
  g_test_add ("/spaces/live/removal-rotates-key", Fixture, NULL, fixture_set_up,
              test_removal_rotates_key, fixture_tear_down);
  g_test_add ("/spaces/live/sign-out-ends-session", Fixture, NULL, fixture_set_up,
              test_sign_out_ends_session, fixture_tear_down);

  return g_test_run ();
}
