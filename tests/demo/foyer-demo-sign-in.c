/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * foyer-demo-sign-in: signs a person in to foyer-service and keeps the
 * session in their keyring, where the app finds it at start, as if they had
 * signed in with the app before. The demo runs it inside the second
 * person's own session bus and keyring, so that their window opens signed
 * in. The password is read from standard input, and the token goes only to
 * the Secret Service (never to disk or to the terminal).
 *
 *   printf %s PASSWORD | foyer-demo-sign-in --service URL --email EMAIL
 */
#define G_LOG_DOMAIN "foyer-demo-sign-in"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include "foyer-chat-client.h"
#include "foyer-service-secret.h"

typedef struct
{
  GAsyncResult *result;
} Wait;

static void
done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ((Wait *) user_data)->result = g_object_ref (result);
}

static GAsyncResult *
wait_for (Wait *wait)
{
  while (wait->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return wait->result;
}

static char *
read_password (void)
{
  char buffer[1024];
  size_t n = fread (buffer, 1, sizeof buffer - 1, stdin);

  buffer[n] = '\0';
  buffer[strcspn (buffer, "\r\n")] = '\0';
  return g_strdup (buffer);
}

int
main (int argc, char **argv)
{
  g_autofree char *service = NULL;
  g_autofree char *email = NULL;
  g_autofree char *password = NULL;
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (FoyerChatClient) client = NULL;
  g_autoptr (JsonNode) person = NULL;
  Wait login = { NULL }, stored = { NULL };
  const GOptionEntry entries[] = {
    { "service", 0, 0, G_OPTION_ARG_STRING, &service, "foyer-service's address", "URL" },
    { "email", 0, 0, G_OPTION_ARG_STRING, &email, "who signs in", "EMAIL" },
    { NULL },
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || service == NULL || email == NULL)
    {
      g_printerr ("usage: foyer-demo-sign-in --service URL --email EMAIL < password\n");
      return 2;
    }
  password = read_password ();

  client = foyer_chat_client_new (service);
  foyer_chat_client_login_async (client, email, password, NULL, done_cb, &login);
  person = foyer_chat_client_call_finish (client, wait_for (&login), &error);
  g_clear_object (&login.result);
  if (person == NULL)
    {
      g_printerr ("foyer-demo-sign-in: %s\n", error->message);
      return 1;
    }

  foyer_service_secret_store_async (service, email, foyer_chat_client_get_token (client), NULL,
                                    done_cb, &stored);
  if (!foyer_service_secret_store_finish (wait_for (&stored), &error))
    {
      g_printerr ("foyer-demo-sign-in: %s\n", error->message);
      g_clear_object (&stored.result);
      return 1;
    }
  g_clear_object (&stored.result);
  return 0;
}
