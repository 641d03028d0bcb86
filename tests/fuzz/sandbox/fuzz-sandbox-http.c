/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Sends mutated requests (paths, queries, JSON and form bodies) to a
 * sandbox. Every request must get an answer below 500 and, on Graph, a
 * body that parses as JSON; afterwards the sandbox must still work.
 * FOYER_FUZZ_ITERATIONS overrides the count; the seed is fixed.
 */
#include "config.h"

#include "foyer-test-sandbox.h"

#include <libsoup/soup.h>
#include <string.h>

static FoyerTestSandbox *sandbox;
static SoupSession *session;
static char *token;

static const char *const graph_paths[] = {
  "/me",
  "/me/drive",
  "/me/drive/root/children?$top=3&$select=id,name",
  "/me/drive/root:/Documents/notes.txt:/thumbnails",
  "/me/drive/root:/Documents:/children",
  "/me/drive/root:/Big%20folder:/children?$top=5&$skiptoken=UGFnZWQ9VFJVRSZwX0luZGV4PTEw",
  "/me/drive/root/search(q='report')",
  "/me/drive/search(q='o''brien')",
  "/me/drive/recent",
  "/me/drive/sharedWithMe",
  "/me/insights/used",
  "/me/insights/shared",
  "/me/followedSites",
  "/sites?search=team",
  "/shares/u!aHR0cDovL2V4YW1wbGUvOnc6L2cvcGVyc29uYWwveC9FYWJj/driveItem",
  "/me/drive/root:/Documents/Quarterly%20report.docx:/thumbnails/0/c300x400_crop/content",
  "/me/drive/root:/Documents/Quarterly%20report.docx:/permissions",
};

static const char *const graph_posts[] = {
  "/me/drive/root:/Documents/Roadmap.pptx:/createLink",
  "/me/drive/root:/Documents/Roadmap.pptx:/invite",
  "/me/drive/root:/Documents/Roadmap.pptx:/preview",
};

static const char *const bodies[] = {
  "{\"type\":\"view\",\"scope\":\"organization\"}",
  "{\"type\":\"edit\",\"scope\":\"users\",\"recipients\":[{\"email\":\"bob@contoso.example\"}]}",
  "{\"recipients\":[{\"email\":\"carol@contoso.example\"}],\"roles\":[\"read\"]}",
  "{\"page\":1,\"zoom\":2}",
  "[]",
  "{\"recipients\":{}}",
  "{\"type\":7}",
};

static const char *const login_paths[] = {
  "/common/oauth2/v2.0/authorize?client_id=x&response_type=code&scope=openid&state=s",
  "/organizations/oauth2/v2.0/token",
  "/common/v2.0/.well-known/openid-configuration",
  "/common/discovery/v2.0/keys",
  "/organizations/login",
  "/organizations/consent",
  "/organizations/select?ctx=abc&account=other",
};

static const char *const forms[] = {
  "grant_type=authorization_code&code=abc&client_id=CLIENT&code_verifier=x",
  "grant_type=refresh_token&refresh_token=abc&client_id=CLIENT",
  "ctx=abc&login=alice%40contoso.example&passwd=x",
  "ctx=&accept=yes",
};

static char *
mutate (GRand *rand, const char *input)
{
  GString *s = g_string_new (input);
  static const char *const inserts[] = { "%",
                                         "%00",
                                         "'",
                                         "(",
                                         ")",
                                         ":",
                                         "/",
                                         "..",
                                         "?",
                                         "&",
                                         "=",
                                         "$top=-1",
                                         "$skiptoken=%%%",
                                         "$select=,,",
                                         "\xc3\x28",
                                         "u!",
                                         "~",
                                         "//",
                                         "*" };
  int n = g_rand_int_range (rand, 0, 4);

  for (int i = 0; i < n && s->len > 0; i++)
    {
      guint pos = g_rand_int_range (rand, 0, s->len);

      switch (g_rand_int_range (rand, 0, 4))
        {
        case 0:
          g_string_insert (s, pos, inserts[g_rand_int_range (rand, 0, G_N_ELEMENTS (inserts))]);
          break;
        case 1:
          g_string_truncate (s, MAX (pos, 1));
          break;
        case 2:
          s->str[pos] = (char) g_rand_int_range (rand, 0x21, 0x7f);
          break;
        default:
          g_string_erase (s, pos, 1);
          break;
        }
    }
  /* Keep the host intact: only the path and what follows are mutated. */
  if (s->len == 0 || s->str[0] != '/')
    g_string_prepend_c (s, '/');
  return g_string_free (s, FALSE);
}

