/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Files from the computer into a space, in the app's window, against
 * foyer-ms-sandbox and foyer-service on loopback: files given to the window
 * (as the file chooser, a drop or a paste give them) open the upload
 * dialog; Upload and Share sends them to Alice's OneDrive folder Foyer
 * Files, shows their tiles with progress, shares them like picked files and
 * posts them; Cancel deletes the upload session; a failure says why and
 * Retry takes it up; a pasted image is a private PNG that is gone once it is
 * in OneDrive; nothing of it stays on disk in plaintext.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sys/stat.h>

#include "files-ui-test.h"
#include "files/foyer-file-transfer.h"
#include "files/foyer-paste-file.h"
#include "files/foyer-upload-dialog.h"
#include "files/foyer-upload-tile.h"
#include "foyer-document-tile.h"
#include "foyer-document-tile-private.h"
#include "foyer-test-util.h"
#include "foyer-ui-test.h"

#define STEP_MS 30000

static FoyerApplication *app;

/* Where the person keeps the files: outside Foyer's folders. */
static char *
tmp_dir (const char *name)
{
  const char *work = g_getenv ("FOYER_TEST_WORKDIR");
  char *dir = g_build_filename (work != NULL ? work : g_get_tmp_dir (), "sources", name, NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  return dir;
}

static char *
write_file (const char *dir, const char *name, const char *text, gsize size)
{
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GString) bytes = g_string_sized_new (size);

  while (bytes->len < size)
    g_string_append (bytes, text);
  g_string_truncate (bytes, size);
  g_assert_true (g_file_set_contents (path, bytes->str, bytes->len, NULL));
  return path;
}

/* The window is asked to upload these files, as a drop or a paste asks. */
static FoyerUploadDialog *
give_files (FilesUi *f, const char *const *paths)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) uris = NULL;

  for (gsize i = 0; paths[i] != NULL; i++)
    {
      g_autofree char *uri = g_filename_to_uri (paths[i], NULL, NULL);

      g_strv_builder_add (builder, uri);
    }
  uris = g_strv_builder_end (builder);
  gtk_widget_activate_action (GTK_WIDGET (f->window), "space.upload-files", "^as", uris);
  return files_ui_wait_toplevel (FOYER_TYPE_UPLOAD_DIALOG);
}

static gboolean
dialog_ready (gpointer data)
{
  return foyer_upload_dialog_get_ready (data);
}

static void
press_share (FoyerUploadDialog *dialog)
{
  GtkWidget *button = _foyer_upload_dialog_get_share_button (dialog);

  g_assert_true (foyer_ui_test_wait_until (dialog_ready, dialog, STEP_MS));
  g_assert_true (gtk_widget_get_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
  g_assert_true (files_ui_wait_no_toplevel (FOYER_TYPE_UPLOAD_DIALOG));
}

static FoyerUploadTile *
find_upload_tile (FilesUi *f, const char *name)
{
  g_autoptr (GPtrArray) tiles = g_ptr_array_new ();

  foyer_ui_test_collect (GTK_WIDGET (f->window), FOYER_TYPE_UPLOAD_TILE, tiles);
  for (guint i = 0; i < tiles->len; i++)
    {
      FoyerFileTransfer *transfer = foyer_upload_tile_get_transfer (tiles->pdata[i]);

      if (g_strcmp0 (foyer_file_transfer_get_name (transfer), name) == 0
          && gtk_widget_get_mapped (tiles->pdata[i]))
        return tiles->pdata[i];
    }
  return NULL;
}

typedef struct
{
  FilesUi *f;
  const char *name;
  FoyerFileTransferState state;
  double progress; /* at least */
} TileWait;

static gboolean
tile_in_state (gpointer data)
{
  TileWait *w = data;
  FoyerUploadTile *tile = find_upload_tile (w->f, w->name);
  FoyerFileTransfer *transfer = tile != NULL ? foyer_upload_tile_get_transfer (tile) : NULL;

  return transfer != NULL && foyer_file_transfer_get_state (transfer) == w->state
         && foyer_file_transfer_get_progress (transfer) >= w->progress;
}

static gboolean
no_transfers (gpointer data)
{
  FilesUi *f = data;

  return g_list_model_get_n_items (G_LIST_MODEL (f->uploads)) == 0;
}

typedef struct
{
  FilesUi *f;
  const char *title;
} DocWait;

static FoyerDocumentTile *
find_document_tile (FilesUi *f, const char *title)
{
  g_autoptr (GPtrArray) tiles = g_ptr_array_new ();

  foyer_ui_test_collect (GTK_WIDGET (f->window), FOYER_TYPE_DOCUMENT_TILE, tiles);
  for (guint i = 0; i < tiles->len; i++)
    if (g_strcmp0 (_foyer_document_tile_get_title (tiles->pdata[i]), title) == 0
        && gtk_widget_get_mapped (tiles->pdata[i]))
      return tiles->pdata[i];
  return NULL;
}

static gboolean
document_tile_with_thumbnail (gpointer data)
{
  DocWait *w = data;
  FoyerDocumentTile *tile = find_document_tile (w->f, w->title);

  return tile != NULL && _foyer_document_tile_has_thumbnail (tile);
}

static guint
count_requests (FilesUi *f, const char *method, const char *part)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonArray) log = foyer_test_sandbox_get_request_log (f->sandbox, &error);
  guint n = 0;

  g_assert_no_error (error);
  for (guint i = 0; i < json_array_get_length (log); i++)
    {
      JsonObject *entry = json_array_get_object_element (log, i);

      n += g_strcmp0 (json_object_get_string_member_with_default (entry, "method", ""), method) == 0
           && strstr (json_object_get_string_member_with_default (entry, "path", ""), part) != NULL;
    }
  return n;
}

