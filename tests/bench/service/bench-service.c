/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "bench-service"

#include "config.h"

#include "bench-service.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "foyer-test-net.h"

BenchListener *
bench_listener_new (int fd)
{
  BenchListener *self = g_new0 (BenchListener, 1);

  self->fd = fd;
  self->buffer = g_byte_array_new ();
  fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) | O_NONBLOCK);
  return self;
}

/* Hands out each complete frame and keeps the rest. */
static void
split_frames (BenchListener *self, BenchFrameFunc func, gpointer user_data)
{
  gsize offset = 0;

  for (;;)
    {
      const guint8 *p = self->buffer->data + offset;
      gsize have = self->buffer->len - offset, head = 2;
      guint64 length;

      if (have < 2)
        break;
      length = p[1] & 0x7f;
      if (length == 126)
        {
          if (have < 4)
            break;
          length = (p[2] << 8) | p[3];
          head = 4;
        }
      else if (length == 127)
        {
          if (have < 10)
            break;
          length = 0;
          for (guint i = 0; i < 8; i++)
            length = (length << 8) | p[2 + i];
          head = 10;
        }
      if (have < head + length)
        break;
      if ((p[0] & 0x0f) == 1 || (p[0] & 0x0f) == 2)
        {
          self->frames++;
          if (func != NULL)
            func (self, p + head, length, (p[0] & 0x40) != 0, user_data);
        }
      offset += head + length;
    }
  g_byte_array_remove_range (self->buffer, 0, offset);
}

gboolean
bench_listener_read (BenchListener *self, BenchFrameFunc func, gpointer user_data)
{
  guint8 chunk[65536];

  for (;;)
    {
      ssize_t n = recv (self->fd, chunk, sizeof chunk, 0);

      if (n > 0)
        {
          g_byte_array_append (self->buffer, chunk, (guint) n);
          split_frames (self, func, user_data);
          continue;
        }
      if (n < 0 && (errno == EAGAIN || errno == EINTR))
        return TRUE;
      return FALSE;
    }
}

void
bench_listener_free (BenchListener *self)
{
  if (self->fd >= 0)
    close (self->fd);
  g_byte_array_unref (self->buffer);
  g_free (self);
}

int
bench_post (int fd, const char *path, const char *token, const char *body)
{
  g_autofree char *request
      = foyer_test_net_request ("POST", path, token, body, strlen (body), TRUE);

  if (!foyer_test_net_send_string (fd, request))
    return -1;
  return foyer_test_net_read_response (fd, NULL, 60000);
}

int
bench_compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

double
bench_percentile (GArray *values, double p)
{
  if (values->len == 0)
    return 0;
  g_array_sort (values, bench_compare_double);
  return g_array_index (values, double, (guint) (p * (values->len - 1) + 0.5));
}

void
bench_min_median_max (GArray *values, double out[3])
{
  out[0] = bench_percentile (values, 0);
  out[1] = bench_percentile (values, 0.5);
  out[2] = bench_percentile (values, 1);
}
