/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-test-net"

#include "config.h"

#include "foyer-test-net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gio/gio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static gboolean
fill_address (struct sockaddr_in *address, const char *host, guint16 port)
{
  memset (address, 0, sizeof *address);
  address->sin_family = AF_INET;
  address->sin_port = htons (port);
  return inet_pton (AF_INET, host, &address->sin_addr) == 1;
}

int
foyer_test_net_dial (const char *source, const char *host, guint16 port, GError **error)
{
  struct sockaddr_in to, from;
  int one = 1;
  int fd;

  if (!fill_address (&to, host, port) || (source != NULL && !fill_address (&from, source, 0)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Not an IPv4 address");
      return -1;
    }
  fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "socket: %s",
                   g_strerror (errno));
      return -1;
    }
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if ((source != NULL && bind (fd, (struct sockaddr *) &from, sizeof from) != 0)
      || connect (fd, (struct sockaddr *) &to, sizeof to) != 0)
    {
      int saved = errno;

      close (fd);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "connect: %s",
                   g_strerror (saved));
      return -1;
    }
  return fd;
}

gboolean
foyer_test_net_send (int fd, const void *data, gsize length)
{
  const char *p = data;

  while (length > 0)
    {
      ssize_t n = send (fd, p, length, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      p += n;
      length -= (gsize) n;
    }
  return TRUE;
}

gboolean
foyer_test_net_send_string (int fd, const char *text)
{
  return foyer_test_net_send (fd, text, strlen (text));
}

/* One read within what is left of the time, -1 at its end. */
static gssize
read_some (int fd, void *buffer, gsize size, gint64 deadline)
{
  for (;;)
    {
      struct pollfd p = { fd, POLLIN, 0 };
      gint64 left = deadline - g_get_monotonic_time ();
      ssize_t n;

      if (left <= 0)
        return -1;
      if (poll (&p, 1, (int) MAX (1, left / 1000)) <= 0)
        continue;
      n = recv (fd, buffer, size, 0);
      if (n < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      return n <= 0 ? -1 : n;
    }
}

/* What is queued, left in the queue, within what is left of the time. */
static gssize
peek_some (int fd, void *buffer, gsize size, gint64 deadline)
{
  for (;;)
    {
      struct pollfd p = { fd, POLLIN, 0 };
      gint64 left = deadline - g_get_monotonic_time ();
      ssize_t n;

      if (left <= 0)
        return -1;
      if (poll (&p, 1, (int) MAX (1, left / 1000)) <= 0)
        continue;
      n = recv (fd, buffer, size, MSG_PEEK);
      if (n < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      return n <= 0 ? -1 : n;
    }
}

int
foyer_test_net_read_response (int fd, GString *body, int timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  g_autoptr (GString) data = g_string_new (NULL);
  char buffer[16384];
  const char *end, *length_header;
  gsize length = 0, have;
  int status;

  /* Up to the end of the headers, taking no byte past it: what follows the
   * response belongs to the caller. The kernel's queue is looked at first
   * (MSG_PEEK), so this costs a few system calls, not one per byte. */
  while ((end = strstr (data->str, "\r\n\r\n")) == NULL)
    {
      gssize n = peek_some (fd, buffer, sizeof buffer - 1, deadline);
      const char *found;
      gsize take;

      if (n <= 0)
        return -1;
      buffer[n] = '\0';
      g_string_append_len (data, buffer, n);
      found = strstr (data->str, "\r\n\r\n");
      /* Only what belongs to the headers leaves the queue. */
      take = found != NULL ? (gsize) (found + 4 - data->str) - (data->len - (gsize) n) : (gsize) n;
      g_string_truncate (data, data->len - (gsize) n + take);
      if (recv (fd, buffer, take, 0) != (gssize) take)
        return -1;
    }
  if (data->len < 12 || strncmp (data->str, "HTTP/1.", 7) != 0)
    return -1;
  status = atoi (data->str + 9);
  length_header = g_strstr_len (data->str, end - data->str, "\nContent-Length:");
  if (length_header == NULL)
    length_header = g_strstr_len (data->str, end - data->str, "\ncontent-length:");
  if (length_header != NULL)
    length = (gsize) g_ascii_strtoull (length_header + 16, NULL, 10);
  have = 0;
  if (body != NULL)
    g_string_truncate (body, 0);
  while (have < length)
    {
      gssize n = read_some (fd, buffer, MIN (sizeof buffer, length - have), deadline);

      if (n <= 0)
        return -1;
      if (body != NULL)
        g_string_append_len (body, buffer, n);
      have += (gsize) n;
    }
  return status;
}

char *
foyer_test_net_request (const char *method,
                        const char *path,
                        const char *token,
                        const char *body,
                        gsize length,
                        gboolean keep_alive)
{
  GString *request = g_string_new (NULL);

  g_string_append_printf (request, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n", method, path);
  if (token != NULL)
    g_string_append_printf (request, "Authorization: Bearer %s\r\n", token);
  if (!keep_alive)
    g_string_append (request, "Connection: close\r\n");
  if (body != NULL)
    {
      g_string_append_printf (
          request, "Content-Type: application/json\r\nContent-Length: %" G_GSIZE_FORMAT "\r\n\r\n",
          length);
      g_string_append_len (request, body, length);
    }
  else
    g_string_append (request, "\r\n");
  return g_string_free (request, FALSE);
}

int
foyer_test_net_ws_open (const char *source,
                        const char *host,
                        guint16 port,
                        const char *token,
                        gboolean deflate,
                        GError **error)
{
  g_autofree char *handshake = NULL;
  g_autoptr (GString) reply = g_string_new (NULL);
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  int fd = foyer_test_net_dial (source, host, port, error);

  if (fd < 0)
    return -1;
  handshake = g_strdup_printf (
      "GET /v1/events HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n%s%s%s%s\r\n",
      host,
      deflate ? "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n" : "",
      token != NULL ? "Authorization: Bearer " : "", token != NULL ? token : "",
      token != NULL ? "\r\n" : "");
  if (!foyer_test_net_send_string (fd, handshake))
    {
      close (fd);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE, "Handshake not sent");
      return -1;
    }
  while (!g_str_has_suffix (reply->str, "\r\n\r\n"))
    {
      char c;

      if (read_some (fd, &c, 1, deadline) != 1)
        {
          close (fd);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED, "No handshake reply");
          return -1;
        }
      g_string_append_c (reply, c);
    }
  if (!g_str_has_prefix (reply->str, "HTTP/1.1 101"))
    {
      close (fd);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Not upgraded: %.40s", reply->str);
      return -1;
    }
  return fd;
}

gboolean
foyer_test_net_ws_send (int fd, guint8 first_byte, const void *payload, gsize length)
{
  g_autoptr (GByteArray) frame = g_byte_array_new ();
  guint8 head[2] = { first_byte, 0x80 };
  guint8 mask[4];
  const guint8 *data = payload;

  if (length < 126)
    {
      head[1] |= (guint8) length;
      g_byte_array_append (frame, head, 2);
    }
  else if (length <= G_MAXUINT16)
    {
      guint8 extended[2] = { length >> 8, length & 0xff };

      head[1] |= 126;
      g_byte_array_append (frame, head, 2);
      g_byte_array_append (frame, extended, 2);
    }
  else
    {
      head[1] |= 127;
      g_byte_array_append (frame, head, 2);
      for (int shift = 56; shift >= 0; shift -= 8)
        {
          guint8 b = (guint8) (((guint64) length >> shift) & 0xff);

          g_byte_array_append (frame, &b, 1);
        }
    }
  for (guint i = 0; i < 4; i++)
    mask[i] = (guint8) g_random_int_range (0, 256);
  g_byte_array_append (frame, mask, 4);
  for (gsize i = 0; i < length; i++)
    {
      guint8 b = data[i] ^ mask[i % 4];

      g_byte_array_append (frame, &b, 1);
    }
  return foyer_test_net_send (fd, frame->data, frame->len);
}

void
foyer_test_net_reset (int fd)
{
  struct linger linger = { 1, 0 };

  setsockopt (fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger);
  close (fd);
}

gboolean
foyer_test_net_wait_closed (int fd, int timeout_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  char buffer[16384];

  for (;;)
    {
      struct pollfd p = { fd, POLLIN, 0 };
      gint64 left = deadline - g_get_monotonic_time ();
      ssize_t n;

      if (left <= 0)
        return FALSE;
      if (poll (&p, 1, (int) MAX (1, left / 1000)) <= 0)
        continue;
      n = recv (fd, buffer, sizeof buffer, 0);
      if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
        return TRUE;
    }
}

guint
foyer_test_net_count_fds (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/fd", pid);
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  guint count = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    count++;
  return count;
}

gsize
foyer_test_net_rss_kib (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/status", pid);
  g_autofree char *contents = NULL;
  const char *line;

  if (!g_file_get_contents (path, &contents, NULL, NULL)
      || (line = strstr (contents, "\nVmRSS:")) == NULL)
    return 0;
  return (gsize) g_ascii_strtoull (line + 7, NULL, 10);
}

double
foyer_test_net_cpu_seconds (int pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *contents = NULL;
  g_auto (GStrv) fields = NULL;
  const char *after;

  /* The command name may hold spaces: count fields after its ')'. */
  if (!g_file_get_contents (path, &contents, NULL, NULL)
      || (after = strrchr (contents, ')')) == NULL)
    return 0;
  fields = g_strsplit (after + 2, " ", 20);
  if (g_strv_length (fields) < 14)
    return 0;
  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL))
         / sysconf (_SC_CLK_TCK);
}

gboolean
foyer_test_net_parse_url (const char *url, char **host, guint16 *port)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  if (uri == NULL || g_uri_get_port (uri) <= 0)
    return FALSE;
  *host = g_strdup (g_uri_get_host (uri));
  *port = (guint16) g_uri_get_port (uri);
  return TRUE;
}
