/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-preferences"

#include "config.h"

#include <glib/gi18n.h>

#include "foyer-preferences-window.h"

#include "foyer-microsoft-sign-in-window.h"
#include "foyer-json.h"

/* The audience switches, in the order of FoyerLinkAudience from ANYONE on. */
#define N_AUDIENCES (FOYER_LINK_AUDIENCE_EXISTING - FOYER_LINK_AUDIENCE_ANYONE + 1)

struct _FoyerPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  FoyerSession *session;
  FoyerMicrosoftAccount *account;
  GCancellable *cancellable;
  GSettings *settings;
  gboolean loading;    /* the form is being filled in from the policy: nothing to save */
  gboolean saving;     /* the organization's settings are on their way to the service */
  gboolean save_again; /* and changed meanwhile */

  AdwActionRow *foyer_row;
  AdwActionRow *microsoft_row;
  GtkWidget *microsoft_button;
  GtkSwitch *notify_switch;
  AdwPreferencesPage *organization_page;
  GtkSwitch *enabled;
  AdwEntryRow *tenant;
  AdwEntryRow *client;
  AdwComboRow *cloud;
  GtkSwitch *anyone;
  GtkSwitch *organization;
  GtkSwitch *space;
  GtkSwitch *existing;
  AdwActionRow *anyone_row;
  AdwActionRow *organization_row;
  AdwActionRow *space_row;
  AdwActionRow *existing_row;
  GtkSwitch *audiences[N_AUDIENCES];        /* the four above, in FoyerLinkAudience order */
  AdwActionRow *audience_rows[N_AUDIENCES]; /* their rows */
  AdwComboRow *default_audience;
  AdwComboRow *link_type;
  GtkSwitch *browser_sign_in;
};

G_DEFINE_FINAL_TYPE (FoyerPreferencesWindow, foyer_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

/* "alice@contoso.example · foyer.contoso.example": who, and where. */
static char *
foyer_row_subtitle (FoyerSession *session)
{
  const char *email = foyer_session_get_person_email (session);
  const char *url = foyer_session_get_service_url (session);
  g_autoptr (GUri) uri = url != NULL ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;
  g_autofree char *where = NULL;

  if (uri != NULL && g_uri_get_host (uri) != NULL)
    where = g_uri_get_port (uri) > 0
                ? g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri))
                : g_strdup (g_uri_get_host (uri));
  if (email != NULL && where != NULL)
    /* Translators: an e-mail address, then the address of the Foyer service. */
    return g_strdup_printf (_ ("%s · %s"), email, where);
  return g_strdup (email != NULL ? email : where != NULL ? where : "");
}

/* The person and their organization, in words: "alice@contoso.example ·
 * Contoso", not a tenant id. */
static char *
microsoft_row_subtitle (FoyerMicrosoftAccount *account)
{
  const char *email = foyer_microsoft_account_get_email (account);
  const char *organization = foyer_microsoft_account_get_organization_name (account);

  if (email != NULL && organization != NULL)
    /* Translators: an e-mail address, then the name of the person's organization. */
    return g_strdup_printf (_ ("%s · %s"), email, organization);
  return g_strdup (email != NULL ? email : organization != NULL ? organization : "");
}

static void
foyer_preferences_window_update_accounts (FoyerPreferencesWindow *self)
{
  FoyerMicrosoftState state = foyer_microsoft_account_get_state (self->account);
  const char *name = foyer_microsoft_account_get_display_name (self->account);
  g_autofree char *foyer_subtitle = foyer_row_subtitle (self->session);
  g_autofree char *subtitle = NULL;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->foyer_row),
                                 foyer_session_get_person_name (self->session) != NULL
                                     ? foyer_session_get_person_name (self->session)
                                     : _ ("Not signed in"));
  adw_action_row_set_subtitle (self->foyer_row, foyer_subtitle);

  switch (state)
    {
    case FOYER_MICROSOFT_CONNECTED:
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->microsoft_row),
                                     name != NULL ? name : "");
      subtitle = microsoft_row_subtitle (self->account);
      gtk_button_set_label (GTK_BUTTON (self->microsoft_button), _ ("_Disconnect"));
      break;
    case FOYER_MICROSOFT_RECONNECT_NEEDED:
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->microsoft_row),
                                     name != NULL ? name : "");
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

