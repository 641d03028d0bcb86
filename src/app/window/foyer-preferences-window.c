/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-preferences"

#include "config.h"

#include <glib/gi18n.h>

#include "foyer-preferences-window.h"

#include "foyer-microsoft-sign-in-window.h"

/* The audience switches, in the order of FoyerLinkAudience from ANYONE on. */
#define N_AUDIENCES (FOYER_LINK_AUDIENCE_EXISTING - FOYER_LINK_AUDIENCE_ANYONE + 1)

struct _FoyerPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  FoyerSession *session;
  FoyerMicrosoftAccount *account;
  GCancellable *cancellable;

  AdwActionRow *foyer_row;
  AdwActionRow *microsoft_row;
  GtkWidget *microsoft_button;
  AdwPreferencesGroup *org_group;
  GtkSwitch *enabled;
  AdwEntryRow *tenant;
  AdwEntryRow *client;
  AdwComboRow *cloud;
  GtkSwitch *audiences[N_AUDIENCES];
  AdwComboRow *default_audience;
  AdwComboRow *link_type;
  GtkSwitch *browser_sign_in;
  GtkWidget *save_button;
  GtkLabel *org_status;
};

G_DEFINE_FINAL_TYPE (FoyerPreferencesWindow, foyer_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void
foyer_preferences_window_update_accounts (FoyerPreferencesWindow *self)
{
  FoyerMicrosoftState state = foyer_microsoft_account_get_state (self->account);
  g_autofree char *subtitle = NULL;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->foyer_row),
                                 foyer_session_get_person_name (self->session) != NULL
                                     ? foyer_session_get_person_name (self->session)
                                     : _ ("Not signed in"));
  adw_action_row_set_subtitle (self->foyer_row,
                               foyer_session_get_service_url (self->session) != NULL
                                   ? foyer_session_get_service_url (self->session)
                                   : "");

  switch (state)
    {
    case FOYER_MICROSOFT_CONNECTED:
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->microsoft_row),
                                     foyer_microsoft_account_get_display_name (self->account));
      subtitle = g_strdup_printf (
          "%s · %s", foyer_microsoft_account_get_email (self->account),
          foyer_org_policy_get_tenant_id (foyer_microsoft_account_get_policy (self->account)));
      gtk_button_set_label (GTK_BUTTON (self->microsoft_button), _ ("_Disconnect"));
      break;
    case FOYER_MICROSOFT_RECONNECT_NEEDED:
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->microsoft_row),
                                     foyer_microsoft_account_get_display_name (self->account));
      subtitle = g_strdup (_ ("Needs to be connected again"));
      gtk_button_set_label (GTK_BUTTON (self->microsoft_button), _ ("_Reconnect…"));
      break;
    case FOYER_MICROSOFT_UNAVAILABLE:
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->microsoft_row),
                                     _ ("Not available"));
      subtitle = g_strdup (foyer_microsoft_account_get_unavailable_reason (self->account));
      gtk_button_set_label (GTK_BUTTON (self->microsoft_button), _ ("_Connect…"));
      break;
    case FOYER_MICROSOFT_CONNECTING:
    case FOYER_MICROSOFT_DISCONNECTED:
    default:
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->microsoft_row),
                                     _ ("Not connected"));
      gtk_button_set_label (GTK_BUTTON (self->microsoft_button), _ ("_Connect…"));
      break;
    }
  adw_action_row_set_subtitle (self->microsoft_row, subtitle != NULL ? subtitle : "");
  gtk_widget_set_sensitive (self->microsoft_button, state != FOYER_MICROSOFT_UNAVAILABLE
                                                        && state != FOYER_MICROSOFT_CONNECTING);
}

static void
microsoft_button_cb (FoyerPreferencesWindow *self)
{
  if (foyer_microsoft_account_get_state (self->account) == FOYER_MICROSOFT_CONNECTED)
    foyer_microsoft_account_disconnect (self->account);
  else
    foyer_microsoft_sign_in_window_open (GTK_WINDOW (self), self->account);
}

