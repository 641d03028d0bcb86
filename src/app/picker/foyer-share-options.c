/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-picker"

#include "config.h"

#include <glib/gi18n.h>

#include "foyer-share-options.h"

#include "foyer-access-check.h"

struct _FoyerShareOptions
{
  AdwPreferencesGroup parent_instance;

  AdwActionRow *edit_row;
  GtkSwitch *edit_switch;
  AdwPreferencesGroup *audience_group;
  AdwActionRow *anyone_row;
  AdwActionRow *organization_row;
  AdwActionRow *space_row;
  AdwActionRow *existing_row;
  GtkCheckButton *anyone_check;
  GtkCheckButton *organization_check;
  GtkCheckButton *space_check;
  GtkCheckButton *existing_check;
  AdwPreferencesGroup *access_check_group;
  AdwActionRow *access_warning_row;
  AdwActionRow *grant_row;
  GtkSwitch *grant_switch;

  FoyerPickerPolicy *policy;
  FoyerLinkAudience audience;
  JsonArray *permissions; /* the chosen file's, once known */
  GStrv without_access;   /* members who could not open it with the audience */
};

G_DEFINE_FINAL_TYPE (FoyerShareOptions, foyer_share_options, ADW_TYPE_PREFERENCES_GROUP)

enum
{
  PROP_0,
  PROP_AUDIENCE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Says which members will not be able to open the file with the chosen
 * audience, and offers to give them access (an invitation made with the
 * share) where the organization allows sharing with a space's people. */
static void
update_access_check (FoyerShareOptions *self)
{
  const char *const *members = foyer_picker_policy_get_space_members (self->policy);
  g_autoptr (GString) names = g_string_new (NULL);
  g_autofree char *title = NULL;
  gboolean certain = TRUE;
  guint n;

  g_clear_pointer (&self->without_access, g_strfreev);
  if (self->permissions == NULL || self->audience == FOYER_LINK_AUDIENCE_NONE)
    {
      gtk_widget_set_visible (GTK_WIDGET (self->access_check_group), FALSE);
      return;
    }

  self->without_access = foyer_access_check_members_without_access (
      self->permissions, self->audience, members,
      foyer_picker_policy_get_organization_domains (self->policy), &certain);
  n = g_strv_length (self->without_access);
  gtk_widget_set_visible (GTK_WIDGET (self->access_check_group), n > 0);
  if (n == 0)
    return;

  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append (names, ", ");
      g_string_append (names,
                       foyer_picker_policy_get_member_name (self->policy, self->without_access[i]));
    }
  if (certain)
    title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u member can’t open this file",
                                          "%u members can’t open this file", n),
                             n);
  else
    title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                          "%u member may not be able to open this file",
                                          "%u members may not be able to open this file", n),
                             n);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->access_warning_row), title);
  adw_action_row_set_subtitle (self->access_warning_row, names->str);
  gtk_widget_set_visible (GTK_WIDGET (self->grant_row),
                          foyer_picker_policy_allows (self->policy, FOYER_LINK_AUDIENCE_SPACE));
}

static GtkCheckButton *
audience_check (FoyerShareOptions *self, FoyerLinkAudience audience)
{
  switch (audience)
    {
    case FOYER_LINK_AUDIENCE_ANYONE:
      return self->anyone_check;
    case FOYER_LINK_AUDIENCE_ORGANIZATION:
      return self->organization_check;
    case FOYER_LINK_AUDIENCE_SPACE:
      return self->space_check;
    case FOYER_LINK_AUDIENCE_EXISTING:
      return self->existing_check;
    case FOYER_LINK_AUDIENCE_NONE:
    default:
      return NULL;
    }
}

/* The policy's defaults, for a newly chosen file: nothing known yet of who
 * can open it, nobody to invite. */
void
foyer_share_options_reset (FoyerShareOptions *self)
{
  FoyerLinkAudience audience = foyer_picker_policy_get_default_audience (self->policy);
  const char *const *members = foyer_picker_policy_get_space_members (self->policy);
  guint n_members = g_strv_length ((char **) members);
  g_autofree char *joined = g_strjoinv (", ", (char **) members);
  g_autofree char *subtitle = NULL;

  g_return_if_fail (FOYER_IS_SHARE_OPTIONS (self));

  g_clear_pointer (&self->permissions, json_array_unref);
  gtk_switch_set_active (self->grant_switch, FALSE);
  update_access_check (self);
  gtk_widget_set_visible (GTK_WIDGET (self->anyone_row),
                          foyer_picker_policy_allows (self->policy, FOYER_LINK_AUDIENCE_ANYONE));
  gtk_widget_set_visible (
      GTK_WIDGET (self->organization_row),
      foyer_picker_policy_allows (self->policy, FOYER_LINK_AUDIENCE_ORGANIZATION));
  gtk_widget_set_visible (GTK_WIDGET (self->space_row),
                          foyer_picker_policy_allows (self->policy, FOYER_LINK_AUDIENCE_SPACE));
  gtk_widget_set_visible (GTK_WIDGET (self->existing_row),
                          foyer_picker_policy_allows (self->policy, FOYER_LINK_AUDIENCE_EXISTING));
  gtk_widget_set_visible (GTK_WIDGET (self->audience_group), audience != FOYER_LINK_AUDIENCE_NONE);

  if (n_members == 0)
    subtitle = g_strdup (_ ("Nobody else is in this space yet"));
  else
    subtitle = g_strdup_printf (
        g_dngettext (GETTEXT_PACKAGE, "%u person: %s", "%u people: %s", n_members), n_members,
        joined);
  adw_action_row_set_subtitle (self->space_row, subtitle);

  if (audience_check (self, audience) != NULL)
    gtk_check_button_set_active (audience_check (self, audience), TRUE);
  gtk_switch_set_active (self->edit_switch, foyer_picker_policy_get_default_link_type (self->policy)
                                                == FOYER_LINK_TYPE_EDIT);
}

