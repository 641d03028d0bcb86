/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <json-glib/json-glib.h>

#include "files-ui-test.h"
#include "foyer-document-item.h"
#include "foyer-share.h"
#include "foyer-test-org.h"
#include "foyer-test-util.h"
#include "foyer-ui-test.h"

#define STEP_MS 30000

static gboolean
online (gpointer data)
{
  return foyer_session_get_state (FOYER_SESSION (data)) == FOYER_SESSION_ONLINE;
}

void
files_ui_sign_in (FilesUi *f, FoyerSession *session, const char *email, const char *password)
{
  FoyerTestWait wait = { NULL };
  g_autoptr (GError) error = NULL;

  foyer_session_sign_in_async (session, foyer_test_service_get_base_url (f->service), email,
                               password, NULL, foyer_test_wait_cb, &wait);
  g_assert_true (foyer_session_sign_in_finish (session, foyer_test_wait (&wait), &error));
  g_assert_no_error (error);
  g_clear_object (&wait.result);
  g_assert_true (foyer_ui_test_wait_until (online, session, STEP_MS));
}

typedef struct
{
  FoyerSession *session;
  const char *id;
} SpaceWait;

static gboolean
space_ready (gpointer data)
{
  SpaceWait *w = data;
  FoyerSpaceItem *space = foyer_session_find_space (w->session, w->id);

  return space != NULL && foyer_space_item_get_title (space) != NULL
         && foyer_session_get_member_emails (w->session, space) != NULL;
}

FoyerSpaceItem *
files_ui_wait_space (FoyerSession *session, const char *space_id)
{
  SpaceWait wait = { session, space_id };

  g_assert_true (foyer_ui_test_wait_until (space_ready, &wait, STEP_MS));
  return foyer_session_find_space (session, space_id);
}

FoyerSpaceItem *
files_ui_create_space (FilesUi *f, FoyerSession *session, const char *title, const char *member)
{
  const char *const members[] = { member, NULL };
  FoyerTestWait wait = { NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerSpaceItem) space = NULL;

  foyer_session_create_space_async (session, title, members, NULL, foyer_test_wait_cb, &wait);
  space = foyer_session_create_space_finish (session, foyer_test_wait (&wait), &error);
  g_assert_no_error (error);
  g_clear_object (&wait.result);
  return files_ui_wait_space (session, foyer_space_item_get_id (space));
}

static const char *
document_title (FoyerMessageItem *item)
{
  GObject *attachment = foyer_message_item_get_attachment (item);
  const FoyerDocumentRef *ref = FOYER_IS_DOCUMENT_ITEM (attachment)
                                    ? foyer_document_item_get_ref (FOYER_DOCUMENT_ITEM (attachment))
                                    : NULL;

  return ref != NULL ? ref->title : NULL;
}

FoyerMessageItem *
files_ui_find_message (FoyerSpaceItem *space, const char *body, const char *title)
{
  GListModel *list = G_LIST_MODEL (foyer_space_item_get_messages (space));

  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr (FoyerMessageItem) item = g_list_model_get_item (list, i);

      if (foyer_message_item_get_state (item) != FOYER_MESSAGE_STATE_SENT)
        continue;
      if (body != NULL && g_strcmp0 (foyer_message_item_get_body (item), body) != 0)
        continue;
      if (title != NULL && g_strcmp0 (document_title (item), title) != 0)
        continue;
      return item; /* the list keeps it */
    }
  return NULL;
}

typedef struct
{
  FoyerSpaceItem *space;
  const char *body;
  const char *title;
} MessageWait;

static gboolean
message_there (gpointer data)
{
  MessageWait *w = data;

  return files_ui_find_message (w->space, w->body, w->title) != NULL;
}

void
files_ui_wait_message (FoyerSpaceItem *space, const char *body, const char *title)
{
  MessageWait wait = { space, body, title };

  if (!foyer_ui_test_wait_until (message_there, &wait, STEP_MS))
    g_error ("No message \"%s\" with the document \"%s\"", body ? body : "", title ? title : "");
}