static guint
index_of (const char *const *ids, gsize n, const char *id)
{
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (ids[i], id) == 0)
      return i;
  return 0;
}

static void
foyer_preferences_window_load_policy (FoyerPreferencesWindow *self)
{
  FoyerOrgPolicy *policy = foyer_session_get_org_policy (self->session, NULL);
  static const char *const clouds[] = { "worldwide", "gcc-moderate" };

  gtk_widget_set_visible (GTK_WIDGET (self->org_group), foyer_session_get_is_admin (self->session));
  if (policy == NULL)
    return;

  gtk_switch_set_active (self->enabled, foyer_org_policy_get_enabled (policy));
  gtk_editable_set_text (GTK_EDITABLE (self->tenant), foyer_org_policy_get_tenant_id (policy)
                                                          ? foyer_org_policy_get_tenant_id (policy)
                                                          : "");
  gtk_editable_set_text (GTK_EDITABLE (self->client), foyer_org_policy_get_client_id (policy)
                                                          ? foyer_org_policy_get_client_id (policy)
                                                          : "");
  adw_combo_row_set_selected (self->cloud, index_of (clouds, G_N_ELEMENTS (clouds),
                                                     foyer_org_policy_get_cloud_name (policy)));
  for (guint i = 0; i < N_AUDIENCES; i++)
    gtk_switch_set_active (self->audiences[i], foyer_org_policy_allows_audience (
                                                   policy, FOYER_LINK_AUDIENCE_ANYONE + i));
  adw_combo_row_set_selected (self->default_audience, foyer_org_policy_get_default_audience (policy)
                                                          - FOYER_LINK_AUDIENCE_ANYONE);
  adw_combo_row_set_selected (self->link_type, foyer_org_policy_get_default_link_type (policy));
  gtk_switch_set_active (self->browser_sign_in, foyer_org_policy_get_browser_sign_in (policy));
}

JsonNode *
foyer_preferences_window_dup_settings (FoyerPreferencesWindow *self)
{
  static const char *const clouds[] = { "worldwide", "gcc-moderate" };
  g_autoptr (JsonBuilder) b = json_builder_new ();
  FoyerOrgPolicy *policy = foyer_session_get_org_policy (self->session, NULL);
  const char *descriptor = policy != NULL ? foyer_org_policy_get_cloud_descriptor (policy) : NULL;
  guint cloud = MIN (adw_combo_row_get_selected (self->cloud), G_N_ELEMENTS (clouds) - 1);
  guint audience = MIN (adw_combo_row_get_selected (self->default_audience), N_AUDIENCES - 1);

  g_return_val_if_fail (FOYER_IS_PREFERENCES_WINDOW (self), NULL);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "microsoft");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "enabled");
  json_builder_add_boolean_value (b, gtk_switch_get_active (self->enabled));
  json_builder_set_member_name (b, "tenantId");
  json_builder_add_string_value (b, gtk_editable_get_text (GTK_EDITABLE (self->tenant)));
  json_builder_set_member_name (b, "clientId");
  json_builder_add_string_value (b, gtk_editable_get_text (GTK_EDITABLE (self->client)));
  json_builder_set_member_name (b, "cloud");
  json_builder_add_string_value (b, clouds[cloud]);
  json_builder_set_member_name (b, "audiences");
  json_builder_begin_array (b);
  for (guint i = 0; i < N_AUDIENCES; i++)
    if (gtk_switch_get_active (self->audiences[i]))
      json_builder_add_string_value (
          b, foyer_link_audience_to_string (FOYER_LINK_AUDIENCE_ANYONE + i));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "defaultAudience");
  json_builder_add_string_value (
      b, foyer_link_audience_to_string (FOYER_LINK_AUDIENCE_ANYONE + audience));
  json_builder_set_member_name (b, "defaultLinkType");
  json_builder_add_string_value (
      b, foyer_link_type_to_string (adw_combo_row_get_selected (self->link_type) == 1
                                        ? FOYER_LINK_TYPE_EDIT
                                        : FOYER_LINK_TYPE_VIEW));
  json_builder_set_member_name (b, "signIn");
  json_builder_add_string_value (b, gtk_switch_get_active (self->browser_sign_in) ? "browser"
                                                                                  : "embedded");
  /* A sandbox descriptor set by the demo or a test stays as it is. */
  if (descriptor != NULL)
    {
      json_builder_set_member_name (b, "cloudDescriptor");
      json_builder_add_string_value (b, descriptor);
    }
  json_builder_end_object (b);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}