/* The default audience is always allowed: its switch stays on, and its
 * whole row says it cannot be changed (to a screen reader too, which
 * lands on the row). */
static void
foyer_preferences_window_update_audiences (FoyerPreferencesWindow *self)
{
  guint chosen = MIN (adw_combo_row_get_selected (self->default_audience), N_AUDIENCES - 1);

  for (guint i = 0; i < N_AUDIENCES; i++)
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self->audiences[i]), i != chosen);
      gtk_widget_set_sensitive (GTK_WIDGET (self->audience_rows[i]), i != chosen);
      adw_action_row_set_subtitle (self->audience_rows[i],
                                   i == chosen ? _ ("The default audience") : "");
    }
}

static void
foyer_preferences_window_load_policy (FoyerPreferencesWindow *self)
{
  FoyerOrgPolicy *policy = foyer_session_get_org_policy (self->session, NULL);
  static const char *const clouds[] = { "worldwide", "gcc-moderate" };

  gtk_widget_set_visible (GTK_WIDGET (self->organization_page),
                          foyer_session_get_is_admin (self->session));
  /* What this window is saving comes back as the policy: the form has
   * it already, and may have more by now. */
  if (policy == NULL || self->saving)
    return;

  self->loading = TRUE;
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
  foyer_preferences_window_update_audiences (self);
  self->loading = FALSE;
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
  foyer_json_builder_add_boolean (b, "enabled", gtk_switch_get_active (self->enabled));
  foyer_json_builder_add_string (b, "tenantId",
                                 gtk_editable_get_text (GTK_EDITABLE (self->tenant)));
  foyer_json_builder_add_string (b, "clientId",
                                 gtk_editable_get_text (GTK_EDITABLE (self->client)));
  foyer_json_builder_add_string (b, "cloud", clouds[cloud]);
  json_builder_set_member_name (b, "audiences");
  json_builder_begin_array (b);
  for (guint i = 0; i < N_AUDIENCES; i++)
    if (gtk_switch_get_active (self->audiences[i]))
      json_builder_add_string_value (
          b, foyer_link_audience_to_string (FOYER_LINK_AUDIENCE_ANYONE + i));
  json_builder_end_array (b);
  foyer_json_builder_add_string (
      b, "defaultAudience", foyer_link_audience_to_string (FOYER_LINK_AUDIENCE_ANYONE + audience));
  foyer_json_builder_add_string (
      b, "defaultLinkType",
      foyer_link_type_to_string (adw_combo_row_get_selected (self->link_type) == 1
                                     ? FOYER_LINK_TYPE_EDIT
                                     : FOYER_LINK_TYPE_VIEW));
  foyer_json_builder_add_string (
      b, "signIn", gtk_switch_get_active (self->browser_sign_in) ? "browser" : "embedded");
  /* A sandbox descriptor set by the demo or a test stays as it is. */
  if (descriptor != NULL)
    foyer_json_builder_add_string (b, "cloudDescriptor", descriptor);
  json_builder_end_object (b);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}

/* Why the form cannot be saved as it is, or NULL. */
static const char *
foyer_preferences_window_refusal (FoyerPreferencesWindow *self)
{
  if (gtk_switch_get_active (self->enabled)
      && (*gtk_editable_get_text (GTK_EDITABLE (self->tenant)) == '\0'
          || *gtk_editable_get_text (GTK_EDITABLE (self->client)) == '\0'))
    return _ ("Microsoft OneDrive and SharePoint need the tenant ID and the application (client) "
              "ID");
  return NULL;
}

static void
saved_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (FoyerPreferencesWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  gboolean saved = foyer_session_save_org_settings_finish (FOYER_SESSION (source), result, &error);

  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  self->saving = FALSE;
  if (!saved)
    {
      /* The form goes back to what the service holds, and says why. */
      self->save_again = FALSE;
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                        adw_toast_new (error->message));
      foyer_preferences_window_load_policy (self);
    }
  else if (self->save_again)
    {
      self->save_again = FALSE;
      foyer_preferences_window_save (self);
    }
}

/* Sends the organization's settings as the form holds them (one save at a
 * time; a change meanwhile is sent after). A form the service would
 * refuse goes back to what it holds, with the reason. */
