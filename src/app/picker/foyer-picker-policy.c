/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-picker"

#include "config.h"

#include "foyer-picker-policy.h"

#include "foyer-json.h"

struct _FoyerPickerPolicy
{
  GStrv audiences; /* known names only, in the canonical order */
  char *default_audience;
  char *default_link_type;
  GStrv space_members;
  GStrv member_names;         /* NULL, or one per space member */
  GStrv organization_domains; /* for the access check; may be empty */
};

G_DEFINE_BOXED_TYPE (FoyerPickerPolicy,
                     foyer_picker_policy,
                     foyer_picker_policy_ref,
                     foyer_picker_policy_unref)

static const char *const known_audiences[] = {
  FOYER_PICKER_AUDIENCE_ANYONE,
  FOYER_PICKER_AUDIENCE_ORGANIZATION,
  FOYER_PICKER_AUDIENCE_SPACE,
  FOYER_PICKER_AUDIENCE_EXISTING,
};

/* Unknown names are dropped, so a newer policy cannot offer an audience
 * this version does not know how to honour. */
FoyerPickerPolicy *
foyer_picker_policy_new (const char *const *audiences,
                         const char *default_audience,
                         const char *default_link_type,
                         const char *const *space_members)
{
  FoyerPickerPolicy *self = g_rc_box_new0 (FoyerPickerPolicy);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  for (gsize i = 0; i < G_N_ELEMENTS (known_audiences); i++)
    if (audiences != NULL && g_strv_contains (audiences, known_audiences[i]))
      g_strv_builder_add (builder, known_audiences[i]);
  self->audiences = g_strv_builder_end (builder);

  if (default_audience != NULL
      && g_strv_contains ((const char *const *) self->audiences, default_audience))
    self->default_audience = g_strdup (default_audience);
  else if (self->audiences[0] != NULL)
    self->default_audience = g_strdup (self->audiences[0]);

  self->default_link_type = g_strdup (g_strcmp0 (default_link_type, "edit") == 0 ? "edit" : "view");
  self->space_members = g_strdupv ((char **) space_members);
  if (self->space_members == NULL)
    self->space_members = g_new0 (char *, 1);
  self->organization_domains = g_new0 (char *, 1);

  return self;
}

/* Reads the "microsoft" object of the organization settings. */
FoyerPickerPolicy *
foyer_picker_policy_new_from_json (JsonObject *microsoft, const char *const *space_members)
{
  g_auto (GStrv) audiences = NULL;

  g_return_val_if_fail (microsoft != NULL, NULL);

  audiences = foyer_json_dup_strv (microsoft, "audiences");
  return foyer_picker_policy_new (
      (const char *const *) audiences, foyer_json_get_string (microsoft, "defaultAudience"),
      foyer_json_get_string (microsoft, "defaultLinkType"), space_members);
}

FoyerPickerPolicy *
foyer_picker_policy_ref (FoyerPickerPolicy *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_rc_box_acquire (self);
}

static void
foyer_picker_policy_clear (FoyerPickerPolicy *self)
{
  g_strfreev (self->audiences);
  g_free (self->default_audience);
  g_free (self->default_link_type);
  g_strfreev (self->space_members);
  g_strfreev (self->member_names);
  g_strfreev (self->organization_domains);
}

void
foyer_picker_policy_unref (FoyerPickerPolicy *self)
{
  g_return_if_fail (self != NULL);
  g_rc_box_release_full (self, (GDestroyNotify) foyer_picker_policy_clear);
}

gboolean
foyer_picker_policy_allows (const FoyerPickerPolicy *self, const char *audience)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return audience != NULL && g_strv_contains ((const char *const *) self->audiences, audience);
}

const char *const *
foyer_picker_policy_get_audiences (const FoyerPickerPolicy *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return (const char *const *) self->audiences;
}

/* NULL when the policy allows no audience at all. */
const char *
foyer_picker_policy_get_default_audience (const FoyerPickerPolicy *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->default_audience;
}

const char *
foyer_picker_policy_get_default_link_type (const FoyerPickerPolicy *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->default_link_type;
}

const char *const *
foyer_picker_policy_get_space_members (const FoyerPickerPolicy *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return (const char *const *) self->space_members;
}

/* The members' names, in the order of the addresses (for the access check's
 * "can't open" list); ignored unless there is one per member. */
void
foyer_picker_policy_set_member_names (FoyerPickerPolicy *self, const char *const *names)
{
  g_return_if_fail (self != NULL);

  g_clear_pointer (&self->member_names, g_strfreev);
  if (names != NULL && g_strv_length ((char **) names) == g_strv_length (self->space_members))
    self->member_names = g_strdupv ((char **) names);
}

/* The name of a space member (by address), or the address. */
const char *
foyer_picker_policy_get_member_name (const FoyerPickerPolicy *self, const char *email)
{
  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; self->member_names != NULL && self->space_members[i] != NULL; i++)
    if (g_ascii_strcasecmp (self->space_members[i], email) == 0)
      return self->member_names[i];
  return email;
}

/* The organization's e-mail domains: members outside them cannot open an
 * organization link (see foyer_access_check_members_without_access ()). */
void
foyer_picker_policy_set_organization_domains (FoyerPickerPolicy *self, const char *const *domains)
{
  g_return_if_fail (self != NULL);

  g_strfreev (self->organization_domains);
  self->organization_domains = domains != NULL ? g_strdupv ((char **) domains) : g_new0 (char *, 1);
}

const char *const *
foyer_picker_policy_get_organization_domains (const FoyerPickerPolicy *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return (const char *const *) self->organization_domains;
}