static void
saved_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerPreferencesWindow) self = user_data;
  g_autoptr (GError) error = NULL;

  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  gtk_widget_set_sensitive (self->save_button, TRUE);
  if (foyer_session_save_org_settings_finish (FOYER_SESSION (source), result, &error))
    gtk_label_set_text (self->org_status, _ ("Saved. People get the new policy when they next "
                                             "sign in."));
  else
    gtk_label_set_text (self->org_status, error->message);
  gtk_widget_set_visible (GTK_WIDGET (self->org_status), TRUE);
}

void
foyer_preferences_window_save (FoyerPreferencesWindow *self)
{
  g_autoptr (JsonNode) settings = NULL;

  g_return_if_fail (FOYER_IS_PREFERENCES_WINDOW (self));

  settings = foyer_preferences_window_dup_settings (self);
  gtk_widget_set_sensitive (self->save_button, FALSE);
  foyer_session_save_org_settings_async (self->session, settings, self->cancellable, saved_cb,
                                         g_object_ref (self));
}

static GtkSwitch *
switch_row (AdwPreferencesGroup *group, const char *title, const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *toggle = gtk_switch_new ();

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  if (subtitle != NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), toggle);
  adw_preferences_group_add (group, row);
  return GTK_SWITCH (toggle);
}

static AdwComboRow *
combo_row (AdwPreferencesGroup *group, const char *title, const char *const *labels)
{
  GtkWidget *row = adw_combo_row_new ();
  g_autoptr (GtkStringList) model = gtk_string_list_new (labels);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (model));
  adw_preferences_group_add (group, row);
  return ADW_COMBO_ROW (row);
}

