/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The upload engine against foyer-ms-sandbox: the folder made on first use,
 * the simple upload, fragments, OneDrive's renaming, and what goes wrong —
 * a connection reset in the middle of a fragment, 429 with Retry-After
 * (never a request before it, by the sandbox's own log), 5xx, an expired
 * session, a file changed on disk, cancel — and a quit in the middle of an
 * upload, taken up again by a new uploader from the encrypted store, with
 * neither the upload URL nor the file's name on disk in plaintext.
 */
#include "config.h"

#include "foyer-graph-error.h"
#include "foyer-store.h"
#include "foyer-test-util.h"
#include "foyer-upload-error.h"
#include "foyer-upload-record.h"
#include "foyer-uploader.h"
#include "upload-test-util.h"

#include <glib/gstdio.h>
#include <string.h>

#define UNIT (320 * 1024)

static FoyerTestSandbox *sandbox;
static char *workdir;

typedef struct
{
  FoyerGraphClient *client;
  FoyerStore *store;
  char *store_dir;
  FoyerUploader *uploader;
} Fixture;

static FoyerStore *
open_store (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "store.db", NULL);
  g_autoptr (GError) error = NULL;
  FoyerStore *store = foyer_store_open_sync (path, "test-uploads", NULL, &error);

  g_assert_no_error (error);
  return store;
}

static void
fixture_set_up (Fixture *f, gconstpointer data)
{
  const char *email = data != NULL ? data : "alice@contoso.example";
  g_autoptr (GError) error = NULL;

  g_assert_true (foyer_test_sandbox_clear_faults (sandbox, &error));
  g_assert_true (foyer_test_sandbox_clear_request_log (sandbox, &error));
  f->client = upload_test_client (sandbox, email);
  f->store_dir = g_dir_make_tmp ("foyer-uploads-XXXXXX", &error);
  g_assert_no_error (error);
  f->store = open_store (f->store_dir);
  f->uploader = foyer_uploader_new (f->client, f->store);
  /* Small fragments keep the tests quick; the benchmark uses the default. */
  foyer_uploader_set_fragment_size (f->uploader, UNIT);
  foyer_uploader_set_max_fragment_size (f->uploader, UNIT);
  foyer_uploader_set_simple_max (f->uploader, 64 * 1024);
  foyer_uploader_set_base_delay_ms (f->uploader, 50);
}

static void
fixture_tear_down (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  g_clear_object (&f->uploader);
  if (f->store != NULL)
    {
      foyer_store_drain (f->store);
      foyer_store_close (f->store);
    }
  g_clear_object (&f->store);
  g_clear_object (&f->client);
  g_free (f->store_dir);
  foyer_test_sandbox_control (sandbox, "DELETE", "/uploads", NULL, &error);
}

static char *
make_file (const char *name, gsize size, guint seed)
{
  return upload_test_make_file (workdir, name, size, seed);
}

static FoyerUpload *
add (Fixture *f, const char *path, const char *context)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);

  return foyer_uploader_add (f->uploader, file, NULL, context);
}

static FoyerDriveItem *
wait_done (FoyerUpload *upload)
{
  FoyerTestWait wait = { NULL };
  g_autoptr (GError) error = NULL;
  FoyerDriveItem *item;

  foyer_upload_wait_async (upload, NULL, foyer_test_wait_cb, &wait);
  item = foyer_upload_wait_finish (upload, foyer_test_wait (&wait), &error);
  foyer_test_wait_clear (&wait);
  g_assert_no_error (error);
  g_assert_cmpint (foyer_upload_get_state (upload), ==, FOYER_UPLOAD_DONE);
  return item;
}

static GError *
wait_failed (FoyerUpload *upload)
{
  FoyerTestWait wait = { NULL };
  GError *error = NULL;
  g_autoptr (FoyerDriveItem) item = NULL;

  foyer_upload_wait_async (upload, NULL, foyer_test_wait_cb, &wait);
  item = foyer_upload_wait_finish (upload, foyer_test_wait (&wait), &error);
  foyer_test_wait_clear (&wait);
  g_assert_null (item);
  g_assert_nonnull (error);
  return error;
}

