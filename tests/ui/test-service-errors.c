/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The service's refusals and network failures, as a French-speaking
 * person meets them in the real window against a real foyer-service on
 * loopback: each message is whole French, never the service's English
 * detail inside a French sentence; and every error code the service can
 * answer, from a stand-in, turned into Foyer's own French sentence.
 */
#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "foyer-application.h"
#include "foyer-i18n.h"
#include "foyer-json-request.h"
#include "foyer-service-sign-in-dialog.h"
#include "foyer-session.h"
#include "foyer-test-service.h"
#include "foyer-test-util.h"
#include "foyer-ui-test.h"
#include "foyer-window.h"

#define STEP_TIMEOUT_MS 30000

static FoyerApplication *app;
static FoyerTestService *service;
static FoyerWindow *window;

/* The service's own words, which must never reach the person. */
static const char *const service_english[]
    = { "Wrong", "password", "Already", "member", "HTTP", "(", NULL };

static void
assert_french (const char *shown, const char *expected)
{
  g_assert_cmpstr (shown, ==, expected);
  for (guint i = 0; service_english[i] != NULL; i++)
    g_assert_null (strstr (shown, service_english[i]));
}

static GtkWidget *
dialog_child (GtkWidget *dialog, const char *name)
{
  return foyer_ui_test_child (dialog, FOYER_TYPE_SERVICE_SIGN_IN_DIALOG, name);
}

typedef struct
{
  GtkLabel *label;
  const char *before;
} LabelWait;

static gboolean
label_changed (gpointer data)
{
  LabelWait *w = data;

  return gtk_widget_get_visible (GTK_WIDGET (w->label))
         && g_strcmp0 (gtk_label_get_text (w->label), w->before) != 0;
}

/* Fills the dialog as a person would and signs in; returns what the
 * dialog then says. */
static const char *
sign_in (GtkWidget *dialog, const char *url, const char *password)
{
  GtkLabel *error = GTK_LABEL (dialog_child (dialog, "error_label"));
  g_autofree char *before = g_strdup (gtk_label_get_text (error));
  LabelWait wait = { error, before };

  gtk_editable_set_text (GTK_EDITABLE (dialog_child (dialog, "url_row")), url);
  gtk_editable_set_text (GTK_EDITABLE (dialog_child (dialog, "email_row")), FOYER_TEST_ALICE_EMAIL);
  gtk_editable_set_text (GTK_EDITABLE (dialog_child (dialog, "password_row")), password);
  gtk_widget_activate_action (dialog, "sign-in.submit", NULL);
  g_assert_true (foyer_ui_test_wait_until (label_changed, &wait, STEP_TIMEOUT_MS));
  return gtk_label_get_text (error);
}

/* An address on this machine where nothing listens. */
static char *
closed_address (void)
{
  g_autoptr (GSocketListener) listener = g_socket_listener_new ();
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GError) error = NULL;
  guint16 port;

  g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &bound, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_listener_close (listener);
  return g_strdup_printf ("http://127.0.0.1:%u", port);
}

static gboolean
dialog_gone (gpointer data)
{
  return foyer_ui_test_find_toplevel (FOYER_TYPE_SERVICE_SIGN_IN_DIALOG) == NULL;
}

/* Sign In…: a service that does not answer, then a wrong password, then
 * the right one. */
static void
test_sign_in (void)
{
  g_autofree char *closed = closed_address ();
  GtkWidget *dialog;

  gtk_widget_activate_action (GTK_WIDGET (window), "win.sign-in", NULL);
  dialog = foyer_ui_test_find_toplevel (FOYER_TYPE_SERVICE_SIGN_IN_DIALOG);
  g_assert_nonnull (dialog);
  foyer_ui_test_wait_for_draw (dialog);

  assert_french (sign_in (dialog, closed, FOYER_TEST_ALICE_PASSWORD),
                 "Le service Foyer ne répond pas à cette adresse");
  assert_french (sign_in (dialog, foyer_test_service_get_base_url (service), "not-her-password"),
                 "L’adresse e-mail ou le mot de passe est incorrect");
  foyer_ui_test_wait_for_draw (dialog);
  g_free (foyer_ui_test_save_png (dialog, "service-errors-fr-sign-in"));

  gtk_editable_set_text (GTK_EDITABLE (dialog_child (dialog, "password_row")),
                         FOYER_TEST_ALICE_PASSWORD);
  gtk_widget_activate_action (dialog, "sign-in.submit", NULL);
  g_assert_true (foyer_ui_test_wait_until (dialog_gone, NULL, STEP_TIMEOUT_MS));
}