void
foyer_preferences_window_save (FoyerPreferencesWindow *self)
{
  g_autoptr (JsonNode) settings = NULL;
  const char *refusal;

  g_return_if_fail (FOYER_IS_PREFERENCES_WINDOW (self));

  if (self->saving)
    {
      self->save_again = TRUE;
      return;
    }
  refusal = foyer_preferences_window_refusal (self);
  if (refusal != NULL)
    {
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), adw_toast_new (refusal));
      foyer_preferences_window_load_policy (self);
      return;
    }
  settings = foyer_preferences_window_dup_settings (self);
  self->saving = TRUE;
  foyer_session_save_org_settings_async (self->session, settings, self->cancellable, saved_cb,
                                         g_object_ref (self));
}

/* Every change applies at once, as in GNOME's own settings. */
static void
changed_cb (FoyerPreferencesWindow *self)
{
  if (self->loading || self->session == NULL)
    return;
  foyer_preferences_window_update_audiences (self);
  foyer_preferences_window_save (self);
}

/* A new default audience is allowed with it, in the same save. */
static void
default_audience_cb (FoyerPreferencesWindow *self)
{
  guint chosen = MIN (adw_combo_row_get_selected (self->default_audience), N_AUDIENCES - 1);

  if (self->loading || self->session == NULL)
    return;
  self->loading = TRUE;
  gtk_switch_set_active (self->audiences[chosen], TRUE);
  self->loading = FALSE;
  changed_cb (self);
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
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), FOYER_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (foyer_preferences_window_parent_class)->dispose (object);
}

static void
foyer_preferences_window_class_init (FoyerPreferencesWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = foyer_preferences_window_dispose;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/foyer-preferences-window.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, FoyerPreferencesWindow, name)
  BIND (foyer_row);
  BIND (microsoft_row);
  BIND (microsoft_button);
  BIND (notify_switch);
  BIND (organization_page);
  BIND (enabled);
  BIND (tenant);
  BIND (client);
  BIND (cloud);
  BIND (anyone);
  BIND (organization);
  BIND (space);
  BIND (existing);
  BIND (anyone_row);
  BIND (organization_row);
  BIND (space_row);
  BIND (existing_row);
  BIND (default_audience);
  BIND (link_type);
  BIND (browser_sign_in);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, microsoft_button_cb);
  gtk_widget_class_bind_template_callback (widget_class, changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, default_audience_cb);
}

static void
foyer_preferences_window_init (FoyerPreferencesWindow *self)
{
  self->loading = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
  self->loading = FALSE;
  self->cancellable = g_cancellable_new ();
  self->audiences[0] = self->anyone;
  self->audiences[1] = self->organization;
  self->audiences[2] = self->space;
  self->audiences[3] = self->existing;
  self->audience_rows[0] = self->anyone_row;
  self->audience_rows[1] = self->organization_row;
  self->audience_rows[2] = self->space_row;
  self->audience_rows[3] = self->existing_row;
  /* The person's own settings apply at once through GSettings. */
  self->settings = g_settings_new (APP_ID);
  g_settings_bind (self->settings, "notify-messages", self->notify_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);
}

FoyerPreferencesWindow *
foyer_preferences_window_new (GtkWindow *parent,
                              FoyerSession *session,
                              FoyerMicrosoftAccount *account)
{
  FoyerPreferencesWindow *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (FOYER_IS_SESSION (session), NULL);
  g_return_val_if_fail (FOYER_IS_MICROSOFT_ACCOUNT (account), NULL);

  self = g_object_new (FOYER_TYPE_PREFERENCES_WINDOW, "transient-for", parent, NULL);
  self->session = g_object_ref (session);
  self->account = g_object_ref (account);
  g_signal_connect_swapped (account, "notify::state",
                            G_CALLBACK (foyer_preferences_window_update_accounts), self);
  g_signal_connect_swapped (account, "notify::organization-name",
                            G_CALLBACK (foyer_preferences_window_update_accounts), self);
  g_signal_connect_swapped (session, "notify::org-policy",
                            G_CALLBACK (foyer_preferences_window_load_policy), self);
  foyer_preferences_window_update_accounts (self);
  foyer_preferences_window_load_policy (self);
  return self;
}