static guint
open_upload_sessions (FilesUi *f)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node
      = foyer_test_sandbox_control (f->sandbox, "GET", "/uploads", NULL, &error);
  JsonArray *sessions;

  g_assert_no_error (error);
  sessions = json_object_get_array_member (json_node_get_object (node), "value");
  return sessions != NULL ? json_array_get_length (sessions) : 0;
}

static void
add_fault (FilesUi *f, const char *json)
{
  g_autoptr (GError) error = NULL;

  g_assert_cmpuint (foyer_test_sandbox_add_fault_json (f->sandbox, json, &error), >, 0);
  g_assert_no_error (error);
}

static gboolean
transfer_sending (gpointer data)
{
  TileWait *w = data;
  FoyerUploadTile *tile = find_upload_tile (w->f, w->name);
  FoyerUpload *upload = tile != NULL
                            ? foyer_file_transfer_get_upload (foyer_upload_tile_get_transfer (tile))
                            : NULL;

  return upload != NULL && foyer_upload_get_state (upload) == FOYER_UPLOAD_SENDING;
}

/* Two files and a folder, given at once: the folder is said to be one and
 * left out; the files go, with progress, and arrive as tiles. */
static void
upload_and_share (FilesUi *f, const char *dir)
{
  g_autofree char *png = files_ui_make_png (dir, "Site photo.png", 640, 400, 7);
  g_autofree char *notes
      = write_file (dir, "Meeting notes 7f3a.txt", "Notes of the meeting. ", 9000);
  g_autofree char *folder = g_build_filename (dir, "A folder", NULL);
  const char *const paths[] = { png, notes, folder, NULL };
  FoyerUploadDialog *dialog;
  TileWait tile = { f, "Site photo.png", FOYER_FILE_TRANSFER_UPLOADING, 0 };
  DocWait doc = { f, "Site photo.png" };
  TileWait notes_tile = { f, "Meeting notes 7f3a.txt", FOYER_FILE_TRANSFER_UPLOADING, 0 };

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  g_assert_true (foyer_test_sandbox_clear_request_log (f->sandbox, NULL));
  /* Slow enough to see the tiles on their way. */
  add_fault (f, "{\"pattern\":\"*:/content\",\"method\":\"PUT\",\"delayMs\":1500,\"times\":2}");

  dialog = give_files (f, paths);
  g_assert_true (foyer_ui_test_wait_until (dialog_ready, dialog, STEP_MS));
  g_assert_cmpuint (foyer_upload_dialog_dup_files (dialog)->len, ==, 2);
  g_assert_cmpint (foyer_upload_dialog_get_audience (dialog), ==, FOYER_LINK_AUDIENCE_ORGANIZATION);
  g_assert_cmpint (foyer_upload_dialog_get_link_type (dialog), ==, FOYER_LINK_TYPE_VIEW);
  files_ui_screenshot (GTK_WIDGET (dialog), "files-upload-dialog");
  press_share (dialog);

  g_assert_true (foyer_ui_test_wait_until (tile_in_state, &tile, STEP_MS));
  g_assert_true (foyer_ui_test_wait_until (transfer_sending, &tile, STEP_MS));
  g_assert_true (foyer_ui_test_wait_until (transfer_sending, &notes_tile, STEP_MS));
  files_ui_screenshot (GTK_WIDGET (f->window), "files-upload-progress");

  g_assert_true (foyer_ui_test_wait_until (no_transfers, f, STEP_MS));
  files_ui_wait_message (f->space, NULL, "Site photo.png");
  files_ui_wait_message (f->space, NULL, "Meeting notes 7f3a.txt");
  g_assert_true (foyer_ui_test_wait_until (document_tile_with_thumbnail, &doc, STEP_MS));
  files_ui_screenshot (GTK_WIDGET (f->window), "files-upload-shared");

  /* Into Foyer Files, then shared like a picked file: a link for the
   * organization each, made by Alice. */
  g_assert_cmpuint (count_requests (f, "GET", "/root:/Foyer"), >=, 1);
  g_assert_cmpuint (count_requests (f, "PUT", ":/content"), >=, 2);
  g_assert_cmpuint (count_requests (f, "POST", "/createLink"), ==, 2);
  g_assert_true (foyer_test_sandbox_clear_faults (f->sandbox, NULL));
}