static void
collect_labels (GtkWidget *widget, GString *text)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LABEL (child) && *gtk_label_get_text (GTK_LABEL (child)) != '\0')
        g_string_append (text, gtk_label_get_text (GTK_LABEL (child)));
      else
        collect_labels (child, text);
    }
}

/* What the toast on screen says (libadwaita 1.2 has no getter for it). */
static char *
toast_text (void)
{
  GType type = g_type_from_name ("AdwToastWidget");
  g_autoptr (GPtrArray) toasts = g_ptr_array_new ();
  GString *text = g_string_new (NULL);

  if (type != 0)
    foyer_ui_test_collect (GTK_WIDGET (window), type, toasts);
  for (guint i = 0; i < toasts->len; i++)
    collect_labels (toasts->pdata[i], text);
  return g_string_free (text, FALSE);
}

static gboolean
toast_shown (gpointer data)
{
  g_autofree char *text = toast_text ();

  return *text != '\0';
}

static gboolean
space_titled (gpointer data)
{
  return foyer_space_item_get_title (data) != NULL;
}

/* Add Member… for someone already in the space. */
static void
test_already_a_member (void)
{
  FoyerSession *session = foyer_application_get_session (app);
  const char *const members[] = { FOYER_TEST_BOB_EMAIL, NULL };
  FoyerTestWait wait = { NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerSpaceItem) space = NULL;
  g_autofree char *shown = NULL;
  AdwMessageDialog *dialog;
  GtkWidget *entry;

  foyer_session_create_space_async (session, "Budget 2027", members, NULL, foyer_test_wait_cb,
                                    &wait);
  space = foyer_session_create_space_finish (session, foyer_test_wait (&wait), &error);
  g_assert_no_error (error);
  foyer_test_wait_clear (&wait);
  g_assert_true (foyer_ui_test_wait_until (space_titled, space, STEP_TIMEOUT_MS));
  foyer_window_open_space (window, space);

  gtk_widget_activate_action (GTK_WIDGET (window), "space.add-member", NULL);
  dialog = foyer_ui_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (dialog);
  entry = foyer_ui_test_find (GTK_WIDGET (dialog), GTK_TYPE_ENTRY);
  gtk_editable_set_text (GTK_EDITABLE (entry), FOYER_TEST_BOB_EMAIL);
  adw_message_dialog_response (dialog, "add");

  g_assert_true (foyer_ui_test_wait_until (toast_shown, NULL, STEP_TIMEOUT_MS));
  shown = toast_text ();
  assert_french (shown, "Cette personne est déjà membre de l’espace");
  foyer_ui_test_wait_for_draw (GTK_WIDGET (window));
  g_free (foyer_ui_test_save_png (GTK_WIDGET (window), "service-errors-fr-member"));
}

/* Every error the service can answer (src/service/foyer-svc-json.c),
 * from a stand-in on loopback that words each refusal in English as the
 * service does: the person reads a French sentence of Foyer's, never
 * those words, and a different sentence from the English one. */
static const struct
{
  guint status;
  const char *code; /* NULL: no body at all, as a proxy might answer */
  const char *retry_after;
} refusals[] = {
  { 400, "invalid", NULL },
  { 401, "unauthorized", NULL },
  { 403, "forbidden", NULL },
  { 404, "not-found", NULL },
  { 405, "method-not-allowed", NULL },
  { 409, "conflict", NULL },
  { 409, "stale-key", NULL },
  { 411, "length-required", NULL },
  { 413, "too-large", NULL },
  { 415, "unsupported-media-type", NULL },
  { 429, "too-many-requests", NULL },
  { 429, "too-many-requests", "120" },
  { 500, "internal", NULL },
  { 503, "busy", NULL },
  { 507, "insufficient-storage", NULL },
  { 502, NULL, NULL },
};