/* The bytes of the item as OneDrive keeps them. */
static GBytes *
download (FoyerGraphClient *client, FoyerDriveItem *item)
{
  g_autofree char *path
      = g_strdup_printf ("/me/drive/items/%s/content", foyer_drive_item_get_id (item));
  FoyerTestWait wait = { NULL };
  g_autoptr (GError) error = NULL;
  GBytes *bytes;

  foyer_graph_client_request_bytes_async (client, "GET", path, NULL, foyer_test_wait_cb, &wait);
  bytes = foyer_graph_client_request_bytes_finish (client, foyer_test_wait (&wait), &error);
  foyer_test_wait_clear (&wait);
  g_assert_no_error (error);
  return bytes;
}

static void
assert_uploaded (Fixture *f, FoyerDriveItem *item, const char *path)
{
  g_autoptr (GBytes) expected = upload_test_file_bytes (path);
  g_autoptr (GBytes) got = download (f->client, item);

  g_assert_cmpint (foyer_drive_item_get_size (item), ==, g_bytes_get_size (expected));
  g_assert_true (g_bytes_equal (expected, got));
  g_assert_cmpstr (foyer_drive_item_get_parent_path (item), ==, "/Foyer Files");
}

static guint
saved_uploads (FoyerStore *store)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = NULL;

  /* What the uploads queued on the store's worker happens first. */
  foyer_store_drain (store);
  entries = foyer_store_list (store, FOYER_STORE_NS_UPLOADS, &error);
  g_assert_no_error (error);
  return entries->len;
}

static guint
open_sessions (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = foyer_test_sandbox_control (sandbox, "GET", "/uploads", NULL, &error);

  g_assert_no_error (error);
  return json_array_get_length (
      json_object_get_array_member (json_node_get_object (node), "value"));
}

static JsonArray *
request_log (void)
{
  g_autoptr (GError) error = NULL;
  JsonArray *log = foyer_test_sandbox_get_request_log (sandbox, &error);

  g_assert_no_error (error);
  return log;
}

static void
add_fault (const char *json)
{
  g_autoptr (GError) error = NULL;

  foyer_test_sandbox_add_fault_json (sandbox, json, &error);
  g_assert_no_error (error);
}

static void
control (const char *method, const char *path, const char *json)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = foyer_test_sandbox_control (sandbox, method, path, json, &error);

  g_assert_no_error (error);
}

/* ---- the paths that work ---------------------------------------------------------- */

static void
notify_count_cb (GObject *object, GParamSpec *pspec, gpointer data)
{
  guint64 *last = data;
  guint64 sent = foyer_upload_get_bytes_sent (FOYER_UPLOAD (object));

  /* Progress only goes back when a fragment has to be sent again. */
  last[0]++;
  last[1] = sent;
}

static void
test_small_file (Fixture *f, gconstpointer data)
{
  g_autofree char *path = make_file ("Notes for Bob.txt", 5000, 1);
  g_autoptr (FoyerUpload) upload = g_object_ref (add (f, path, "{\"space\":\"s1\"}"));
  g_autoptr (FoyerDriveItem) item = NULL;
  g_autoptr (JsonArray) log = NULL;
  guint64 seen[2] = { 0, 0 };

  g_signal_connect (upload, "notify::bytes-sent", G_CALLBACK (notify_count_cb), seen);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->uploader)), ==, 1);
  g_assert_cmpstr (foyer_upload_get_name (upload), ==, "Notes for Bob.txt");
  g_assert_cmpstr (foyer_upload_get_context (upload), ==, "{\"space\":\"s1\"}");
  item = wait_done (upload);
  g_assert_cmpstr (foyer_drive_item_get_name (item), ==, "Notes for Bob.txt");
  assert_uploaded (f, item, path);
  g_assert_cmpfloat (foyer_upload_get_progress (upload), ==, 1.0);
  g_assert_cmpuint (foyer_upload_get_bytes_sent (upload), ==, 5000);
  g_assert_cmpuint (seen[0], >, 0);
  g_assert_cmpuint (seen[1], ==, 5000);
  /* Done: nothing is kept for the next start. */
  g_assert_cmpuint (saved_uploads (f->store), ==, 0);

  /* The folder was looked up and made, and the file went in one PUT. */
  log = request_log ();
  g_assert_cmpuint (upload_test_count_requests (log, "POST", "/me/drive/root/children"), <=, 1);
  g_assert_cmpuint (upload_test_count_requests (log, "PUT", ":/content"), ==, 1);
  g_assert_cmpuint (upload_test_count_requests (log, "POST", "createUploadSession"), ==, 0);
}

