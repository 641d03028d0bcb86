/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Throughput of the encrypted local store on this machine: sealed puts and
 * authenticated gets of 1 KiB values (messages, listings) and 30 KiB blobs
 * (thumbnails), warm reads, listing a namespace, and the async path.
 */
#include "config.h"

#include "foyer-store.h"

#include <stdio.h>

typedef struct
{
  GMainLoop *loop;
  int pending;
} AsyncState;

static GBytes *
make_value (gsize size, guint seed)
{
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) (i * 31 + seed);

  return g_bytes_new_take (data, size);
}

static void
report (const char *what, int n, gsize size, gint64 usec)
{
  double secs = (double) usec / G_USEC_PER_SEC;

  printf ("%-34s %6d ops in %7.3f s  %9.0f ops/s  %8.2f MiB/s\n", what, n, secs, n / secs,
          (double) n * (double) size / secs / (1024.0 * 1024.0));
}

static void
bench_put_get (FoyerStore *store, const char *ns, gsize size, int n, const char *label)
{
  g_autoptr (GBytes) value = make_value (size, 1);
  g_autofree char *what = NULL;
  gint64 start;

  start = g_get_monotonic_time ();
  for (int i = 0; i < n; i++)
    {
      g_autofree char *key = g_strdup_printf ("%s-%d", label, i);

      if (!foyer_store_put (store, ns, key, value, NULL))
        g_error ("put failed");
    }
  what = g_strdup_printf ("put %s", label);
  report (what, n, size, g_get_monotonic_time () - start);

  for (int pass = 0; pass < 2; pass++)
    {
      start = g_get_monotonic_time ();
      for (int i = 0; i < n; i++)
        {
          g_autofree char *key = g_strdup_printf ("%s-%d", label, i);
          g_autoptr (GBytes) got = foyer_store_get (store, ns, key, NULL);

          if (got == NULL || g_bytes_get_size (got) != size)
            g_error ("get failed");
        }
      g_free (what);
      what = g_strdup_printf ("get %s (%s)", label, pass == 0 ? "first" : "warm");
      report (what, n, size, g_get_monotonic_time () - start);
    }
}

static void
async_done_cb (GObject *object, GAsyncResult *result, gpointer user_data)
{
  AsyncState *state = user_data;
  g_autoptr (GBytes) got = foyer_store_get_finish (FOYER_STORE (object), result, NULL);

  if (got == NULL)
    g_error ("async get failed");
  if (--state->pending == 0)
    g_main_loop_quit (state->loop);
}

static void
bench_async_get (FoyerStore *store, gsize size, int n)
{
  AsyncState state = { g_main_loop_new (NULL, FALSE), n };
  gint64 start = g_get_monotonic_time ();

  for (int i = 0; i < n; i++)
    {
      g_autofree char *key = g_strdup_printf ("30KiB-%d", i);

      foyer_store_get_async (store, FOYER_STORE_NS_THUMBNAILS, key, NULL, async_done_cb, &state);
    }
  g_main_loop_run (state.loop);
  report ("get_async 30KiB (main loop)", n, size, g_get_monotonic_time () - start);
  g_main_loop_unref (state.loop);
}

int
main (int argc, char *argv[])
{
  const char *work = g_getenv ("FOYER_TEST_WORKDIR");
  g_autofree char *dir
      = work != NULL ? g_strdup (work) : g_dir_make_tmp ("foyer-bench-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "bench", "store.db", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerStore) store = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  guint64 size = 0;
  gint64 start;

  start = g_get_monotonic_time ();
  store = foyer_store_open_sync (path, "bench", NULL, &error);
  if (store == NULL)
    g_error ("%s", error->message);
  printf ("open (device key + database): %.1f ms, persistent: %s\n",
          (g_get_monotonic_time () - start) / 1000.0,
          foyer_store_is_persistent (store) ? "yes" : "NO");

  bench_put_get (store, FOYER_STORE_NS_MESSAGES, 1024, 2000, "1KiB");
  bench_put_get (store, FOYER_STORE_NS_THUMBNAILS, 30 * 1024, 300, "30KiB");
  bench_async_get (store, 30 * 1024, 300);

  start = g_get_monotonic_time ();
  entries = foyer_store_list (store, FOYER_STORE_NS_MESSAGES, NULL);
  printf ("list 2000 x 1KiB: %.1f ms\n", (g_get_monotonic_time () - start) / 1000.0);
  g_assert (entries != NULL && entries->len == 2000);

  start = g_get_monotonic_time ();
  foyer_store_trim (store, FOYER_STORE_NS_THUMBNAILS, 4 * 1024 * 1024, NULL);
  foyer_store_get_namespace_size (store, FOYER_STORE_NS_THUMBNAILS, &size, NULL);
  printf ("trim thumbnails to 4 MiB: %.1f ms (now %" G_GUINT64_FORMAT " bytes)\n",
          (g_get_monotonic_time () - start) / 1000.0, size);

  start = g_get_monotonic_time ();
  if (!foyer_store_wipe (store, &error))
    g_error ("%s", error->message);
  printf ("wipe: %.1f ms\n", (g_get_monotonic_time () - start) / 1000.0);

  return 0;
}
