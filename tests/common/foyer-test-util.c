/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "foyer-test-util.h"

void
foyer_test_wait_cb (GObject *source, GAsyncResult *result, gpointer wait)
{
  FoyerTestWait *self = wait;

  g_clear_object (&self->result);
  self->result = g_object_ref (result);
}

static gboolean
timed_out_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

GAsyncResult *
foyer_test_wait_result (FoyerTestWait *wait, guint timeout_ms)
{
  gboolean timed_out = FALSE;
  guint timeout = g_timeout_add (timeout_ms, timed_out_cb, &timed_out);

  while (wait->result == NULL && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timeout);
  return wait->result;
}

GAsyncResult *
foyer_test_wait (FoyerTestWait *wait)
{
  GAsyncResult *result = foyer_test_wait_result (wait, 30000);

  g_assert_nonnull (result);
  return result;
}

void
foyer_test_wait_clear (FoyerTestWait *wait)
{
  g_clear_object (&wait->result);
}

gboolean
foyer_test_tree_contains (const char *dir, const char *needle)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        {
          if (foyer_test_tree_contains (path, needle))
            return TRUE;
        }
      else if (g_file_get_contents (path, &contents, &length, NULL)
               && g_strstr_len (contents, length, needle) != NULL)
        {
          g_test_message ("%s contains \"%s\"", path, needle);
          return TRUE;
        }
    }
  return FALSE;
}

void
foyer_test_line_cb (GObject *source, GAsyncResult *result, gpointer line)
{
  FoyerTestLine *self = line;

  self->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result,
                                                          NULL, &self->error);
  self->done = TRUE;
}