static void
audience_toggled_cb (FoyerShareOptions *self, GtkCheckButton *check)
{
  FoyerLinkAudience audience = FOYER_LINK_AUDIENCE_NONE;

  if (!gtk_check_button_get_active (check))
    return;
  if (check == self->anyone_check)
    audience = FOYER_LINK_AUDIENCE_ANYONE;
  else if (check == self->organization_check)
    audience = FOYER_LINK_AUDIENCE_ORGANIZATION;
  else if (check == self->space_check)
    audience = FOYER_LINK_AUDIENCE_SPACE;
  else if (check == self->existing_check)
    audience = FOYER_LINK_AUDIENCE_EXISTING;

  self->audience = audience;
  update_access_check (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUDIENCE]);
  /* With existing access no link is made: people keep the rights they have. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->edit_row), audience != FOYER_LINK_AUDIENCE_EXISTING);
}

/* What the organization allows, for the space the file is shared into. */
void
foyer_share_options_set_policy (FoyerShareOptions *self, const FoyerPickerPolicy *policy)
{
  g_return_if_fail (FOYER_IS_SHARE_OPTIONS (self));
  g_return_if_fail (policy != NULL);

  g_clear_pointer (&self->policy, foyer_picker_policy_unref);
  self->policy = foyer_picker_policy_ref ((FoyerPickerPolicy *) policy);
}

/* The chosen file's permissions, as its owner sees them (NULL: not known):
 * who in the space could not open it is said from them. */
void
foyer_share_options_set_permissions (FoyerShareOptions *self, JsonArray *permissions)
{
  g_return_if_fail (FOYER_IS_SHARE_OPTIONS (self));

  g_clear_pointer (&self->permissions, json_array_unref);
  if (permissions != NULL)
    self->permissions = json_array_ref (permissions);
  update_access_check (self);
}

FoyerLinkAudience
foyer_share_options_get_audience (FoyerShareOptions *self)
{
  g_return_val_if_fail (FOYER_IS_SHARE_OPTIONS (self), FOYER_LINK_AUDIENCE_NONE);
  return self->audience;
}

/* The members who will not be able to open the chosen file with the chosen
 * audience (see foyer_access_check_members_without_access ()), or NULL
 * while its permissions are unknown. */
const char *const *
foyer_share_options_get_members_without_access (FoyerShareOptions *self)
{
  g_return_val_if_fail (FOYER_IS_SHARE_OPTIONS (self), NULL);
  return (const char *const *) self->without_access;
}

/* Those of them to invite with the share: when the person asked for it. */
const char *const *
foyer_share_options_get_grant_emails (FoyerShareOptions *self)
{
  g_return_val_if_fail (FOYER_IS_SHARE_OPTIONS (self), NULL);

  if (self->without_access == NULL || self->without_access[0] == NULL
      || !gtk_widget_get_visible (GTK_WIDGET (self->access_check_group))
      || !gtk_widget_get_visible (GTK_WIDGET (self->grant_row))
      || !gtk_switch_get_active (self->grant_switch))
    return NULL;
  return (const char *const *) self->without_access;
}

FoyerLinkType
foyer_share_options_get_link_type (FoyerShareOptions *self)
{
  g_return_val_if_fail (FOYER_IS_SHARE_OPTIONS (self), FOYER_LINK_TYPE_VIEW);
  return gtk_switch_get_active (self->edit_switch) ? FOYER_LINK_TYPE_EDIT : FOYER_LINK_TYPE_VIEW;
}

static void
foyer_share_options_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FoyerShareOptions *self = FOYER_SHARE_OPTIONS (object);

  switch (prop_id)
    {
    case PROP_AUDIENCE:
      g_value_set_enum (value, self->audience);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_share_options_dispose (GObject *object)
{
  FoyerShareOptions *self = FOYER_SHARE_OPTIONS (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), FOYER_TYPE_SHARE_OPTIONS);
  g_clear_pointer (&self->policy, foyer_picker_policy_unref);
  g_clear_pointer (&self->permissions, json_array_unref);
  g_clear_pointer (&self->without_access, g_strfreev);

  G_OBJECT_CLASS (foyer_share_options_parent_class)->dispose (object);
}

static void
foyer_share_options_class_init (FoyerShareOptionsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = foyer_share_options_dispose;
  object_class->get_property = foyer_share_options_get_property;

  /* The audience chosen, NONE until the policy's default is set. */
  properties[PROP_AUDIENCE] = g_param_spec_enum (
      "audience", NULL, NULL, FOYER_TYPE_LINK_AUDIENCE, FOYER_LINK_AUDIENCE_NONE,
      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/picker/foyer-share-options.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, FoyerShareOptions, name)
  BIND (edit_row);
  BIND (edit_switch);
  BIND (audience_group);
  BIND (anyone_row);
  BIND (organization_row);
  BIND (space_row);
  BIND (existing_row);
  BIND (anyone_check);
  BIND (organization_check);
  BIND (space_check);
  BIND (existing_check);
  BIND (access_check_group);
  BIND (access_warning_row);
  BIND (grant_row);
  BIND (grant_switch);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, audience_toggled_cb);
}

static void
foyer_share_options_init (FoyerShareOptions *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}
