/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Who in a space cannot open a shared item: foyer_access_check_* against
 * permissions in the shapes Graph (and the sandbox) give.
 */
#include "config.h"

#include "foyer-access-check.h"

static const char *const domains[] = { "contoso.example", NULL };
static const char *const members[] = { "bob@contoso.example", "Carol@Contoso.example",
                                       "mallory@fabrikam.example", "dave@contoso.example", NULL };

/* Alice owns it; Carol was invited; an organization link exists; Dave is a
 * recipient of a "specific people" link; Mallory holds nothing. */
static const char OWNED[]
    = "[{\"id\":\"o\",\"roles\":[\"owner\"],\"grantedToV2\":{\"user\":{\"email\":"
      "\"alice@contoso.example\",\"displayName\":\"Alice\"}}},"
      "{\"id\":\"i\",\"roles\":[\"read\"],\"grantedToV2\":{\"user\":{\"displayName\":\"Carol\"}},"
      "\"invitation\":{\"email\":\"carol@contoso.example\",\"signInRequired\":true}},"
      "{\"id\":\"l\",\"roles\":[\"read\"],\"link\":{\"scope\":\"organization\",\"type\":\"view\"}},"
      "{\"id\":\"u\",\"roles\":[\"write\"],\"link\":{\"scope\":\"users\",\"type\":\"edit\"},"
      "\"grantedToIdentitiesV2\":[{\"user\":{\"email\":\"dave@contoso.example\"}}]},"
      "{\"id\":\"a\",\"roles\":[\"read\"],\"link\":{\"scope\":\"anonymous\",\"type\":\"view\"}}]";

static JsonArray *
parse (const char *json)
{
  g_autoptr (JsonNode) node = json_from_string (json, NULL);

  g_assert_nonnull (node);
  return json_array_ref (json_node_get_array (node));
}

static char *
joined (GStrv strv)
{
  return g_strjoinv (",", strv);
}

static void
test_audiences (void)
{
  g_autoptr (JsonArray) permissions = parse (OWNED);
  gboolean certain = FALSE;
  g_auto (GStrv) anyone = NULL;
  g_auto (GStrv) space = NULL;
  g_auto (GStrv) org = NULL;
  g_auto (GStrv) existing = NULL;
  g_autofree char *org_text = NULL;
  g_autofree char *existing_text = NULL;

  anyone = foyer_access_check_members_without_access (permissions, FOYER_LINK_AUDIENCE_ANYONE,
                                                      members, domains, &certain);
  g_assert_cmpuint (g_strv_length (anyone), ==, 0);
  g_assert_true (certain);
  space = foyer_access_check_members_without_access (permissions, FOYER_LINK_AUDIENCE_SPACE,
                                                     members, domains, &certain);
  g_assert_cmpuint (g_strv_length (space), ==, 0);
  g_assert_true (certain);

  /* Organization: only the guest from another domain. */
  org = foyer_access_check_members_without_access (permissions, FOYER_LINK_AUDIENCE_ORGANIZATION,
                                                   members, domains, &certain);
  org_text = joined (org);
  g_assert_cmpstr (org_text, ==, "mallory@fabrikam.example");
  g_assert_true (certain);

  /* Existing: Bob and Mallory hold nothing of their own (links do not
   * count, a "specific people" link's recipients do; case is ignored). */
  existing = foyer_access_check_members_without_access (permissions, FOYER_LINK_AUDIENCE_EXISTING,
                                                        members, domains, &certain);
  existing_text = joined (existing);
  g_assert_cmpstr (existing_text, ==, "bob@contoso.example,mallory@fabrikam.example");
  g_assert_true (certain);
}