static void
test_fragments (Fixture *f, gconstpointer data)
{
  gsize size = 11 * UNIT + 4321;
  g_autofree char *path = make_file ("Quarterly figures.xlsx", size, 2);
  g_autoptr (FoyerUpload) upload = g_object_ref (add (f, path, NULL));
  g_autoptr (FoyerDriveItem) item = NULL;
  g_autoptr (JsonArray) log = NULL;
  g_autoptr (FoyerUpload) again = NULL;
  g_autoptr (FoyerDriveItem) renamed = NULL;

  item = wait_done (upload);
  assert_uploaded (f, item, path);
  log = request_log ();
  g_assert_cmpuint (upload_test_count_requests (log, "POST", "createUploadSession"), ==, 1);
  /* Twelve fragments; the upload URL refuses a bearer token, so they went without. */
  g_assert_cmpuint (upload_test_count_requests (log, "PUT", "/uploadSession"), ==, 12);
  g_assert_cmpuint (open_sessions (), ==, 0);

  /* The same name again: OneDrive's own renaming. */
  again = g_object_ref (add (f, path, NULL));
  renamed = wait_done (again);
  g_assert_cmpstr (foyer_drive_item_get_name (renamed), ==, "Quarterly figures 1.xlsx");
  g_assert_cmpstr (foyer_drive_item_get_id (renamed), !=, foyer_drive_item_get_id (item));
}

static void
test_fragments_grow (Fixture *f, gconstpointer data)
{
  gsize size = 20 * UNIT;
  g_autofree char *path = make_file ("Growing.iso", size, 19);
  g_autoptr (FoyerUpload) upload = NULL;
  g_autoptr (FoyerDriveItem) item = NULL;
  g_autoptr (JsonArray) log = NULL;
  guint puts;

  /* Fragments that go fast grow, up to the maximum, in 320 KiB steps. */
  foyer_uploader_set_max_fragment_size (f->uploader, 4 * UNIT);
  upload = g_object_ref (add (f, path, NULL));
  item = wait_done (upload);
  assert_uploaded (f, item, path);
  log = request_log ();
  puts = upload_test_count_requests (log, "PUT", "/uploadSession");
  g_assert_cmpuint (puts, <, 20);
  g_assert_cmpuint (puts, >=, 5);
}

static void
test_empty_and_concurrent (Fixture *f, gconstpointer data)
{
  g_autofree char *empty = make_file ("empty.txt", 0, 3);
  g_autofree char *a = make_file ("a.bin", 3 * UNIT, 4);
  g_autofree char *b = make_file ("b.bin", 2 * UNIT + 1, 5);
  g_autofree char *c = make_file ("c.bin", 100, 6);
  FoyerUpload *ua, *ub, *uc, *ue;
  g_autoptr (FoyerDriveItem) ie = NULL;
  g_autoptr (FoyerDriveItem) ia = NULL;
  g_autoptr (FoyerDriveItem) ib = NULL;
  g_autoptr (FoyerDriveItem) ic = NULL;

  foyer_uploader_set_max_concurrent (f->uploader, 2);
  ue = add (f, empty, NULL);
  ua = add (f, a, NULL);
  ub = add (f, b, NULL);
  uc = add (f, c, NULL);
  /* Two at a time: the others wait their turn. */
  g_assert_cmpint (foyer_upload_get_state (ub), ==, FOYER_UPLOAD_QUEUED);
  g_assert_cmpint (foyer_upload_get_state (uc), ==, FOYER_UPLOAD_QUEUED);
  ie = wait_done (ue);
  ia = wait_done (ua);
  ib = wait_done (ub);
  ic = wait_done (uc);
  g_assert_cmpint (foyer_drive_item_get_size (ie), ==, 0);
  assert_uploaded (f, ia, a);
  assert_uploaded (f, ib, b);
  assert_uploaded (f, ic, c);

  foyer_uploader_remove (f->uploader, ue);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (f->uploader)), ==, 3);
}

/* ---- faults in the middle --------------------------------------------------------- */

