/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-picker"

#include "config.h"

#include "foyer-picker-policy.h"

#include "foyer-json.h"

struct _FoyerPickerPolicy
{
  /* The allowed ones in the canonical order, then FOYER_LINK_AUDIENCE_NONE. */
  FoyerLinkAudience audiences[FOYER_LINK_AUDIENCE_EXISTING + 1];
  FoyerLinkAudience default_audience;
  FoyerLinkType default_link_type;
  GStrv space_members;
  GStrv member_names;         /* NULL, or one per space member */
  GStrv organization_domains; /* for the access check; may be empty */
};

G_DEFINE_BOXED_TYPE (FoyerPickerPolicy,
                     foyer_picker_policy,
                     foyer_picker_policy_ref,
                     foyer_picker_policy_unref)

static gboolean
contains (const FoyerLinkAudience *audiences, FoyerLinkAudience audience)
{
  for (gsize i = 0; audiences != NULL && audiences[i] != FOYER_LINK_AUDIENCE_NONE; i++)
    if (audiences[i] == audience)
      return TRUE;
  return FALSE;
}

FoyerPickerPolicy *
foyer_picker_policy_new (const FoyerLinkAudience *audiences,
                         FoyerLinkAudience default_audience,
                         FoyerLinkType default_link_type,
                         const char *const *space_members)
{
  FoyerPickerPolicy *self = g_rc_box_new0 (FoyerPickerPolicy);
  guint n = 0;

  for (FoyerLinkAudience a = FOYER_LINK_AUDIENCE_ANYONE; a <= FOYER_LINK_AUDIENCE_EXISTING; a++)
    if (contains (audiences, a))
      self->audiences[n++] = a;

  if (contains (self->audiences, default_audience))
    self->default_audience = default_audience;
  else
    self->default_audience = self->audiences[0];

  self->default_link_type = default_link_type;
  self->space_members = g_strdupv ((char **) space_members);
  if (self->space_members == NULL)
    self->space_members = g_new0 (char *, 1);
  self->organization_domains = g_new0 (char *, 1);

  return self;
}

/* Reads the "microsoft" object of the organization settings. Unknown
 * audiences are dropped, so that a newer policy cannot offer one this
 * version does not know how to honour; an unknown link type is view. */
FoyerPickerPolicy *
foyer_picker_policy_new_from_json (JsonObject *microsoft, const char *const *space_members)
{
  g_auto (GStrv) names = NULL;
  FoyerLinkAudience audiences[FOYER_LINK_AUDIENCE_EXISTING + 1] = { 0 };
  FoyerLinkAudience default_audience = FOYER_LINK_AUDIENCE_NONE;
  FoyerLinkType default_link_type = FOYER_LINK_TYPE_VIEW;
  guint n = 0;

  g_return_val_if_fail (microsoft != NULL, NULL);

  names = foyer_json_dup_strv (microsoft, "audiences");
  for (guint i = 0; names[i] != NULL && n < FOYER_LINK_AUDIENCE_EXISTING; i++)
    if (foyer_link_audience_from_string (names[i], &audiences[n]))
      n++;
  audiences[n] = FOYER_LINK_AUDIENCE_NONE;
  foyer_link_audience_from_string (foyer_json_get_string (microsoft, "defaultAudience"),
                                   &default_audience);
  foyer_link_type_from_string (foyer_json_get_string (microsoft, "defaultLinkType"),
                               &default_link_type);

  return foyer_picker_policy_new (audiences, default_audience, default_link_type, space_members);
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
foyer_picker_policy_allows (const FoyerPickerPolicy *self, FoyerLinkAudience audience)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return audience != FOYER_LINK_AUDIENCE_NONE && contains (self->audiences, audience);
}

/* The allowed audiences, in the canonical order, ending with NONE. */
const FoyerLinkAudience *
foyer_picker_policy_get_audiences (const FoyerPickerPolicy *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->audiences;
}

/* NONE when the policy allows no audience at all. */
FoyerLinkAudience
foyer_picker_policy_get_default_audience (const FoyerPickerPolicy *self)
{
  g_return_val_if_fail (self != NULL, FOYER_LINK_AUDIENCE_NONE);
  return self->default_audience;
}

FoyerLinkType
foyer_picker_policy_get_default_link_type (const FoyerPickerPolicy *self)
{
  g_return_val_if_fail (self != NULL, FOYER_LINK_TYPE_VIEW);
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
