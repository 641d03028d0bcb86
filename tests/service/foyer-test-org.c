/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "foyer-chat-client.h"
#include "foyer-test-org.h"
#include "foyer-test-util.h"

void
foyer_test_enable_microsoft (FoyerTestService *service,
                             FoyerTestSandbox *sandbox,
                             const char *sign_in)
{
  g_autoptr (FoyerChatClient) admin
      = foyer_chat_client_new (foyer_test_service_get_base_url (service));
  g_autofree char *json = g_strdup_printf (
      "{\"microsoft\":{\"enabled\":true,\"tenantId\":\"%s\",\"clientId\":\"%s\","
      "\"cloud\":\"worldwide\",\"audiences\":[\"organization\",\"space\",\"existing\"],"
      "\"defaultAudience\":\"organization\",\"defaultLinkType\":\"view\","
      "\"cloudDescriptor\":\"%s\",\"signIn\":\"%s\"}}",
      foyer_test_sandbox_get_tenant_id (sandbox), foyer_test_sandbox_get_client_id (sandbox),
      foyer_test_sandbox_get_cloud_path (sandbox), sign_in);
  g_autoptr (JsonNode) settings = json_from_string (json, NULL);
  g_autoptr (JsonNode) login = NULL;
  g_autoptr (JsonNode) reply = NULL;
  g_autoptr (GError) error = NULL;
  FoyerTestWait wait = { NULL };

  g_assert_nonnull (settings);
  foyer_chat_client_login_async (admin, FOYER_TEST_ALICE_EMAIL, FOYER_TEST_ALICE_PASSWORD, NULL,
                                 foyer_test_wait_cb, &wait);
  login = foyer_chat_client_call_finish (admin, foyer_test_wait (&wait), &error);
  g_assert_no_error (error);
  foyer_test_wait_clear (&wait);
  foyer_chat_client_put_org_settings_async (admin, settings, NULL, foyer_test_wait_cb, &wait);
  reply = foyer_chat_client_call_finish (admin, foyer_test_wait (&wait), &error);
  g_assert_no_error (error);
  foyer_test_wait_clear (&wait);
}