static void
refuse_cb (SoupServer *server,
           SoupServerMessage *msg,
           const char *path,
           GHashTable *query,
           gpointer user_data)
{
  guint i = (guint) g_ascii_strtoull (path + 1, NULL, 10);
  g_autofree char *body = NULL;

  g_assert_cmpuint (i, <, G_N_ELEMENTS (refusals));
  soup_server_message_set_status (msg, refusals[i].status, NULL);
  if (refusals[i].retry_after != NULL)
    soup_message_headers_append (soup_server_message_get_response_headers (msg), "Retry-After",
                                 refusals[i].retry_after);
  if (refusals[i].code == NULL)
    return;
  body = g_strdup_printf ("{\"error\": {\"code\": \"%s\", \"message\": \"Wrong password: "
                          "Already a member (HTTP %u)\"}}",
                          refusals[i].code, refusals[i].status);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
}

/* A change of LANGUAGE, told to gettext the way its manual says. */
static void
speak (const char *language)
{
  g_setenv ("LANGUAGE", language, TRUE);
  textdomain (textdomain (NULL));
}

/* What the person reads for the request to url, in that language. */
static char *
refusal_text (SoupSession *session, const char *url, const char *language)
{
  FoyerTestWait wait = { NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;

  speak (language);
  foyer_json_request_async (session, "GET", url, "token", NULL, NULL,
                            g_quark_from_static_string ("test"), NULL, foyer_test_wait_cb, &wait);
  node = foyer_json_request_finish (foyer_test_wait (&wait), NULL, &error);
  foyer_test_wait_clear (&wait);
  speak ("fr");
  g_assert_null (node);
  g_assert_nonnull (error);
  return g_strdup (error->message);
}

static void
assert_foyers_words (const char *french, const char *english)
{
  g_test_message ("%s / %s", english, french);
  g_assert_cmpstr (french, !=, "");
  g_assert_cmpstr (french, !=, english);
  for (guint i = 0; service_english[i] != NULL; i++)
    {
      g_assert_null (strstr (french, service_english[i]));
      g_assert_null (strstr (english, service_english[i]));
    }
}

static void
test_every_refusal (void)
{
  g_autoptr (SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *closed = closed_address ();
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GSList *uris;
  g_autofree char *base = NULL;

  soup_server_add_handler (server, NULL, refuse_cb, NULL, NULL);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  base = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  for (guint i = 0; i < G_N_ELEMENTS (refusals); i++)
    {
      g_autofree char *url
          = g_strdup_printf ("%s%s%u", base, g_str_has_suffix (base, "/") ? "" : "/", i);
      g_autofree char *english = refusal_text (session, url, "en");
      g_autofree char *french = refusal_text (session, url, "fr");

      assert_foyers_words (french, english);
      g_hash_table_add (seen, g_steal_pointer (&french));
    }
  /* Not one sentence for all: the person learns what happened. */
  g_assert_cmpuint (g_hash_table_size (seen), >=, 10);
  /* How long to wait, from Retry-After. */
  {
    g_autofree char *url
        = g_strdup_printf ("%s%s11", base, g_str_has_suffix (base, "/") ? "" : "/");
    g_autofree char *french = refusal_text (session, url, "fr");

    g_assert_nonnull (strstr (french, "2"));
  }

  /* And a service that is not there. */
  {
    g_autofree char *english = refusal_text (session, closed, "en");
    g_autofree char *french = refusal_text (session, closed, "fr");

    assert_foyers_words (french, english);
  }
}

int
main (int argc, char *argv[])
{
  g_autoptr (GError) error = NULL;
  int status;

  /* A French desktop (see test-i18n.c). */
  g_unsetenv ("LC_ALL");
  g_unsetenv ("LC_MESSAGES");
  g_unsetenv ("FOYER_LOCALEDIR");
  g_setenv ("LANG", "C.UTF-8", TRUE);
  g_setenv ("LANGUAGE", "fr", TRUE);
  foyer_i18n_init ();
  foyer_ui_test_init (&argc, &argv);

  app = foyer_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  service = foyer_test_service_new ();
  g_assert_nonnull (service);
  window = foyer_window_new (GTK_APPLICATION (app), foyer_application_get_session (app), NULL);
  gtk_window_present (GTK_WINDOW (window));
  foyer_ui_test_wait_for_draw (GTK_WIDGET (window));

  g_test_add_func ("/service-errors/fr/sign-in", test_sign_in);
  g_test_add_func ("/service-errors/fr/already-a-member", test_already_a_member);
  g_test_add_func ("/service-errors/fr/every-refusal", test_every_refusal);
  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  foyer_session_disconnect (foyer_application_get_session (app));
  g_assert_true (foyer_test_service_stop (service));
  foyer_test_service_free (service);
  return status;
}