static void
test_dropped_connection (Fixture *f, gconstpointer data)
{
  gsize size = 10 * UNIT + 99;
  g_autofree char *path = make_file ("Dropped.pdf", size, 7);
  g_autoptr (FoyerUpload) upload = NULL;
  g_autoptr (FoyerDriveItem) item = NULL;
  g_autoptr (JsonArray) log = NULL;

  foyer_uploader_set_fragment_size (f->uploader, 4 * UNIT);
  /* The second fragment's connection is reset after 100 KB of it. */
  upload = g_object_ref (add (f, path, NULL));
  upload_test_wait_sent (upload, 4 * UNIT);
  control ("POST", "/uploads/drops", "{\"dropAfterBytes\":100000,\"times\":1}");
  item = wait_done (upload);
  assert_uploaded (f, item, path);
  log = request_log ();
  /* The upload asked the session where to go on, then sent what it missed. */
  g_assert_cmpuint (upload_test_count_requests (log, "GET", "/uploadSession"), >=, 1);
  g_assert_cmpuint (upload_test_count_requests (log, "POST", "createUploadSession"), ==, 1);
}

static gint64
entry_ms (JsonObject *e)
{
  return json_object_get_int_member (e, "timestampMs");
}

static void
test_throttled (Fixture *f, gconstpointer data)
{
  gsize size = 6 * UNIT;
  g_autofree char *path = make_file ("Throttled.docx", size, 8);
  g_autoptr (FoyerUpload) upload = NULL;
  g_autoptr (FoyerDriveItem) item = NULL;
  g_autoptr (JsonArray) log = NULL;
  guint throttled = 0;

  /* More 429s in a row than the Graph client retries by itself: the
   * upload gives up a request and tries later, never before Retry-After. */
  foyer_graph_client_set_max_retries (f->client, 1);
  add_fault ("{\"pattern\":\"*/uploadSession\",\"method\":\"PUT\",\"host\":\"sharepoint\","
             "\"status\":429,\"retryAfter\":1,\"times\":3}");
  upload = g_object_ref (add (f, path, NULL));
  item = wait_done (upload);
  assert_uploaded (f, item, path);

  log = request_log ();
  for (guint i = 0; i < json_array_get_length (log); i++)
    {
      JsonObject *e = json_array_get_object_element (log, i);

      if (json_object_get_int_member (e, "status") != 429)
        continue;
      throttled++;
      for (guint j = i + 1; j < json_array_get_length (log); j++)
        {
          JsonObject *next = json_array_get_object_element (log, j);

          if (!g_str_equal (json_object_get_string_member (next, "host"), "sharepoint"))
            continue;
          g_test_message ("429 at %" G_GINT64_FORMAT ", next at %" G_GINT64_FORMAT, entry_ms (e),
                          entry_ms (next));
          g_assert_cmpint (entry_ms (next) - entry_ms (e), >=, 1000);
          break;
        }
    }
  g_assert_cmpuint (throttled, ==, 3);
}

static void
test_server_errors (Fixture *f, gconstpointer data)
{
  gsize size = 5 * UNIT;
  g_autofree char *path = make_file ("Server errors.pptx", size, 9);
  g_autoptr (FoyerUpload) upload = NULL;
  g_autoptr (FoyerDriveItem) item = NULL;
  g_autoptr (JsonArray) log = NULL;

  /* A 500 on a fragment is not repeated blindly: the session says what
   * it holds. A 503 is waited out by the Graph client. */
  add_fault ("{\"pattern\":\"*/uploadSession\",\"method\":\"PUT\",\"status\":500,\"times\":1}");
  add_fault ("{\"pattern\":\"*/createUploadSession\",\"status\":503,\"retryAfter\":0,"
             "\"times\":1}");
  upload = g_object_ref (add (f, path, NULL));
  item = wait_done (upload);
  assert_uploaded (f, item, path);
  log = request_log ();
  g_assert_cmpuint (upload_test_count_requests (log, "GET", "/uploadSession"), ==, 1);
  g_assert_cmpuint (upload_test_count_requests (log, "POST", "createUploadSession"), ==, 2);
}

