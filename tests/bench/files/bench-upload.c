/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A 200 MiB file through foyer-ms-sandbox with 20 ms added to every reply,
 * in Foyer's default settings (10 MiB fragments). Printed, each against a
 * reference from the same run, min/median/max over the runs:
 *  - throughput, against `curl -T` putting the same bytes to the same
 *    sandbox in one request (Graph's simple upload): goal ≥ 0.9×;
 *  - peak memory growth during the upload, in fragments: goal < 3;
 *  - the main loop's longest iteration (from the end of one poll to the
 *    start of the next: the time spent dispatching, in wall-clock and in
 *    the main thread's CPU time, which a busy machine does not inflate),
 *    against reading and hashing one fragment on the main thread: goal
 *    ≤ 16 ms.
 * FOYER_BENCH_UPLOAD_MIB (default 200), FOYER_BENCH_RUNS (default 3) and
 * FOYER_BENCH_LATENCY_MS (default 20) change the inputs.
 */
#include "config.h"

#include "foyer-quickxor.h"
#include "foyer-uploader.h"
#include "upload-test-util.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* The main context's poll, wrapped: what happens between two polls is one
 * iteration's work. */
static GPollFunc real_poll;
static gint64 iteration_wall, iteration_cpu;
static gint64 longest_wall, longest_cpu;
static gboolean measuring;

static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static gint
measuring_poll (GPollFD *fds, guint n_fds, gint timeout)
{
  gint result;

  if (measuring && iteration_wall > 0)
    {
      longest_wall = MAX (longest_wall, g_get_monotonic_time () - iteration_wall);
      longest_cpu = MAX (longest_cpu, thread_cpu_us () - iteration_cpu);
    }
  result = real_poll (fds, n_fds, timeout);
  iteration_wall = g_get_monotonic_time ();
  iteration_cpu = thread_cpu_us ();
  return result;
}

static guint64
status_kib (const char *field)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return 0;
  line = strstr (status, field);
  return line != NULL ? g_ascii_strtoull (line + strlen (field), NULL, 10) : 0;
}

/* Linux resets VmHWM (the peak RSS) when 5 is written to clear_refs. */
static void
reset_peak (void)
{
  FILE *f = fopen ("/proc/self/clear_refs", "w");

  if (f == NULL || fputs ("5", f) < 0 || fclose (f) != 0)
    g_error ("Cannot reset the peak memory figure");
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static void
print_range (const char *what, GArray *values, const char *unit)
{
  g_array_sort (values, compare_doubles);
  printf ("%-48s min %8.3f  median %8.3f  max %8.3f %s\n", what, g_array_index (values, double, 0),
          g_array_index (values, double, values->len / 2),
          g_array_index (values, double, values->len - 1), unit);
}

static double
curl_upload (FoyerTestSandbox *sandbox, const char *path, const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *token
      = foyer_test_sandbox_mint_token (sandbox, "alice@contoso.example", NULL, &error);
  g_autofree char *auth = g_strconcat ("Authorization: Bearer ", token, NULL);
  g_autofree char *url = g_strdup_printf ("%s/me/drive/root:/%s:/content",
                                          foyer_test_sandbox_get_graph_url (sandbox), name);
  g_autofree char *out = NULL;
  const char *argv[] = { "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "PUT",
                         "-H",   auth, "-H", "Expect:",   "-T", path,           url,  NULL };
  int status = 0;
  gint64 start = g_get_monotonic_time ();

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL,
                     &status, &error)
      || !g_spawn_check_wait_status (status, &error) || g_strcmp0 (out, "201") != 0)
    g_error ("curl failed: %s (%s)", error != NULL ? error->message : "", out);
  return (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
}

typedef struct
{
  double seconds;
  double peak_mib;
  double longest_ms;
  double longest_cpu_ms;
  guint requests; /* to Graph and the upload URL, for the bytes */
} Run;

static guint
count_upload_requests (FoyerTestSandbox *sandbox)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonArray) log = foyer_test_sandbox_get_request_log (sandbox, &error);

  g_assert_no_error (error);
  return upload_test_count_requests (log, "POST", "createUploadSession")
         + upload_test_count_requests (log, "PUT", "/uploadSession");
}