static gboolean
tile_gone (gpointer data)
{
  TileWait *w = data;

  return find_upload_tile (w->f, w->name) == NULL;
}

#define FRAGMENT (320 * 1024)

typedef struct
{
  FilesUi *f;
  const char *name;
  guint64 bytes;
} SentWait;

static FoyerUpload *
tile_upload (FilesUi *f, const char *name)
{
  FoyerUploadTile *tile = find_upload_tile (f, name);

  return tile != NULL ? foyer_file_transfer_get_upload (foyer_upload_tile_get_transfer (tile))
                      : NULL;
}

static gboolean
sent_some (gpointer data)
{
  SentWait *w = data;
  FoyerUpload *upload = tile_upload (w->f, w->name);

  return upload != NULL && foyer_upload_get_bytes_sent (upload) >= w->bytes;
}

/* At least that many bytes sent, and the tile says how long is left. */
static gboolean
sent_with_time_left (gpointer data)
{
  SentWait *w = data;
  FoyerUpload *upload = tile_upload (w->f, w->name);
  FoyerUploadTile *tile = find_upload_tile (w->f, w->name);

  return upload != NULL && foyer_upload_get_bytes_sent (upload) >= w->bytes
         && strstr (_foyer_upload_tile_get_status (tile), " left") != NULL;
}

static gint64
dropped_connections (FilesUi *f)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node
      = foyer_test_sandbox_control (f->sandbox, "GET", "/uploads", NULL, &error);

  g_assert_no_error (error);
  return json_object_get_int_member_with_default (json_node_get_object (node), "droppedConnections",
                                                  0);
}

static char *
open_session_url (FilesUi *f)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node
      = foyer_test_sandbox_control (f->sandbox, "GET", "/uploads", NULL, &error);
  JsonArray *sessions;

  g_assert_no_error (error);
  sessions = json_object_get_array_member (json_node_get_object (node), "value");
  g_assert_cmpuint (json_array_get_length (sessions), ==, 1);
  return g_strdup (
      json_object_get_string_member (json_array_get_object_element (sessions, 0), "id"));
}

static void
slow_fragments (FilesUi *f)
{
  FoyerUploader *uploader = foyer_file_uploads_get_uploader (f->uploads);

  g_assert_nonnull (uploader);
  foyer_uploader_set_fragment_size (uploader, FRAGMENT);
  foyer_uploader_set_max_fragment_size (uploader, FRAGMENT);
  add_fault (f, "{\"pattern\":\"*/uploadSession\",\"method\":\"PUT\",\"host\":\"sharepoint\","
                "\"delayMs\":250}");
}