static void
test_expired_session (Fixture *f, gconstpointer data)
{
  gsize size = 8 * UNIT + 5;
  g_autofree char *path = make_file ("Expired.zip", size, 10);
  g_autoptr (FoyerUpload) upload = NULL;
  g_autoptr (FoyerDriveItem) item = NULL;
  g_autoptr (JsonArray) log = NULL;

  /* Slow fragments, so the session can expire under the upload. */
  add_fault ("{\"pattern\":\"*/uploadSession\",\"method\":\"PUT\",\"delayMs\":100}");
  upload = g_object_ref (add (f, path, NULL));
  upload_test_wait_sent (upload, 2 * UNIT);
  control ("POST", "/uploads/expire", "{}");
  item = wait_done (upload);
  assert_uploaded (f, item, path);
  log = request_log ();
  /* A new session, from the first byte. */
  g_assert_cmpuint (upload_test_count_requests (log, "POST", "createUploadSession"), ==, 2);
}

static void
test_file_changed (Fixture *f, gconstpointer data)
{
  gsize size = 12 * UNIT;
  g_autofree char *path = make_file ("Changing.txt", size, 11);
  g_autoptr (FoyerUpload) upload = NULL;
  g_autoptr (GError) error = NULL;

  add_fault ("{\"pattern\":\"*/uploadSession\",\"method\":\"PUT\",\"delayMs\":50}");
  upload = g_object_ref (add (f, path, NULL));
  upload_test_wait_sent (upload, UNIT);
  {
    /* Someone saves the file again. */
    g_autofree char *longer = make_file ("Changing.txt", size + 10, 12);
  }
  error = wait_failed (upload);
  g_assert_error (error, FOYER_UPLOAD_ERROR, FOYER_UPLOAD_ERROR_FILE_CHANGED);
  g_assert_false (foyer_upload_get_can_retry (upload));
  /* Nothing half-old is left: no session, no record, no item. */
  g_assert_cmpuint (saved_uploads (f->store), ==, 0);
  /* The DELETE of the session goes out on its own; wait for it. */
  while (open_sessions () != 0)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_mismatch (Fixture *f, gconstpointer data)
{
  g_autofree char *big = make_file ("Mismatch.bin", 6 * UNIT, 20);
  g_autofree char *small = make_file ("Mismatch small.txt", 1000, 21);
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) small_error = NULL;

  /* OneDrive's copy differs from what was read: never shared. */
  control ("POST", "/uploads/settings", "{\"corruptCommits\":2}");
  error = wait_failed (add (f, big, NULL));
  g_assert_error (error, FOYER_UPLOAD_ERROR, FOYER_UPLOAD_ERROR_MISMATCH);
  small_error = wait_failed (add (f, small, NULL));
  g_assert_error (small_error, FOYER_UPLOAD_ERROR, FOYER_UPLOAD_ERROR_MISMATCH);
  g_assert_cmpuint (saved_uploads (f->store), ==, 0);
}