static Run
foyer_upload (FoyerTestSandbox *sandbox, FoyerGraphClient *client, const char *path, guint64 size)
{
  g_autoptr (FoyerUploader) uploader = foyer_uploader_new (client, NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  FoyerUpload *upload;
  guint64 base_kib;
  gint64 start;
  Run run;

  /* The folder first, so that the run times the bytes only. */
  foyer_uploader_set_max_concurrent (uploader, 1);
  {
    g_autofree char *tiny = g_strconcat (path, ".warm", NULL);
    g_autoptr (GFile) warm = NULL;

    g_file_set_contents (tiny, "w", 1, NULL);
    warm = g_file_new_for_path (tiny);
    upload_test_wait_final (foyer_uploader_add (uploader, warm, NULL, NULL));
    g_unlink (tiny);
  }
  foyer_test_sandbox_clear_request_log (sandbox, NULL);
  reset_peak ();
  base_kib = status_kib ("VmRSS:");
  longest_wall = longest_cpu = 0;
  measuring = TRUE;
  start = g_get_monotonic_time ();
  upload = foyer_uploader_add (uploader, file, NULL, NULL);
  upload_test_wait_final (upload);
  run.seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  measuring = FALSE;
  if (foyer_upload_get_state (upload) != FOYER_UPLOAD_DONE
      || foyer_drive_item_get_size (foyer_upload_get_item (upload)) != (gint64) size)
    g_error ("The upload failed: %s",
             foyer_upload_get_error (upload) ? foyer_upload_get_error (upload)->message : "?");
  run.peak_mib = (double) (status_kib ("VmHWM:") - MIN (base_kib, status_kib ("VmHWM:"))) / 1024;
  run.requests = count_upload_requests (sandbox);
  run.longest_ms = longest_wall / 1000.0;
  run.longest_cpu_ms = longest_cpu / 1000.0;
  return run;
}

/* What the main loop would go through without the worker thread: one
 * fragment read and hashed on it. */
static double
fragment_on_main_thread (const char *path)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileInputStream) in = g_file_read (file, NULL, NULL);
  g_autofree guint8 *buffer = g_malloc (FOYER_UPLOAD_FRAGMENT_SIZE);
  gsize got = 0;
  FoyerQuickXor q;
  gint64 start = g_get_monotonic_time ();

  g_input_stream_read_all (G_INPUT_STREAM (in), buffer, FOYER_UPLOAD_FRAGMENT_SIZE, &got, NULL,
                           NULL);
  foyer_quickxor_init (&q);
  foyer_quickxor_update (&q, buffer, got);
  return (g_get_monotonic_time () - start) / 1000.0;
}

int
main (int argc, char **argv)
{
  guint mib = (guint) g_ascii_strtoull (g_getenv ("FOYER_BENCH_UPLOAD_MIB") ?: "200", NULL, 10);
  guint runs = (guint) g_ascii_strtoull (g_getenv ("FOYER_BENCH_RUNS") ?: "3", NULL, 10);
  const char *latency = g_getenv ("FOYER_BENCH_LATENCY_MS") ?: "20";
  const char *args[] = { "--latency-ms", latency, NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerTestSandbox) sandbox = NULL;
  g_autoptr (FoyerGraphClient) client = NULL;
  g_autofree char *dir = g_dir_make_tmp ("foyer-bench-upload-XXXXXX", NULL);
  g_autofree char *path = NULL;
  g_autoptr (GArray) ratio = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) ratio_net = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) ours_mbs = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) curl_mbs = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) peak = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) longest = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) longest_cpu_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) reference = g_array_new (FALSE, FALSE, sizeof (double));
  guint64 size = (guint64) mib * 1024 * 1024;
  double fragment_mib = FOYER_UPLOAD_FRAGMENT_SIZE / (1024.0 * 1024.0);

  mib = MAX (mib, 1);
  runs = MAX (runs, 1);
  real_poll = g_main_context_get_poll_func (NULL);
  g_main_context_set_poll_func (NULL, measuring_poll);
  sandbox = foyer_test_sandbox_start (args, &error);
  g_assert_no_error (error);
  client = upload_test_client (sandbox, "alice@contoso.example");
  path = upload_test_make_file (dir, "Big video.mp4", size, 1);

  printf ("# %u MiB, %u runs, %s ms added to every reply, fragments of %.0f MiB\n", mib, runs,
          latency, fragment_mib);
  for (guint i = 0; i < runs; i++)
    {
      g_autofree char *name = g_strdup_printf ("reference-%u.mp4", i);
      double curl_s = curl_upload (sandbox, path, name);
      Run run = foyer_upload (sandbox, client, path, size);
      double r = curl_s / run.seconds;
      /* What the protocol itself costs: each request but one waits for
       * the added latency (curl's single PUT waits once too). */
      double protocol_s = (run.requests - 1) * g_ascii_strtod (latency, NULL) / 1000.0;
      double r_net = curl_s / MAX (run.seconds - protocol_s, 0.001);
      double ours = mib / run.seconds, theirs = mib / curl_s;
      double main_ref = fragment_on_main_thread (path);
      double peak_fragments = run.peak_mib / fragment_mib;

      printf ("# run %u: Foyer %.2f s (%.0f MiB/s, %u requests), curl %.2f s (%.0f MiB/s), peak "
              "+%.1f MiB, longest iteration %.1f ms (%.1f ms of CPU)\n",
              i + 1, run.seconds, ours, run.requests, curl_s, theirs, run.peak_mib, run.longest_ms,
              run.longest_cpu_ms);
      g_array_append_val (ratio_net, r_net);
      g_array_append_val (ratio, r);
      g_array_append_val (ours_mbs, ours);
      g_array_append_val (curl_mbs, theirs);
      g_array_append_val (peak, peak_fragments);
      g_array_append_val (longest, run.longest_ms);
      g_array_append_val (longest_cpu_ms, run.longest_cpu_ms);
      g_array_append_val (reference, main_ref);
    }
  print_range ("throughput, Foyer (MiB/s)", ours_mbs, "");
  print_range ("throughput, curl -T in one request (MiB/s)", curl_mbs, "");
  print_range ("throughput, Foyer / curl (goal >= 0.9)", ratio, "x");
  print_range ("  the same, less the latency of the extra requests", ratio_net, "x");
  print_range ("peak memory growth (goal < 3)", peak, "fragments");
  print_range ("main loop's longest iteration (goal <= 16)", longest, "ms");
  print_range ("  the same in the main thread's CPU time", longest_cpu_ms, "ms");
  print_range ("reference: one fragment read+hashed on it", reference, "ms");
  g_unlink (path);
  g_rmdir (dir);
  return 0;
}