/* Cancel while a fragment is on its way: the tile goes, the session too. */
static void
cancel_upload (FilesUi *f, const char *dir, char **out_session_url)
{
  g_autofree char *big = write_file (dir, "Raw footage 91c2.bin", "0123456789abcdef", 6 << 20);
  const char *const paths[] = { big, NULL };
  TileWait tile = { f, "Raw footage 91c2.bin", FOYER_FILE_TRANSFER_UPLOADING, 0 };
  SentWait sent = { f, "Raw footage 91c2.bin", FRAGMENT };
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) uploads = NULL;
  JsonArray *sessions;

  g_assert_true (foyer_test_sandbox_clear_request_log (f->sandbox, NULL));
  /* Small, slow fragments: the session is open, the file far from sent. */
  slow_fragments (f);
  press_share (give_files (f, paths));
  g_assert_true (foyer_ui_test_wait_until (sent_some, &sent, STEP_MS));
  uploads = foyer_test_sandbox_control (f->sandbox, "GET", "/uploads", NULL, &error);
  g_assert_no_error (error);
  sessions = json_object_get_array_member (json_node_get_object (uploads), "value");
  g_assert_cmpuint (json_array_get_length (sessions), ==, 1);
  *out_session_url = g_strdup (
      json_object_get_string_member (json_array_get_object_element (sessions, 0), "id"));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (
                       _foyer_upload_tile_get_cancel_button (find_upload_tile (f, tile.name))),
                   ==, "Cancel Upload");

  g_signal_emit_by_name (_foyer_upload_tile_get_cancel_button (find_upload_tile (f, tile.name)),
                         "clicked");
  g_assert_true (foyer_ui_test_wait_until (tile_gone, &tile, STEP_MS));
  g_assert_cmpuint (open_upload_sessions (f), ==, 0);
  g_assert_cmpuint (count_requests (f, "DELETE", "/uploadSession"), ==, 1);
  g_assert_null (files_ui_find_message (f->space, NULL, tile.name));
  g_assert_true (foyer_test_sandbox_clear_faults (f->sandbox, NULL));
}

/* Microsoft keeps failing: the tile says so and offers Retry, which works
 * once Microsoft is back. */
static void
fail_then_retry (FilesUi *f, const char *dir)
{
  g_autofree char *sheet = write_file (dir, "Quarter plan 3b8e.csv", "a,b,c\n", 5 << 20);
  const char *const paths[] = { sheet, NULL };
  TileWait tile = { f, "Quarter plan 3b8e.csv", FOYER_FILE_TRANSFER_FAILED, 0 };
  FoyerUploader *uploader = foyer_file_uploads_get_uploader (f->uploads);
  FoyerUploadTile *shown;

  foyer_uploader_set_max_attempts (uploader, 2);
  foyer_uploader_set_base_delay_ms (uploader, 50);
  add_fault (f, "{\"pattern\":\"*/uploadSession\",\"method\":\"PUT\",\"host\":\"sharepoint\","
                "\"status\":500}");
  press_share (give_files (f, paths));
  g_assert_true (foyer_ui_test_wait_until (tile_in_state, &tile, STEP_MS));
  shown = find_upload_tile (f, tile.name);
  g_assert_true (gtk_widget_get_visible (_foyer_upload_tile_get_retry_button (shown)));
  g_assert_nonnull (strstr (_foyer_upload_tile_get_status (shown), "Quarter plan 3b8e.csv"));
  files_ui_screenshot (GTK_WIDGET (f->window), "files-upload-failed");

  g_assert_true (foyer_test_sandbox_clear_faults (f->sandbox, NULL));
  g_signal_emit_by_name (_foyer_upload_tile_get_retry_button (shown), "clicked");
  g_assert_true (foyer_ui_test_wait_until (tile_gone, &tile, STEP_MS));
  files_ui_wait_message (f->space, NULL, tile.name);
  foyer_uploader_set_max_attempts (uploader, 8);
}

static guint
count_pasted (void)
{
  g_autofree char *dir = foyer_paste_dir ();
  g_autoptr (GDir) folders = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while (folders != NULL && (name = g_dir_read_name (folders)) != NULL)
    {
      g_autofree char *folder = g_build_filename (dir, name, NULL);
      g_autoptr (GDir) files = g_dir_open (folder, 0, NULL);
      GStatBuf st;

      g_assert_cmpint (g_stat (folder, &st), ==, 0);
      g_assert_cmpint (st.st_mode & 0777, ==, 0700);
      while (files != NULL && g_dir_read_name (files) != NULL)
        n++;
    }
  return n;
}

static void
paste_image (FilesUi *f, GdkTexture *texture)
{
  GtkWidget *composer = files_ui_child (f, "composer_view");

  gdk_clipboard_set_texture (gtk_widget_get_clipboard (composer), texture);
  gtk_widget_grab_focus (composer);
  g_signal_emit_by_name (composer, "paste-clipboard");
}

