/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench-spaces' reference for start-up and memory: an empty
 * AdwApplicationWindow in a program that links libadwaita and nothing of
 * Foyer's, so that it loads and relocates only GTK's and libadwaita's
 * libraries. Prints, as bench-spaces' children do, the monotonic time of
 * its first painted frame (µs), its proportional set size then (KiB, twice)
 * and the CPU time it used until then (ms).
 */
#include <adwaita.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static gboolean painted;

static void
after_paint_cb (GdkFrameClock *clock, gpointer data)
{
  painted = TRUE;
}

static long
pss_kib (void)
{
  g_autofree char *text = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/smaps_rollup", &text, NULL, NULL))
    return -1;
  line = strstr (text, "\nPss:");
  return line != NULL ? strtol (line + 5, NULL, 10) : -1;
}

int
main (int argc, char **argv)
{
  g_autoptr (AdwApplication) app = NULL;
  g_autoptr (GError) error = NULL;
  GtkWidget *window;
  struct rusage usage;
  gint64 frame_us;
  long pss;

  g_set_prgname ("foyer-bench");
  app = adw_application_new ("io.github.foyer.BenchEmpty", G_APPLICATION_NON_UNIQUE);
  if (!g_application_register (G_APPLICATION (app), NULL, &error))
    g_error ("%s", error->message);
  window = adw_application_window_new (GTK_APPLICATION (app));
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  gtk_window_present (GTK_WINDOW (window));
  while (!gtk_widget_get_mapped (window))
    g_main_context_iteration (NULL, TRUE);
  g_signal_connect (gtk_widget_get_frame_clock (window), "after-paint", G_CALLBACK (after_paint_cb),
                    NULL);
  while (!painted)
    g_main_context_iteration (NULL, TRUE);
  frame_us = g_get_monotonic_time ();
  getrusage (RUSAGE_SELF, &usage);
  pss = pss_kib ();
  printf ("%" G_GINT64_FORMAT " %ld %ld %.1f\n", frame_us, pss, pss,
          (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000.0
              + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000.0);
  return 0;
}
