/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A real foyer-service whose storage fills up: posts answer 507 with a
 * message that says nothing was saved (not 500), everything acknowledged
 * before is still there, reads and others keep working, and once there
 * is room again the same post goes through. Once with the service's own
 * size limit (SQLite's max_page_count), once on a tiny tmpfs that really
 * runs out of space (when this test may mount one).
 */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/mount.h>

#include "foyer-core.h"
#include "security-util.h"

#define KEY_URI "kms://kms.example/keys/k1"

static char *
big_jwe (gsize ciphertext_chars)
{
  const char *header = "{\"alg\":\"dir\",\"enc\":\"A256GCM\",\"kid\":\"" KEY_URI "\"}";
  g_autofree char *h = foyer_base64url_encode ((const guint8 *) header, strlen (header));
  g_autofree char *ct = g_strnfill (ciphertext_chars, 'Q');

  return g_strdup_printf ("%s..AAAAAAAAAAAAAAAA.%s.AAAAAAAAAAAAAAAAAAAAAA", h, ct);
}

static char *
create_space (const char *base, const char *token)
{
  g_autofree char *title = big_jwe (16);
  g_autofree char *body = g_strdup_printf (
      "{\"title\":\"%s\",\"kmsResourceUri\":\"kms://elsewhere.example/resources/r1\"}", title);
  g_autoptr (SecReply) reply = sec_request (base, "POST", "/v1/spaces", token, NULL, body);
  g_autoptr (JsonObject) object = sec_reply_json (reply);

  g_assert_cmpuint (reply->status, ==, 201);
  return g_strdup (json_object_get_string_member (object, "id"));
}

static SecReply *
post (const char *base, const char *token, const char *space, const char *id, const char *jwe)
{
  g_autofree char *path = g_strdup_printf ("/v1/spaces/%s/messages", space);
  g_autofree char *body = g_strdup_printf (
      "{\"clientMessageId\":\"%s\",\"keyUri\":\"" KEY_URI "\",\"body\":\"%s\"}", id, jwe);

  return sec_request (base, "POST", path, token, NULL, body);
}

static guint
count_messages (const char *base, const char *token, const char *space)
{
  guint total = 0;
  gint64 before = G_MAXINT64;

  for (;;)
    {
      g_autofree char *path
          = before == G_MAXINT64
                ? g_strdup_printf ("/v1/spaces/%s/messages?limit=200", space)
                : g_strdup_printf ("/v1/spaces/%s/messages?limit=200&before=%" G_GINT64_FORMAT,
                                   space, before);
      g_autoptr (SecReply) reply = sec_request (base, "GET", path, token, NULL, NULL);
      g_autoptr (JsonObject) page = sec_reply_json (reply);
      JsonArray *items;

      g_assert_cmpuint (reply->status, ==, 200);
      items = json_object_get_array_member (page, "items");
      total += json_array_get_length (items);
      if (!json_object_get_boolean_member (page, "hasMore") || json_array_get_length (items) == 0)
        return total;
      before = json_object_get_int_member (json_array_get_object_element (items, 0), "seq");
    }
}

/* Posts until the storage is full: returns how many were acknowledged,
 * and the id of the one refused. */
static guint
fill (const char *base, const char *token, const char *space, char **out_refused)
{
  g_autofree char *jwe = big_jwe (60 * 1024);

  for (guint i = 0; i < 2000; i++)
    {
      g_autofree char *id = g_strdup_printf ("fill-%u", i);
      g_autoptr (SecReply) reply = post (base, token, space, id, jwe);

      if (reply->status == 201)
        continue;
      if (reply->status != 507)
        g_error ("post %u → %u %s, expected 201 or 507", i, reply->status, reply->body);
      g_assert_nonnull (strstr (reply->body, "insufficient-storage"));
      g_assert_nonnull (strstr (reply->body, "nothing was saved"));
      *out_refused = g_steal_pointer (&id);
      return i;
    }
  g_error ("the storage never filled up");
  return 0;
}

static void
check_full_then_room (FoyerTestService *service,
                      const char *space,
                      const char *token,
                      guint acked,
                      const char *refused)
{
  const char *base = foyer_test_service_get_base_url (service);
  g_autofree char *jwe = big_jwe (60 * 1024);

  /* Nothing acknowledged is lost, reads go on, the retry is refused the
   * same way, and the others are still served. */
  g_assert_cmpuint (count_messages (base, token, space), ==, acked);
  {
    g_autoptr (SecReply) again = post (base, token, space, refused, jwe);
    g_autoptr (SecReply) spaces = sec_request (base, "GET", "/v1/spaces", token, NULL, NULL);

    g_assert_cmpuint (again->status, ==, 507);
    g_assert_cmpuint (spaces->status, ==, 200);
  }
  g_assert_true (sec_service_alive (service));
}

static void
test_size_limit (void)
{
  const char *args[] = { "--max-database-size", "2", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerTestService) service
      = foyer_test_service_new_full (NULL, NULL, TRUE, args, &error);
  const char *base = foyer_test_service_get_base_url (service);
  g_autofree char *token
      = sec_sign_in_ok (service, FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD);
  g_autofree char *space = create_space (base, token);
  g_autofree char *refused = NULL;
  g_autofree char *jwe = big_jwe (60 * 1024);
  const char *roomier[] = { "--max-database-size", "64", NULL };
  guint acked = fill (base, token, space, &refused);

  g_assert_cmpuint (acked, >, 5);
  check_full_then_room (service, space, token, acked, refused);
  sec_assert_serves_others (service);

  /* More room: the same post goes through, once. */
  g_assert_true (foyer_test_service_stop (service));
  {
    g_autoptr (FoyerTestService) bigger = foyer_test_service_new_full (
        foyer_test_service_get_data_dir (service), NULL, FALSE, roomier, &error);
    g_autoptr (SecReply) retry = NULL;
    const char *b = NULL;

    g_assert_no_error (error);
    b = foyer_test_service_get_base_url (bigger);
    retry = post (b, token, space, refused, jwe);
    g_assert_cmpuint (retry->status, ==, 201);
    g_assert_cmpuint (count_messages (b, token, space), ==, acked + 1);
    g_assert_true (foyer_test_service_stop (bigger));
  }
}

static void
test_disk_full (void)
{
  g_autofree char *parent = sec_temp_dir ("tmpfs-XXXXXX");
  g_autofree char *data = g_build_filename (parent, "data", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerTestService) service = NULL;
  g_autofree char *token = NULL;
  g_autofree char *space = NULL;
  g_autofree char *refused = NULL;
  guint acked;

  if (mount ("tmpfs", parent, "tmpfs", 0, "size=3m,mode=0700") != 0)
    {
      g_test_skip_printf ("cannot mount a tmpfs here (%s); the size-limit test stands in",
                          g_strerror (errno));
      return;
    }
  service = foyer_test_service_new_full (data, NULL, TRUE, NULL, &error);
  g_assert_no_error (error);
  token = sec_sign_in_ok (service, FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD);
  space = create_space (foyer_test_service_get_base_url (service), token);
  acked = fill (foyer_test_service_get_base_url (service), token, space, &refused);
  g_assert_cmpuint (acked, >, 5);
  check_full_then_room (service, space, token, acked, refused);
  g_assert_true (foyer_test_service_stop (service));
  g_clear_pointer (&service, foyer_test_service_free);
  g_assert_cmpint (umount (parent), ==, 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/security/storage/size-limit", test_size_limit);
  g_test_add_func ("/security/storage/disk-full", test_disk_full);
  return g_test_run ();
}