/* A screenshot in the clipboard: a private PNG until it is in OneDrive. */
static void
paste (FilesUi *f)
{
  g_autofree char *dir = tmp_dir ("paste-source");
  g_autofree char *png = files_ui_make_png (dir, "shot.png", 320, 200, 11);
  g_autoptr (GdkTexture) texture = gdk_texture_new_from_filename (png, NULL);
  FoyerUploadDialog *dialog;
  g_autoptr (GPtrArray) files = NULL;
  g_autofree char *name = NULL;

  g_assert_nonnull (texture);
  /* Pasted, then not sent after all: nothing is kept. */
  paste_image (f, texture);
  dialog = files_ui_wait_toplevel (FOYER_TYPE_UPLOAD_DIALOG);
  g_assert_cmpuint (count_pasted (), ==, 1);
  gtk_window_close (GTK_WINDOW (dialog));
  g_assert_true (files_ui_wait_no_toplevel (FOYER_TYPE_UPLOAD_DIALOG));
  g_assert_cmpuint (count_pasted (), ==, 0);

  paste_image (f, texture);
  dialog = files_ui_wait_toplevel (FOYER_TYPE_UPLOAD_DIALOG);
  g_assert_true (foyer_ui_test_wait_until (dialog_ready, dialog, STEP_MS));
  files = foyer_upload_dialog_dup_files (dialog);
  g_assert_cmpuint (files->len, ==, 1);
  g_assert_true (foyer_paste_file_is_temporary (files->pdata[0]));
  name = g_file_get_basename (files->pdata[0]);
  g_assert_true (g_str_has_prefix (name, "Pasted image "));
  g_assert_true (g_str_has_suffix (name, ".png"));
  press_share (dialog);
  files_ui_wait_message (f->space, NULL, name);
  g_assert_true (foyer_ui_test_wait_until (no_transfers, f, STEP_MS));
  g_assert_cmpuint (count_pasted (), ==, 0);
}

/* Files dropped on the conversation go the same way. */
static void
drop (FilesUi *f, const char *dir)
{
  g_autofree char *path = write_file (dir, "Dropped 55d1.txt", "dropped ", 100);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  GSList list = { file, NULL };
  GtkWidget *content = files_ui_child (f, "content");
  GtkDropTarget *target = NULL;
  g_auto (GValue) value = G_VALUE_INIT;
  gboolean accepted = FALSE;
  FoyerUploadDialog *dialog;
  g_autoptr (GListModel) controllers = gtk_widget_observe_controllers (content);

  for (guint i = 0; i < g_list_model_get_n_items (controllers) && target == NULL; i++)
    {
      g_autoptr (GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        target = GTK_DROP_TARGET (controller);
    }
  g_assert_nonnull (target);
  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_set_boxed (&value, &list);
  g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &accepted);
  g_assert_true (accepted);
  dialog = files_ui_wait_toplevel (FOYER_TYPE_UPLOAD_DIALOG);
  g_assert_true (foyer_ui_test_wait_until (dialog_ready, dialog, STEP_MS));
  g_assert_cmpuint (foyer_upload_dialog_dup_files (dialog)->len, ==, 1);
  press_share (dialog);
  files_ui_wait_message (f->space, NULL, "Dropped 55d1.txt");
}

/* ---- a fault mid-upload and a restart in between ------------------------------------- */

static gboolean
resumed_tile (gpointer data)
{
  TileWait *w = data;
  FoyerUploadTile *tile = find_upload_tile (w->f, w->name);

  return tile != NULL && foyer_file_transfer_get_resumed (foyer_upload_tile_get_transfer (tile));
}

static gboolean
fragment_held (gpointer data)
{
  return foyer_test_sandbox_get_held (data, NULL) == 1;
}

static gboolean
bob_tile_done (gpointer data)
{
  return _foyer_document_tile_has_thumbnail (data);
}

