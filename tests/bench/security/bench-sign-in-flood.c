/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A real person's sign-in while one address floods foyer-service with
 * sign-ins: Alice, from 127.0.0.3, signs in alone (the reference) and then
 * while FLOODERS clients at 127.0.0.2 sign in without pause with unknown
 * addresses (each costing a full password hash). Prints her sign-in time
 * in both cases and the ratio, min / median / max over the rounds, and
 * what the flooder got. Usage: bench-sign-in-flood [ROUNDS] (default 3).
 */
#include "config.h"

#include "security-util.h"

#define FLOODERS 16
#define SIGN_INS 5

typedef struct
{
  const char *base;
  int stop;
  int answered;
  int too_many;
} Flood;

static gpointer
flood_thread (gpointer user_data)
{
  Flood *flood = user_data;

  for (guint n = 0; !g_atomic_int_get (&flood->stop); n++)
    {
      g_autofree char *email = g_strdup_printf ("nobody-%p-%u@flood.example", g_thread_self (), n);
      guint status = 0;
      g_autofree char *token
          = sec_sign_in_from ("127.0.0.2", flood->base, email, "a guess", &status, NULL);

      g_atomic_int_inc (&flood->answered);
      if (status == 429)
        {
          g_atomic_int_inc (&flood->too_many);
          g_usleep (20 * 1000);
        }
    }
  return NULL;
}

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* Median of SIGN_INS sign-ins by Alice, in ms; fails on anything but 201. */
static double
alice_median (const char *base)
{
  double times[SIGN_INS];

  for (guint i = 0; i < SIGN_INS; i++)
    {
      gint64 start = g_get_monotonic_time ();
      guint status = 0;
      g_autofree char *token = sec_sign_in_from ("127.0.0.3", base, FOYER_TEST_ALICE_EMAIL,
                                                 FOYER_TEST_ALICE_PASSWORD, &status, NULL);

      if (status != 201)
        g_error ("Alice's sign-in → %u", status);
      times[i] = (g_get_monotonic_time () - start) / 1000.0;
    }
  qsort (times, SIGN_INS, sizeof *times, compare_double);
  return times[SIGN_INS / 2];
}

static void
print_range (const char *what, double *values, guint n)
{
  qsort (values, n, sizeof *values, compare_double);
  g_print ("  %-40s min %8.1f  median %8.1f  max %8.1f\n", what, values[0], values[n / 2],
           values[n - 1]);
}

int
main (int argc, char **argv)
{
  guint rounds = argc > 1 ? MAX ((guint) g_ascii_strtoull (argv[1], NULL, 10), 1) : 3;
  g_autoptr (FoyerTestService) service = foyer_test_service_new ();
  g_autofree double *quiet = g_new (double, rounds);
  g_autofree double *loaded = g_new (double, rounds);
  g_autofree double *ratio = g_new (double, rounds);
  int answered = 0, too_many = 0;

  g_print ("Alice's sign-in (median of %d) alone and during a flood of %d sign-ins at once from "
           "one address, %u rounds\n",
           SIGN_INS, FLOODERS, rounds);
  for (guint r = 0; r < rounds; r++)
    {
      Flood flood = { foyer_test_service_get_base_url (service) };
      GThread *threads[FLOODERS];

      quiet[r] = alice_median (flood.base);
      for (guint i = 0; i < FLOODERS; i++)
        threads[i] = g_thread_new ("flood", flood_thread, &flood);
      while (g_atomic_int_get (&flood.answered) < 2 * FLOODERS)
        g_thread_yield ();
      loaded[r] = alice_median (flood.base);
      g_atomic_int_set (&flood.stop, 1);
      for (guint i = 0; i < FLOODERS; i++)
        g_thread_join (threads[i]);
      ratio[r] = loaded[r] / quiet[r];
      answered += flood.answered;
      too_many += flood.too_many;
    }
  print_range ("sign-in alone, ms (reference)", quiet, rounds);
  print_range ("sign-in during the flood, ms", loaded, rounds);
  print_range ("during the flood / alone", ratio, rounds);
  g_print ("  the flooder got %d answers, %d of them 429 (held to its share)\n", answered,
           too_many);
  return 0;
}
