/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Sign-in attacks on a real foyer-service, from several loopback
 * addresses as from several machines: a flood of sign-ins from one
 * address must not keep a real person from signing in, and guessing one
 * account's password from many addresses is slowed down without ever
 * locking the person out.
 */
#include "config.h"

#include <string.h>

#include "security-util.h"

#define FLOODERS 16

typedef struct
{
  const char *base;
  int stop;
  int answered;
  int too_many; /* 429: the flooder held to its share */
  int busy;     /* 503 */
} Flood;

static gpointer
flood_thread (gpointer user_data)
{
  Flood *flood = user_data;

  for (guint n = 0; !g_atomic_int_get (&flood->stop); n++)
    {
      /* Unknown addresses: each costs the service a full hash, and none
       * trips the per-account guards. */
      g_autofree char *email = g_strdup_printf ("nobody-%p-%u@flood.example", g_thread_self (), n);
      guint status = 0;
      g_autofree char *token
          = sec_sign_in_from ("127.0.0.2", flood->base, email, "a guess", &status, NULL);

      g_atomic_int_inc (&flood->answered);
      if (status == 503)
        g_atomic_int_inc (&flood->busy);
      if (status == 429)
        {
          g_atomic_int_inc (&flood->too_many);
          /* Only so that this test's own flood of refusals leaves the
           * shared CI machine some breath; the hashing flood goes on. */
          g_usleep (20 * 1000);
        }
    }
  return NULL;
}

static double
timed_sign_in (const char *base, guint *out_status)
{
  gint64 start = g_get_monotonic_time ();
  g_autofree char *token = sec_sign_in_from ("127.0.0.3", base, FOYER_TEST_ALICE_EMAIL,
                                             FOYER_TEST_ALICE_PASSWORD, out_status, NULL);

  return (g_get_monotonic_time () - start) / 1000.0;
}

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (double *values, guint n)
{
  qsort (values, n, sizeof *values, compare_double);
  return values[n / 2];
}

static void
test_flood_from_one_address (void)
{
  g_autoptr (FoyerTestService) service = foyer_test_service_new ();
  Flood flood = { foyer_test_service_get_base_url (service) };
  GThread *threads[FLOODERS];
  double quiet[3], loaded[6];
  double alone, during;
  gint64 deadline;
  guint status = 0;

  for (guint i = 0; i < G_N_ELEMENTS (quiet); i++)
    {
      quiet[i] = timed_sign_in (flood.base, &status);
      g_assert_cmpuint (status, ==, 201);
    }

  for (guint i = 0; i < FLOODERS; i++)
    threads[i] = g_thread_new ("flood", flood_thread, &flood);
  /* The flood is on once the service has answered the first wave. */
  deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  while (g_atomic_int_get (&flood.answered) < 2 * FLOODERS && g_get_monotonic_time () < deadline)
    g_thread_yield ();
  g_assert_cmpint (g_atomic_int_get (&flood.answered), >=, 2 * FLOODERS);

  /* Alice, from her own machine, signs in every time. */
  for (guint i = 0; i < G_N_ELEMENTS (loaded); i++)
    {
      loaded[i] = timed_sign_in (flood.base, &status);
      if (status != 201)
        g_error ("Alice's sign-in %u during the flood → %u", i, status);
    }

  g_atomic_int_set (&flood.stop, 1);
  for (guint i = 0; i < FLOODERS; i++)
    g_thread_join (threads[i]);
  /* The flooder was held to its share, and nobody was told "busy". */
  g_assert_cmpint (flood.too_many, >, 0);
  g_assert_cmpint (flood.busy, ==, 0);
  alone = median (quiet, 3);
  during = median (loaded, 6);
  g_test_message ("Alice's sign-in: %.0f ms alone (median of 3), %.0f ms during a flood of %d "
                  "sign-ins at once from one address (median of 6, min %.0f, max %.0f), ratio "
                  "%.1f; the flooder got %d answers, %d of them 429",
                  alone, during, FLOODERS, loaded[0], loaded[5], during / alone, flood.answered,
                  flood.too_many);
  sec_assert_serves_others (service);
}

static guint
attempt (const char *from, const char *base, const char *password, guint *out_retry_after)
{
  guint status = 0;
  g_autofree char *token
      = sec_sign_in_from (from, base, FOYER_TEST_BOB_EMAIL, password, &status, out_retry_after);

  return status;
}

static void
test_guessing_from_many_addresses (void)
{
  g_autoptr (FoyerTestService) service = foyer_test_service_new ();
  const char *base = foyer_test_service_get_base_url (service);
  guint retry_after = 0;
  guint status;
  gint64 deadline;

  /* Bob signs in from his usual machine before the attack. */
  g_assert_cmpuint (attempt ("127.0.0.20", base, FOYER_TEST_BOB_PASSWORD, NULL), ==, 201);

  /* Five wrong passwords from five machines: no address sees more than
   * one failure, so only a limit on the account itself can stop this. */
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *from = g_strdup_printf ("127.0.0.%u", 10 + i);

      g_assert_cmpuint (attempt (from, base, "guess-number-one", NULL), ==, 401);
    }
  status = attempt ("127.0.0.15", base, "guess-number-six", &retry_after);
  g_assert_cmpuint (status, ==, 429);
  g_assert_cmpuint (retry_after, >=, 2);
  g_assert_cmpuint (retry_after, <=, 60);
  /* From a machine he never used, Bob waits the same short delay… */
  g_assert_cmpuint (attempt ("127.0.0.21", base, FOYER_TEST_BOB_PASSWORD, NULL), ==, 429);
  /* …but from his usual one he is never slowed down. */
  g_assert_cmpuint (attempt ("127.0.0.20", base, FOYER_TEST_BOB_PASSWORD, NULL), ==, 201);

  /* The attack again; then Bob, on a new machine, gets in once the delay
   * the service named has passed: no lock-out an attacker could keep up. */
  for (guint i = 0; i < 6; i++)
    {
      g_autofree char *from = g_strdup_printf ("127.0.0.%u", 30 + i);

      attempt (from, base, "guess-number-seven", NULL);
    }
  deadline = g_get_monotonic_time () + 90 * G_USEC_PER_SEC;
  while ((status = attempt ("127.0.0.22", base, FOYER_TEST_BOB_PASSWORD, &retry_after)) == 429
         && g_get_monotonic_time () < deadline)
    {
      g_assert_cmpuint (retry_after, <=, 60);
      /* Waiting as the service said, like a polite client. */
      g_usleep (retry_after * G_USEC_PER_SEC);
    }
  g_assert_cmpuint (status, ==, 201);
  sec_assert_serves_others (service);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/security/sign-in/flood-from-one-address", test_flood_from_one_address);
  g_test_add_func ("/security/sign-in/guessing-from-many-addresses",
                   test_guessing_from_many_addresses);
  return g_test_run ();
}