static void
test_upload_restart (void)
{
  FilesUi f = { NULL };
  g_autoptr (FoyerSession) bob = foyer_session_new ();
  g_autofree char *dir = tmp_dir ("restart-source");
  g_autofree char *path = NULL;
  g_autofree char *url = NULL;
  g_autofree char *space_id = NULL;
  const char *name = "Survey scans 4e9d.png";
  const char *const roots[]
      = { g_get_user_data_dir (), g_get_user_cache_dir (), g_get_user_config_dir () };
  const char *const paths[] = { NULL, NULL };
  SentWait sent = { &f, name, 4 * FRAGMENT };
  TileWait resumed = { &f, name, FOYER_FILE_TRANSFER_UPLOADING, 0 };
  FoyerSpaceItem *bob_space, *space;
  FoyerMessageItem *message;
  FoyerDocumentTile *tile;
  GtkWindow *bob_window;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonArray) log = NULL;
  guint64 size;
  GStatBuf st;
  gboolean bob_fetched = FALSE;

  files_ui_start (&f, app, "Survey");
  space_id = g_strdup (foyer_space_item_get_id (f.space));
  files_ui_sign_in (&f, bob, FOYER_TEST_BOB_EMAIL, FOYER_TEST_BOB_PASSWORD);
  bob_space = files_ui_wait_space (bob, space_id);

  /* A picture of some 4 MB, in fragments of 320 KiB, paced; a connection
   * that drops in the middle of one of them. */
  path = files_ui_make_png (dir, name, 1600, 1200, 23);
  ((const char **) paths)[0] = path;
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  size = st.st_size;
  g_assert_cmpuint (size, >, 10 * FRAGMENT);
  slow_fragments (&f);
  foyer_test_sandbox_control (f.sandbox, "POST", "/uploads/drops",
                              "{\"dropAfterBytes\":100000,\"times\":1}", &error);
  g_assert_no_error (error);

  press_share (give_files (&f, paths));
  if (!foyer_ui_test_wait_until (sent_with_time_left, &sent, STEP_MS))
    g_error ("The upload did not get to %" G_GUINT64_FORMAT " bytes with its time left",
             sent.bytes);
  g_assert_cmpint (dropped_connections (&f), ==, 1);
  g_assert_nonnull (strstr (_foyer_upload_tile_get_status (find_upload_tile (&f, name)), " of "));
  files_ui_screenshot (GTK_WIDGET (f.window), "files-upload-before-quit");

  /* Foyer quits in the middle: the session stays open at Microsoft, its
   * address (a bearer capability) sealed on this device, never in clear. */
  url = open_session_url (&f);
  files_ui_quit (&f);
  for (gsize i = 0; i < G_N_ELEMENTS (roots); i++)
    {
      const char *const secrets[] = { url, strstr (url, "tempauth="), "Survey scans 4e9d" };

      for (gsize j = 0; j < G_N_ELEMENTS (secrets); j++)
        if (secrets[j] != NULL && foyer_test_tree_contains (roots[i], secrets[j]))
          g_error ("\"%s\" is in plaintext under %s", secrets[j], roots[i]);
    }

  /* Started again: the upload comes back by itself, goes on from where
   * the session stood (no new session), is shared and posted. */
  g_assert_true (foyer_test_sandbox_clear_request_log (f.sandbox, NULL));
  /* The first fragment it sends then waits for the test: on a fast
   * machine the rest (in one fragment of the new uploader's size) would
   * be sent before the space is open and its tile seen. */
  g_assert_true (foyer_test_sandbox_clear_faults (f.sandbox, NULL));
  add_fault (&f, "{\"pattern\":\"*/uploadSession\",\"method\":\"PUT\",\"host\":\"sharepoint\","
                 "\"hold\":true,\"times\":1}");
  files_ui_restart (&f);
  if (foyer_microsoft_account_get_state (f.account) != FOYER_MICROSOFT_CONNECTED)
    files_ui_connect_microsoft (&f);
  space = files_ui_wait_space (f.session, space_id);
  f.space = g_object_ref (space);
  foyer_window_open_space (f.window, space);
  g_assert_true (foyer_ui_test_wait_until (resumed_tile, &resumed, STEP_MS));
  files_ui_screenshot (GTK_WIDGET (f.window), "files-upload-resumed");
  g_assert_true (foyer_ui_test_wait_until (fragment_held, f.sandbox, STEP_MS));
  g_assert_cmpint (foyer_test_sandbox_release_held (f.sandbox, NULL), ==, 1);
  g_assert_true (foyer_ui_test_wait_until (no_transfers, &f, STEP_MS));
  files_ui_wait_message (space, NULL, name);
  g_assert_cmpuint (count_requests (&f, "POST", "createUploadSession"), ==, 0);
  g_assert_cmpuint (count_requests (&f, "GET", "/uploadSession"), >=, 1);
  g_assert_cmpuint (count_requests (&f, "PUT", "/uploadSession"), <, size / FRAGMENT + 1);
  g_assert_cmpuint (open_upload_sessions (&f), ==, 0);
  {
    DocWait doc = { &f, name };

    g_assert_true (foyer_ui_test_wait_until (document_tile_with_thumbnail, &doc, STEP_MS));
  }
  files_ui_screenshot (GTK_WIDGET (f.window), "files-upload-after-restart");

  /* Bob's tile: the reference he decrypted, its thumbnail fetched with
   * his own Microsoft token. */
  files_ui_wait_message (bob_space, NULL, name);
  message = files_ui_find_message (bob_space, NULL, name);
  foyer_microsoft_account_disconnect (f.account);
  g_assert_true (foyer_test_sandbox_enable_sso (f.sandbox, "bob@contoso.example", &error));
  g_assert_no_error (error);
  gtk_widget_activate_action (GTK_WIDGET (f.window), "account.connect-microsoft", NULL);
  g_assert_true (foyer_ui_test_wait_account_state (f.account, FOYER_MICROSOFT_CONNECTED, STEP_MS));
  g_assert_cmpstr (foyer_microsoft_account_get_email (f.account), ==, "bob@contoso.example");
  g_assert_true (foyer_test_sandbox_clear_request_log (f.sandbox, NULL));
  bob_window = GTK_WINDOW (gtk_window_new ());
  gtk_window_set_default_size (bob_window, 420, 320);
  tile = foyer_document_tile_new ();
  foyer_document_tile_set_account (tile, f.account);
  foyer_document_tile_set_document (
      tile, FOYER_DOCUMENT_ITEM (foyer_message_item_get_attachment (message)));
  gtk_window_set_child (bob_window, GTK_WIDGET (tile));
  gtk_window_present (bob_window);
  g_assert_true (foyer_ui_test_wait_until (bob_tile_done, tile, STEP_MS));
  g_assert_cmpstr (_foyer_document_tile_get_title (tile), ==, name);
  files_ui_screenshot (GTK_WIDGET (bob_window), "files-upload-bob-tile");
  log = foyer_test_sandbox_get_request_log (f.sandbox, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < json_array_get_length (log); i++)
    {
      JsonObject *entry = json_array_get_object_element (log, i);
      JsonNode *user = json_object_get_member (entry, "user");

      if (strstr (json_object_get_string_member_with_default (entry, "path", ""), "thumbnails")
              != NULL
          && user != NULL && JSON_NODE_HOLDS_VALUE (user))
        bob_fetched |= g_strcmp0 (json_node_get_string (user), "bob@contoso.example") == 0;
    }
  g_assert_true (bob_fetched);
  gtk_window_destroy (bob_window);

  foyer_session_disconnect (bob);
  files_ui_stop (&f);
}