static void
test_cancel (Fixture *f, gconstpointer data)
{
  gsize size = 12 * UNIT;
  g_autofree char *path = make_file ("Cancelled.mov", size, 13);
  g_autoptr (FoyerUpload) upload = NULL;
  g_autoptr (GError) error = NULL;

  add_fault ("{\"pattern\":\"*/uploadSession\",\"method\":\"PUT\",\"delayMs\":50}");
  upload = g_object_ref (add (f, path, NULL));
  upload_test_wait_sent (upload, 2 * UNIT);
  g_assert_cmpuint (open_sessions (), ==, 1);
  foyer_upload_cancel (upload);
  g_assert_cmpint (foyer_upload_get_state (upload), ==, FOYER_UPLOAD_CANCELLED);
  error = wait_failed (upload);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* The session is deleted (Graph's DELETE on the upload URL). */
  while (open_sessions () != 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (saved_uploads (f->store), ==, 0);
}

static void
test_bad_files (Fixture *f, gconstpointer data)
{
  g_autofree char *missing = g_build_filename (workdir, "Not there.txt", NULL);
  g_autoptr (GError) gone = NULL;
  g_autoptr (GError) folder = NULL;

  gone = wait_failed (add (f, missing, NULL));
  g_assert_error (gone, FOYER_UPLOAD_ERROR, FOYER_UPLOAD_ERROR_FILE_UNREADABLE);
  g_assert_nonnull (strstr (gone->message, "Not there.txt"));
  folder = wait_failed (add (f, workdir, NULL));
  g_assert_error (folder, FOYER_UPLOAD_ERROR, FOYER_UPLOAD_ERROR_NOT_A_FILE);
  g_assert_cmpuint (saved_uploads (f->store), ==, 0);
}

static void
test_folder_blocked (Fixture *f, gconstpointer data)
{
  g_autoptr (GBytes) body = g_bytes_new_static ("in the way", 10);
  FoyerTestWait wait = { NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *path = make_file ("Blocked.txt", 10, 14);

  /* Carol has a file where the folder should be. */
  foyer_graph_client_send_bytes_async (f->client, "PUT", "/me/drive/root:/Foyer%20Files:/content",
                                       body, "text/plain", NULL, NULL, NULL, NULL,
                                       foyer_test_wait_cb, &wait);
  node = foyer_graph_client_request_finish (f->client, foyer_test_wait (&wait), &error);
  foyer_test_wait_clear (&wait);
  g_assert_no_error (error);
  g_clear_error (&error);
  error = wait_failed (add (f, path, NULL));
  g_assert_error (error, FOYER_UPLOAD_ERROR, FOYER_UPLOAD_ERROR_FOLDER_BLOCKED);
}

/* ---- a quit in the middle --------------------------------------------------------- */

static FoyerUploader *
restart (Fixture *f)
{
  FoyerTestWait wait = { NULL };
  g_autoptr (GError) error = NULL;
  FoyerUploader *uploader;
  guint resumed;

  /* Quit: the uploader stops, the store closes; then a new start. */
  foyer_uploader_shutdown (f->uploader);
  g_clear_object (&f->uploader);
  foyer_store_drain (f->store);
  foyer_store_close (f->store);
  g_clear_object (&f->store);
  f->store = open_store (f->store_dir);
  uploader = foyer_uploader_new (f->client, f->store);
  foyer_uploader_set_fragment_size (uploader, UNIT);
  foyer_uploader_set_max_fragment_size (uploader, UNIT);
  foyer_uploader_set_simple_max (uploader, 64 * 1024);
  foyer_uploader_set_base_delay_ms (uploader, 50);
  foyer_uploader_resume_async (uploader, NULL, foyer_test_wait_cb, &wait);
  resumed = foyer_uploader_resume_finish (uploader, foyer_test_wait (&wait), &error);
  foyer_test_wait_clear (&wait);
  g_assert_no_error (error);
  g_assert_cmpuint (resumed, ==, 1);
  f->uploader = uploader;
  return uploader;
}

static FoyerUpload *
first_upload (FoyerUploader *uploader)
{
  FoyerUpload *upload = g_list_model_get_item (G_LIST_MODEL (uploader), 0);

  g_assert_nonnull (upload);
  return upload;
}

static char *
saved_url (FoyerStore *store)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = foyer_store_list (store, FOYER_STORE_NS_UPLOADS, &error);
  g_autoptr (FoyerUploadRecord) record = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, 1);
  record = foyer_upload_record_from_bytes (((FoyerStoreEntry *) entries->pdata[0])->value, &error);
  g_assert_no_error (error);
  return g_strdup (record->upload_url);
}

/* An upload on its way, paced so that a quit finds it halfway: sent
 * bytes have gone. */
static FoyerUpload *
upload_halfway (Fixture *f, const char *path, const char *context, guint64 sent)
{
  FoyerUpload *upload;

  add_fault ("{\"pattern\":\"*/uploadSession\",\"method\":\"PUT\",\"delayMs\":30}");
  upload = g_object_ref (add (f, path, context));
  upload_test_wait_sent (upload, sent);
  return upload;
}

static void
test_quit_and_resume (Fixture *f, gconstpointer data)
{
  gsize size = 14 * UNIT + 777;
  g_autofree char *path = make_file ("PLAINTEXT-NAME Board deck.pptx", size, 15);
  g_autoptr (FoyerUpload) before = NULL;
  g_autoptr (FoyerUpload) after = NULL;
  g_autoptr (FoyerDriveItem) item = NULL;
  g_autoptr (JsonArray) log = NULL;
  g_autofree char *url = NULL;
  g_autofree char *tempauth = NULL;
  g_autoptr (GError) error = NULL;
  guint puts_after;

  before = upload_halfway (f, path, "{\"space\":\"PLAINTEXT-CONTEXT\"}", 5 * UNIT);
  /* A connection reset on the way out, for good measure. */
  control ("POST", "/uploads/drops", "{\"dropAfterBytes\":50000,\"times\":1}");

  foyer_uploader_shutdown (f->uploader);
  g_assert_cmpint (foyer_upload_get_state (before), !=, FOYER_UPLOAD_DONE);
  foyer_store_drain (f->store);
  url = saved_url (f->store);
  g_assert_nonnull (url);
  tempauth = g_strdup (strstr (url, "tempauth=") + strlen ("tempauth="));

  /* The session URL is a bearer capability: sealed, never in clear. */
  g_assert_false (foyer_test_tree_contains (f->store_dir, tempauth));
  g_assert_false (foyer_test_tree_contains (f->store_dir, "uploadSession"));
  g_assert_false (foyer_test_tree_contains (f->store_dir, "PLAINTEXT-NAME"));
  g_assert_false (foyer_test_tree_contains (f->store_dir, "PLAINTEXT-CONTEXT"));
  g_assert_true (g_file_test (f->store_dir, G_FILE_TEST_IS_DIR));

  g_assert_true (foyer_test_sandbox_clear_request_log (sandbox, &error));
  after = g_object_ref (first_upload (restart (f)));
  g_assert_true (foyer_upload_get_resumed (after));
  g_assert_cmpstr (foyer_upload_get_name (after), ==, "PLAINTEXT-NAME Board deck.pptx");
  g_assert_cmpstr (foyer_upload_get_context (after), ==, "{\"space\":\"PLAINTEXT-CONTEXT\"}");
  item = wait_done (after);
  assert_uploaded (f, item, path);
  g_assert_cmpuint (saved_uploads (f->store), ==, 0);

  /* It went on from where the session stood: no new session, fewer PUTs
   * than fragments. */
  log = request_log ();
  puts_after = upload_test_count_requests (log, "PUT", "/uploadSession");
  g_assert_cmpuint (upload_test_count_requests (log, "POST", "createUploadSession"), ==, 0);
  g_assert_cmpuint (upload_test_count_requests (log, "GET", "/uploadSession"), >=, 1);
  g_assert_cmpuint (puts_after, <, 15);
  g_assert_cmpuint (puts_after, >=, 1);
}

static void
test_resume_expired (Fixture *f, gconstpointer data)
{
  gsize size = 6 * UNIT;
  g_autofree char *path = make_file ("Expired overnight.docx", size, 16);
  g_autoptr (FoyerUpload) before = NULL;
  g_autoptr (FoyerUpload) after = NULL;
  g_autoptr (FoyerDriveItem) item = NULL;
  g_autoptr (JsonArray) log = NULL;
  g_autoptr (GError) error = NULL;

  before = upload_halfway (f, path, NULL, 2 * UNIT);
  foyer_uploader_shutdown (f->uploader);
  control ("POST", "/uploads/expire", "{}");
  g_assert_true (foyer_test_sandbox_clear_request_log (sandbox, &error));

  after = g_object_ref (first_upload (restart (f)));
  item = wait_done (after);
  assert_uploaded (f, item, path);
  log = request_log ();
  g_assert_cmpuint (upload_test_count_requests (log, "POST", "createUploadSession"), ==, 1);
}

static void
test_resume_changed (Fixture *f, gconstpointer data)
{
  gsize size = 6 * UNIT;
  g_autofree char *path = make_file ("Edited meanwhile.txt", size, 17);
  g_autoptr (FoyerUpload) before = NULL;
  g_autoptr (FoyerUpload) after = NULL;
  g_autoptr (GError) error = NULL;

  before = upload_halfway (f, path, NULL, 2 * UNIT);
  foyer_uploader_shutdown (f->uploader);
  g_free (make_file ("Edited meanwhile.txt", size, 18));

  after = g_object_ref (first_upload (restart (f)));
  error = wait_failed (after);
  g_assert_error (error, FOYER_UPLOAD_ERROR, FOYER_UPLOAD_ERROR_FILE_CHANGED);
  g_assert_cmpuint (saved_uploads (f->store), ==, 0);
  while (open_sessions () != 0)
    g_main_context_iteration (NULL, TRUE);
}

/* Issue #16: the file's bytes go only to the cloud's hosts. A cloud that
 * does not list the SharePoint host: createUploadSession's upload URL (on
 * it) is refused, and not one fragment leaves. */
static void
test_upload_url_outside_cloud (Fixture *f, gconstpointer data)
{
  g_autofree char *path = make_file ("Elsewhere.bin", 3 * UNIT, 7);
  g_autoptr (JsonNode) original = json_node_new (JSON_NODE_OBJECT);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonArray) hosts = json_array_new ();
  g_autofree char *text = NULL;
  g_autofree char *narrowed = NULL;
  g_autofree char *ca = NULL;
  g_autoptr (FoyerCloud) narrow = NULL;
  g_autoptr (FoyerGraphClient) client = NULL;
  g_autoptr (FoyerUploader) uploader = NULL;
  g_autoptr (FoyerUpload) upload = NULL;
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonArray) log = NULL;
  JsonObject *described;
  JsonArray *all;
  const char *sharepoint;

  /* A copy of cloud.json without the SharePoint host. */
  json_node_set_object (original, foyer_test_sandbox_get_cloud (sandbox));
  text = json_to_string (original, FALSE);
  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  described = json_node_get_object (json_parser_get_root (parser));
  all = json_object_get_array_member (described, "allowedHosts");
  sharepoint = json_array_get_string_element (
      json_object_get_array_member (described, "sharepointHosts"), 0);
  for (guint i = 0; i < json_array_get_length (all); i++)
    if (g_strcmp0 (json_array_get_string_element (all, i), sharepoint) != 0)
      json_array_add_string_element (hosts, json_array_get_string_element (all, i));
  json_object_set_array_member (described, "allowedHosts", json_array_ref (hosts));
  ca = g_build_filename (foyer_test_sandbox_get_state_dir (sandbox), "ca.pem", NULL);
  json_object_set_string_member (described, "caFile", ca);
  narrowed = json_to_string (json_parser_get_root (parser), FALSE);
  narrow = foyer_cloud_new_from_data (narrowed, -1, &error);
  g_assert_no_error (error);

  client = upload_test_client_in (sandbox, "alice@contoso.example", narrow);
  uploader = foyer_uploader_new (client, NULL);
  foyer_uploader_set_fragment_size (uploader, UNIT);
  foyer_uploader_set_max_fragment_size (uploader, UNIT);
  foyer_uploader_set_simple_max (uploader, 64 * 1024);
  upload = g_object_ref (foyer_uploader_add (uploader, file, NULL, NULL));
  error = wait_failed (upload);
  g_assert_error (error, FOYER_UPLOAD_ERROR, FOYER_UPLOAD_ERROR_MALFORMED);
  log = request_log ();
  g_assert_cmpuint (upload_test_count_requests (log, "POST", "createUploadSession"), ==, 1);
  g_assert_cmpuint (upload_test_count_requests (log, "PUT", "/uploadSession"), ==, 0);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  sandbox = foyer_test_sandbox_start (NULL, &error);
  g_assert_no_error (error);
  workdir = g_dir_make_tmp ("foyer-upload-files-XXXXXX", &error);
  g_assert_no_error (error);

