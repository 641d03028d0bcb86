/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "upload-test-util.h"

#include <string.h>

#define UPLOAD_TEST_TYPE_AUTHORIZER (upload_test_authorizer_get_type ())
G_DECLARE_FINAL_TYPE (
    UploadTestAuthorizer, upload_test_authorizer, UPLOAD_TEST, AUTHORIZER, GObject)

struct _UploadTestAuthorizer
{
  GObject parent_instance;
  FoyerTestSandbox *sandbox;
  char *email;
  char *token;
};

static void authorizer_iface_init (FoyerAuthorizerInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (UploadTestAuthorizer,
                               upload_test_authorizer,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (FOYER_TYPE_AUTHORIZER, authorizer_iface_init))

static void
get_token_async (FoyerAuthorizer *authorizer,
                 gboolean force_refresh,
                 GCancellable *cancellable,
                 GAsyncReadyCallback callback,
                 gpointer user_data)
{
  UploadTestAuthorizer *self = UPLOAD_TEST_AUTHORIZER (authorizer);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr (GError) error = NULL;

  if (force_refresh || self->token == NULL)
    {
      /* A blocking call to another process: fine in a test. */
      g_free (self->token);
      self->token = foyer_test_sandbox_mint_token (self->sandbox, self->email, NULL, &error);
    }
  if (self->token == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_strdup (self->token), g_free);
}

static char *
get_token_finish (FoyerAuthorizer *authorizer, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
authorizer_iface_init (FoyerAuthorizerInterface *iface)
{
  iface->get_token_async = get_token_async;
  iface->get_token_finish = get_token_finish;
}

static void
upload_test_authorizer_finalize (GObject *object)
{
  UploadTestAuthorizer *self = UPLOAD_TEST_AUTHORIZER (object);

  foyer_test_sandbox_unref (self->sandbox);
  g_free (self->email);
  g_free (self->token);
  G_OBJECT_CLASS (upload_test_authorizer_parent_class)->finalize (object);
}

static void
upload_test_authorizer_class_init (UploadTestAuthorizerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = upload_test_authorizer_finalize;
}

static void
upload_test_authorizer_init (UploadTestAuthorizer *self)
{
}

FoyerGraphClient *
upload_test_client_in (FoyerTestSandbox *sandbox, const char *email, FoyerCloud *cloud)
{
  g_autoptr (UploadTestAuthorizer) auth = g_object_new (UPLOAD_TEST_TYPE_AUTHORIZER, NULL);

  auth->sandbox = foyer_test_sandbox_ref (sandbox);
  auth->email = g_strdup (email);
  return foyer_graph_client_new_for_cloud (cloud, FOYER_AUTHORIZER (auth));
}

FoyerGraphClient *
upload_test_client (FoyerTestSandbox *sandbox, const char *email)
{
  g_autoptr (GError) error = NULL;
  /* As the app does: the sandbox's cloud.json, its hosts and its CA. */
  g_autoptr (FoyerCloud) cloud
      = foyer_cloud_new_from_file (foyer_test_sandbox_get_cloud_path (sandbox), &error);

  g_assert_no_error (error);
  return upload_test_client_in (sandbox, email, cloud);
}

char *
upload_test_make_file (const char *dir, const char *name, gsize size, guint seed)
{
  char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileOutputStream) out
      = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);
  g_autofree guint8 *chunk = g_malloc (1024 * 1024);

  /* Written in 1 MiB pieces: a benchmark's peak memory must not count it. */
  g_assert_no_error (error);
  for (gsize offset = 0; offset < size; offset += 1024 * 1024)
    {
      gsize n = MIN (1024 * 1024, size - offset);

      for (gsize i = 0; i < n; i++)
        {
          gsize k = offset + i;

          chunk[i] = (guint8) ((k * 2654435761u + seed * 97 + (k >> 11)) >> 7);
        }
      g_assert_true (
          g_output_stream_write_all (G_OUTPUT_STREAM (out), chunk, n, NULL, NULL, &error));
    }
  g_assert_true (g_output_stream_close (G_OUTPUT_STREAM (out), NULL, &error));
  return path;
}

GBytes *
upload_test_file_bytes (const char *path)
{
  g_autoptr (GError) error = NULL;
  char *contents = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &contents, &len, &error));
  return g_bytes_new_take (contents, len);
}

static gboolean
is_final (FoyerUpload *upload)
{
  FoyerUploadState state = foyer_upload_get_state (upload);

  return state == FOYER_UPLOAD_DONE || state == FOYER_UPLOAD_FAILED
         || state == FOYER_UPLOAD_CANCELLED;
}

static gboolean
timed_out_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
wait_until (FoyerUpload *upload, guint64 sent)
{
  gboolean timed_out = FALSE;
  guint timeout = g_timeout_add_seconds (60, timed_out_cb, &timed_out);

  while (!is_final (upload) && (sent == 0 || foyer_upload_get_bytes_sent (upload) < sent)
         && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (timed_out)
    g_error ("The upload of %s did not get there in 60 s (state %d)",
             foyer_upload_get_name (upload), foyer_upload_get_state (upload));
  g_source_remove (timeout);
}

void
upload_test_wait_final (FoyerUpload *upload)
{
  wait_until (upload, 0);
}

void
upload_test_wait_sent (FoyerUpload *upload, guint64 at_least)
{
  wait_until (upload, at_least);
  g_assert_false (is_final (upload));
}

guint
upload_test_count_requests (JsonArray *log, const char *method, const char *part)
{
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (log); i++)
    {
      JsonObject *e = json_array_get_object_element (log, i);

      if (g_str_equal (json_object_get_string_member (e, "method"), method)
          && strstr (json_object_get_string_member (e, "path"), part) != NULL)
        n++;
    }
  return n;
}
