/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-core"

#include "config.h"

#include "foyer-retry.h"

#include <libsoup/soup.h>

guint
foyer_retry_backoff_ms (guint base_ms, guint max_ms, guint attempt)
{
  guint64 delay = MIN ((guint64) base_ms << MIN (attempt, 20u), (guint64) MAX (max_ms, base_ms));

  /* Jitter spreads the retries of many clients; it needs no CSPRNG. */
  return (guint) (delay - (guint64) g_random_int_range (0, (gint32) (delay / 5) + 1));
}

gboolean
foyer_retry_parse_after (const char *value, GDateTime *now, guint *out_seconds)
{
  g_autofree char *trimmed = NULL;
  g_autoptr (GDateTime) when = NULL;
  g_autoptr (GDateTime) local_now = NULL;
  GTimeSpan span;

  g_return_val_if_fail (out_seconds != NULL, FALSE);

  if (value == NULL)
    return FALSE;
  trimmed = g_strstrip (g_strdup (value));
  if (*trimmed == '\0')
    return FALSE;

  if (g_ascii_isdigit (*trimmed))
    {
      guint64 seconds = 0;
      const char *p;

      for (p = trimmed; g_ascii_isdigit (*p); p++)
        {
          seconds = seconds * 10 + (guint64) (*p - '0');
          if (seconds > G_MAXUINT)
            seconds = G_MAXUINT;
        }
      if (*p != '\0')
        return FALSE;
      *out_seconds = (guint) seconds;
      return TRUE;
    }

  when = soup_date_time_new_from_http_string (trimmed);
  if (when == NULL)
    return FALSE;
  if (now == NULL)
    now = local_now = g_date_time_new_now_utc ();
  span = g_date_time_difference (when, now);
  if (span <= 0)
    *out_seconds = 0;
  else
    *out_seconds = (guint) MIN ((span + G_TIME_SPAN_SECOND - 1) / G_TIME_SPAN_SECOND, G_MAXUINT);
  return TRUE;
}