void
files_ui_share_item (FilesUi *f, FoyerSpaceItem *space, const char *path)
{
  FoyerGraphClient *graph = foyer_microsoft_account_get_graph (f->account);
  g_autofree char *request = g_strdup_printf ("/me/drive/root:/%s", path);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autoptr (FoyerDriveItem) item = NULL;
  FoyerTestWait wait = { NULL };

  foyer_graph_client_request_async (graph, "GET", request, NULL, NULL, foyer_test_wait_cb, &wait);
  node = foyer_graph_client_request_finish (graph, foyer_test_wait (&wait), &error);
  g_assert_no_error (error);
  g_clear_object (&wait.result);
  item = foyer_drive_item_new_from_json (json_node_get_object (node), &error);
  g_assert_no_error (error);
  foyer_share_document_async (f->account, f->session, space, item, FOYER_LINK_TYPE_VIEW,
                              FOYER_LINK_AUDIENCE_ORGANIZATION, NULL, NULL, NULL,
                              foyer_test_wait_cb, &wait);
  g_assert_true (foyer_share_document_finish (foyer_test_wait (&wait), NULL, &error));
  g_assert_no_error (error);
  g_clear_object (&wait.result);
}

char *
files_ui_make_png (const char *dir, const char *name, int width, int height, guint seed)
{
  g_autoptr (GBytes) pixels = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  guint8 *data = g_malloc (width * height * 3);
  char *path = g_build_filename (dir, name, NULL);

  /* Soft bands of colour with some noise: it looks like a picture, and
   * does not compress away. */
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint8 *p = data + (y * width + x) * 3;

        p[0] = (x * 255 / width + g_rand_int_range (rand, 0, 24)) & 0xff;
        p[1] = (y * 255 / height + g_rand_int_range (rand, 0, 24)) & 0xff;
        p[2] = (160 + g_rand_int_range (rand, 0, 64)) & 0xff;
      }
  pixels = g_bytes_new_take (data, width * height * 3);
  texture = gdk_memory_texture_new (width, height, GDK_MEMORY_R8G8B8, pixels, width * 3);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  return path;
}

static gboolean
toplevel_shown (gpointer data)
{
  return foyer_ui_test_find_toplevel (*(GType *) data) != NULL;
}

static gboolean
toplevel_gone (gpointer data)
{
  return foyer_ui_test_find_toplevel (*(GType *) data) == NULL;
}

gpointer
files_ui_wait_toplevel (GType type)
{
  g_assert_true (foyer_ui_test_wait_until (toplevel_shown, &type, STEP_MS));
  return foyer_ui_test_find_toplevel (type);
}

gboolean
files_ui_wait_no_toplevel (GType type)
{
  return foyer_ui_test_wait_until (toplevel_gone, &type, STEP_MS);
}

void
files_ui_screenshot (GtkWidget *widget, const char *name)
{
  foyer_ui_test_wait_for_draw (widget);
  g_free (foyer_ui_test_save_png (widget, name));
}

GtkWidget *
files_ui_child (FilesUi *f, const char *name)
{
  return foyer_ui_test_child (GTK_WIDGET (f->window), FOYER_TYPE_WINDOW, name);
}

/* The app's start, as FoyerApplication does it: the store opened and given
 * to the session, the Microsoft account and the uploads; the window. */
static void
open_app (FilesUi *f)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *store_path = g_build_filename (g_get_user_data_dir (), "files-ui.db", NULL);

  f->store = foyer_store_open_sync (store_path, "files-ui", NULL, &error);
  g_assert_no_error (error);
  foyer_session_set_store (f->session, f->store);
  foyer_microsoft_account_set_store (f->account, f->store);
  foyer_file_uploads_set_store (f->uploads, f->store);

  f->window = foyer_window_new (GTK_APPLICATION (f->app), f->session, f->account);
  foyer_window_set_uploads (f->window, f->uploads);
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1000, 720);
  gtk_window_present (GTK_WINDOW (f->window));
}