static void
foyer_preferences_window_build (FoyerPreferencesWindow *self)
{
  GtkWidget *page = adw_preferences_page_new ();
  GtkWidget *accounts = adw_preferences_group_new ();
  const char *audience_titles[]
      = { _ ("Anyone with the link"), _ ("People in the organization"),
          _ ("People currently in the space"), _ ("People with existing access"), NULL };
  const char *cloud_titles[] = { _ ("Worldwide"), _ ("GCC Moderate"), NULL };
  const char *link_titles[] = { _ ("View"), _ ("Edit"), NULL };
  GtkWidget *entry;

  adw_preferences_page_set_title (ADW_PREFERENCES_PAGE (page), _ ("Accounts"));
  adw_preferences_page_set_icon_name (ADW_PREFERENCES_PAGE (page), "system-users-symbolic");
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (accounts), _ ("Accounts"));

  self->foyer_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_action_row_set_icon_name (self->foyer_row, "io.github.foyer.Foyer-symbolic");
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (accounts), GTK_WIDGET (self->foyer_row));

  self->microsoft_row = ADW_ACTION_ROW (adw_action_row_new ());
  adw_action_row_set_icon_name (self->microsoft_row, "folder-remote-symbolic");
  self->microsoft_button = gtk_button_new_with_mnemonic (_ ("_Connect…"));
  gtk_widget_set_valign (self->microsoft_button, GTK_ALIGN_CENTER);
  g_signal_connect_swapped (self->microsoft_button, "clicked", G_CALLBACK (microsoft_button_cb),
                            self);
  adw_action_row_add_suffix (self->microsoft_row, self->microsoft_button);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (accounts), GTK_WIDGET (self->microsoft_row));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (accounts));

  self->org_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->org_group, _ ("Microsoft OneDrive and SharePoint"));
  adw_preferences_group_set_description (
      self->org_group, _ ("For the whole organization. Each person still connects their own "
                          "Microsoft account."));
  self->save_button = gtk_button_new_with_mnemonic (_ ("_Save"));
  gtk_widget_add_css_class (self->save_button, "suggested-action");
  gtk_widget_set_valign (self->save_button, GTK_ALIGN_CENTER);
  g_signal_connect_swapped (self->save_button, "clicked",
                            G_CALLBACK (foyer_preferences_window_save), self);
  adw_preferences_group_set_header_suffix (self->org_group, self->save_button);

  self->enabled = switch_row (self->org_group, _ ("Enabled"), NULL);
  entry = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (entry), _ ("Tenant ID"));
  adw_preferences_group_add (self->org_group, entry);
  self->tenant = ADW_ENTRY_ROW (entry);
  entry = adw_entry_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (entry), _ ("Application (Client) ID"));
  adw_preferences_group_add (self->org_group, entry);
  self->client = ADW_ENTRY_ROW (entry);
  self->cloud = combo_row (self->org_group, _ ("Cloud"), cloud_titles);
  for (guint i = 0; i < N_AUDIENCES; i++)
    self->audiences[i] = switch_row (self->org_group, audience_titles[i], _ ("Allowed audience"));
  self->default_audience = combo_row (self->org_group, _ ("Default Audience"), audience_titles);
  self->link_type = combo_row (self->org_group, _ ("Default Access"), link_titles);
  self->browser_sign_in
      = switch_row (self->org_group, _ ("Sign In With the Web Browser"),
                    _ ("Instead of Foyer’s own sign-in window. Documents then ask to sign in "
                       "once more when they first open."));
  self->org_status = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->org_status, TRUE);
  gtk_label_set_xalign (self->org_status, 0);
  gtk_widget_set_margin_top (GTK_WIDGET (self->org_status), 6);
  gtk_widget_set_visible (GTK_WIDGET (self->org_status), FALSE);
  adw_preferences_group_add (self->org_group, GTK_WIDGET (self->org_status));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), self->org_group);

  adw_preferences_window_add (ADW_PREFERENCES_WINDOW (self), ADW_PREFERENCES_PAGE (page));
}

static void
foyer_preferences_window_dispose (GObject *object)
{
  FoyerPreferencesWindow *self = FOYER_PREFERENCES_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->account != NULL)
    g_signal_handlers_disconnect_by_data (self->account, self);
  if (self->session != NULL)
    g_signal_handlers_disconnect_by_data (self->session, self);
  g_clear_object (&self->account);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (foyer_preferences_window_parent_class)->dispose (object);
}

static void
foyer_preferences_window_class_init (FoyerPreferencesWindowClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = foyer_preferences_window_dispose;
}

static void
foyer_preferences_window_init (FoyerPreferencesWindow *self)
{
  self->cancellable = g_cancellable_new ();
  foyer_preferences_window_build (self);
}

FoyerPreferencesWindow *
foyer_preferences_window_new (GtkWindow *parent,
                              FoyerSession *session,
                              FoyerMicrosoftAccount *account)
{
  FoyerPreferencesWindow *self = g_object_new (FOYER_TYPE_PREFERENCES_WINDOW, "transient-for",
                                               parent, "search-enabled", FALSE, NULL);

  self->session = g_object_ref (session);
  self->account = g_object_ref (account);
  g_signal_connect_swapped (account, "notify::state",
                            G_CALLBACK (foyer_preferences_window_update_accounts), self);
  g_signal_connect_swapped (session, "notify::org-policy",
                            G_CALLBACK (foyer_preferences_window_load_policy), self);
  foyer_preferences_window_update_accounts (self);
  foyer_preferences_window_load_policy (self);
  return self;
}