#define ADD(path, func, data)                                                                      \
  g_test_add ("/files/upload/" path, Fixture, data, fixture_set_up, func, fixture_tear_down)
  ADD ("small-file", test_small_file, NULL);
  ADD ("fragments", test_fragments, NULL);
  ADD ("fragments-grow", test_fragments_grow, NULL);
  ADD ("empty-and-concurrent", test_empty_and_concurrent, NULL);
  ADD ("dropped-connection", test_dropped_connection, NULL);
  ADD ("throttled", test_throttled, NULL);
  ADD ("server-errors", test_server_errors, NULL);
  ADD ("expired-session", test_expired_session, NULL);
  ADD ("file-changed", test_file_changed, NULL);
  ADD ("mismatch", test_mismatch, NULL);
  ADD ("cancel", test_cancel, NULL);
  ADD ("bad-files", test_bad_files, NULL);
  ADD ("folder-blocked", test_folder_blocked, "carol@contoso.example");
  ADD ("quit-and-resume", test_quit_and_resume, NULL);
  ADD ("resume-expired", test_resume_expired, NULL);
  ADD ("resume-changed", test_resume_changed, NULL);
  ADD ("upload-url-outside-cloud", test_upload_url_outside_cloud, NULL);
#undef ADD
  status = g_test_run ();
  foyer_test_sandbox_unref (sandbox);
  return status;
}