static guint
send (
    const char *method, const char *url, const char *type, const char *body, gboolean json_expected)
{
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
  guint status;

  if (msg == NULL)
    return 400; /* Not a URL libsoup would send: nothing to test. */
  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  if (body != NULL)
    {
      g_autoptr (GBytes) b = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, type, b);
    }
  reply = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  status = soup_message_get_status (msg);
  if (json_expected && status != 302 && g_bytes_get_size (reply) > 0)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();

      if (!json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL),
                                       g_bytes_get_size (reply), NULL))
        g_error ("%s %s: HTTP %u with a body that is not JSON", method, url, status);
    }
  return status;
}

static void
test_mutations (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (20270101);
  const char *env = g_getenv ("FOYER_FUZZ_ITERATIONS");
  guint iterations = env != NULL ? (guint) g_ascii_strtoull (env, NULL, 10) : 3000;
  const char *graph = foyer_test_sandbox_get_graph_url (sandbox);
  const char *login = foyer_test_sandbox_get_authority_url (sandbox);
  const char *sp = foyer_test_sandbox_get_sharepoint_url (sandbox);
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  guint done = 0;

  for (guint i = 0; i < iterations && g_get_monotonic_time () < deadline; i++, done++)
    {
      int kind = g_rand_int_range (rand, 0, 5);
      g_autofree char *path = NULL;
      g_autofree char *url = NULL;
      g_autofree char *body = NULL;
      guint status;

      if (kind == 0 || kind == 1)
        {
          path = mutate (rand, graph_paths[g_rand_int_range (rand, 0, G_N_ELEMENTS (graph_paths))]);
          url = g_strconcat (graph, path, NULL);
          status = send ("GET", url, NULL, NULL, TRUE);
        }
      else if (kind == 2)
        {
          path = mutate (rand, graph_posts[g_rand_int_range (rand, 0, G_N_ELEMENTS (graph_posts))]);
          body = mutate (rand, bodies[g_rand_int_range (rand, 0, G_N_ELEMENTS (bodies))]);
          url = g_strconcat (graph, path, NULL);
          status = send ("POST", url, "application/json", body, TRUE);
        }
      else if (kind == 3)
        {
          g_auto (GStrv) parts
              = g_strsplit (forms[g_rand_int_range (rand, 0, G_N_ELEMENTS (forms))], "CLIENT", -1);
          g_autofree char *form = g_strjoinv (foyer_test_sandbox_get_client_id (sandbox), parts);

          path = mutate (rand, login_paths[g_rand_int_range (rand, 0, G_N_ELEMENTS (login_paths))]);
          body = mutate (rand, form);
          url = g_strconcat (login, path, NULL);
          status = send (g_rand_boolean (rand) ? "POST" : "GET", url,
                         "application/x-www-form-urlencoded", body, FALSE);
        }
      else
        {
          path = mutate (rand, "/:w:/g/personal/bob_contoso_example/Eabc?e=1");
          url = g_strconcat (sp, path, NULL);
          status = send ("GET", url, NULL, NULL, FALSE);
        }
      if (status == 0 || status >= 500)
        g_error ("%s: HTTP %u", url, status);
    }
  g_test_message ("%u mutated requests", done);
  g_assert_cmpuint (done, >, 100);

  /* Still alive and still right. */
  {
    g_autofree char *url = g_strconcat (graph, "/me", NULL);

    g_assert_cmpuint (send ("GET", url, NULL, NULL, TRUE), ==, 200);
  }
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int ret;

  g_test_init (&argc, &argv, NULL);
  sandbox = foyer_test_sandbox_start (NULL, &error);
  g_assert_no_error (error);
  token = foyer_test_sandbox_mint_token (sandbox, "alice@contoso.example", NULL, &error);
  g_assert_no_error (error);
  session = foyer_test_sandbox_trust_session (sandbox,
                                              soup_session_new_with_options ("timeout", 10, NULL));
  g_test_add_func ("/fuzz/sandbox/http-mutations", test_mutations);
  ret = g_test_run ();
  g_object_unref (session);
  g_free (token);
  foyer_test_sandbox_unref (sandbox);
  return ret;
}