/* Microsoft: Alice signed in before, the sign-in comes straight back. */
void
files_ui_connect_microsoft (FilesUi *f)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (
      foyer_ui_test_wait_account_state (f->account, FOYER_MICROSOFT_DISCONNECTED, STEP_MS));
  g_assert_true (foyer_test_sandbox_enable_sso (f->sandbox, "alice@contoso.example", &error));
  g_assert_no_error (error);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "account.connect-microsoft", NULL);
  g_assert_true (foyer_ui_test_wait_account_state (f->account, FOYER_MICROSOFT_CONNECTED, STEP_MS));
}

void
files_ui_start (FilesUi *f, FoyerApplication *app, const char *space_title)
{
  g_autoptr (GError) error = NULL;

  f->app = app;
  f->sandbox = foyer_test_sandbox_start (NULL, &error);
  g_assert_no_error (error);
  f->service = foyer_test_service_new ();
  g_assert_nonnull (f->service);
  foyer_test_enable_microsoft (f->service, f->sandbox, "embedded");

  f->session = foyer_application_get_session (app);
  f->account = foyer_application_get_microsoft_account (app);
  f->uploads = foyer_application_get_uploads (app);
  open_app (f);

  files_ui_sign_in (f, f->session, FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD);
  files_ui_connect_microsoft (f);

  if (space_title != NULL)
    {
      f->space
          = g_object_ref (files_ui_create_space (f, f->session, space_title, FOYER_TEST_BOB_EMAIL));
      foyer_window_open_space (f->window, f->space);
    }
}

/* The app's quit, as FoyerApplication does it: the uploads stop (their
 * records stay sealed), the session goes, the store is closed. */
static void
close_app (FilesUi *f)
{
  FoyerTestWait wait = { NULL };

  gtk_window_destroy (GTK_WINDOW (f->window));
  f->window = NULL;
  foyer_file_uploads_shutdown (f->uploads);
  foyer_session_disconnect (f->session);
  foyer_search_index_flush_async (foyer_session_get_search_index (f->session), NULL,
                                  foyer_test_wait_cb, &wait);
  g_assert_true (foyer_search_index_flush_finish (foyer_session_get_search_index (f->session),
                                                  foyer_test_wait (&wait), NULL));
  g_clear_object (&wait.result);
  foyer_file_uploads_set_store (f->uploads, NULL);
  foyer_microsoft_account_set_store (f->account, NULL);
  foyer_session_set_store (f->session, NULL);
  foyer_store_drain (f->store);
  foyer_store_close (f->store);
  g_clear_object (&f->store);
}

void
files_ui_quit (FilesUi *f)
{
  g_clear_object (&f->space);
  close_app (f);
}

/* Started again on the same folders and keyring: signed in to Foyer again
 * from the keyring, Microsoft as it was left. */
void
files_ui_restart (FilesUi *f)
{
  FoyerTestWait wait = { NULL };
  g_autoptr (GError) error = NULL;

  open_app (f);
  foyer_session_restore_async (f->session, foyer_test_service_get_base_url (f->service), NULL,
                               foyer_test_wait_cb, &wait);
  g_assert_true (foyer_session_restore_finish (f->session, foyer_test_wait (&wait), &error));
  g_assert_no_error (error);
  g_clear_object (&wait.result);
  g_assert_true (foyer_ui_test_wait_until (online, f->session, STEP_MS));
}

void
files_ui_stop (FilesUi *f)
{
  g_clear_object (&f->space);
  foyer_microsoft_account_disconnect (f->account);
  close_app (f);
  g_assert_true (foyer_test_service_stop (f->service));
  foyer_test_service_free (f->service);
  g_assert_true (foyer_test_sandbox_stop (f->sandbox));
  foyer_test_sandbox_unref (f->sandbox);
}