static void
test_guest_with_permission (void)
{
  g_autoptr (JsonArray) permissions = parse (
      "[{\"roles\":[\"owner\"],\"grantedToV2\":{\"user\":{\"email\":\"a@contoso.example\"}}},"
      "{\"roles\":[\"read\"],\"grantedToV2\":{\"siteUser\":{\"loginName\":"
      "\"i:0#.f|membership|mallory@fabrikam.example\"}}}]");
  g_auto (GStrv) org = foyer_access_check_members_without_access (
      permissions, FOYER_LINK_AUDIENCE_ORGANIZATION, members, domains, NULL);

  /* The guest was given access on the item: the organization link is not
   * what lets them in, and they can open it. */
  g_assert_cmpuint (g_strv_length (org), ==, 0);
  g_assert_true (foyer_access_check_has_permission (permissions, "MALLORY@fabrikam.example"));
  g_assert_false (foyer_access_check_has_permission (permissions, "bob@contoso.example"));
}

static void
test_uncertain (void)
{
  /* A site library: the owners are a group Foyer cannot expand. */
  g_autoptr (JsonArray) site
      = parse ("[{\"roles\":[\"owner\"],\"grantedToV2\":{\"siteGroup\":{\"displayName\":"
               "\"Contoso Team Owners\",\"id\":\"3\"}}}]");
  /* What someone other than the owner sees: their own grant only. */
  g_autoptr (JsonArray) partial
      = parse ("[{\"roles\":[\"read\"],\"grantedToV2\":{\"user\":{\"email\":"
               "\"alice@contoso.example\"}}}]");
  gboolean certain = TRUE;
  g_auto (GStrv) existing = NULL;
  g_auto (GStrv) from_partial = NULL;
  g_auto (GStrv) none = NULL;

  existing = foyer_access_check_members_without_access (site, FOYER_LINK_AUDIENCE_EXISTING, members,
                                                        domains, &certain);
  g_assert_false (certain);
  g_assert_cmpuint (g_strv_length (existing), ==, 1);
  g_assert_cmpstr (existing[0], ==, "mallory@fabrikam.example");

  from_partial = foyer_access_check_members_without_access (partial, FOYER_LINK_AUDIENCE_EXISTING,
                                                            members, domains, &certain);
  g_assert_false (certain);
  g_assert_cmpuint (g_strv_length (from_partial), ==, 4);

  /* Without the organization's domains, nobody is called a guest. */
  {
    g_auto (GStrv) unknown = foyer_access_check_members_without_access (
        site, FOYER_LINK_AUDIENCE_ORGANIZATION, members, NULL, &certain);

    g_assert_cmpuint (g_strv_length (unknown), ==, 0);
    g_assert_false (certain);
  }

  /* No permissions known, no members, odd input: never NULL, never a crash. */
  none = foyer_access_check_members_without_access (NULL, FOYER_LINK_AUDIENCE_ORGANIZATION, NULL,
                                                    NULL, &certain);
  g_assert_nonnull (none);
  g_assert_cmpuint (g_strv_length (none), ==, 0);
}

static void
test_domains (void)
{
  const char *const odd[] = { "nobody", "x@", "@contoso.example", NULL };
  g_auto (GStrv) result = NULL;
  g_autofree char *d = foyer_access_check_email_domain ("Bob@Contoso.EXAMPLE");

  g_assert_cmpstr (d, ==, "contoso.example");
  g_assert_null (foyer_access_check_email_domain ("nobody"));
  g_assert_null (foyer_access_check_email_domain ("x@"));
  result = foyer_access_check_members_without_access (NULL, FOYER_LINK_AUDIENCE_ORGANIZATION, odd,
                                                      domains, NULL);
  /* An address without a domain is not in the organization. */
  g_assert_cmpuint (g_strv_length (result), ==, 2);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/share/access-check/audiences", test_audiences);
  g_test_add_func ("/share/access-check/guest-with-permission", test_guest_with_permission);
  g_test_add_func ("/share/access-check/uncertain", test_uncertain);
  g_test_add_func ("/share/access-check/domains", test_domains);

  return g_test_run ();
}