static void
test_upload (void)
{
  FilesUi f = { NULL };
  g_autofree char *dir = tmp_dir ("upload-source");
  g_autofree char *session_url = NULL;
  const char *const roots[] = { g_get_user_data_dir (), g_get_user_cache_dir (),
                                g_get_user_config_dir (), g_get_user_runtime_dir () };

  files_ui_start (&f, app, "Site visit");
  upload_and_share (&f, dir);
  cancel_upload (&f, dir, &session_url);
  fail_then_retry (&f, dir);
  paste (&f);
  drop (&f, dir);

  /* Nothing of it on this device in plaintext, but the files where the
   * person keeps them: not the names, not an upload session's address. */
  foyer_store_drain (f.store);
  for (gsize i = 0; i < G_N_ELEMENTS (roots); i++)
    {
      const char *const secrets[] = { "Meeting notes 7f3a", "Raw footage 91c2", "Quarter plan 3b8e",
                                      "Dropped 55d1",       "Pasted image",     session_url };

      for (gsize j = 0; j < G_N_ELEMENTS (secrets); j++)
        if (foyer_test_tree_contains (roots[i], secrets[j]))
          g_error ("\"%s\" is in plaintext under %s", secrets[j], roots[i]);
    }
  files_ui_stop (&f);
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

  g_test_add_func ("/files/upload", test_upload);
  g_test_add_func ("/files/upload-restart", test_upload_restart);

  return g_test_run ();
}
