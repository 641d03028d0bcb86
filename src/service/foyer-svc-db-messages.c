/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Messages, in the storage interface (foyer-svc-db.h): reading them and
 * posting one under its space's next sequence number.
 */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc-db-private.h"
#include "foyer-svc.h"

void
foyer_svc_message_free (FoyerSvcMessage *message)
{
  if (message == NULL)
    return;
  g_free (message->id);
  g_free (message->space_id);
  g_free (message->author_id);
  g_free (message->client_message_id);
  g_free (message->key_uri);
  g_free (message->body);
  g_free (message->attachments);
  g_free (message);
}

/* id, space_id, seq, author_id, client_message_id, key_uri, body,
 * attachments, created */
static gpointer
message_from_row (FoyerSvcRow *row)
{
  FoyerSvcMessage *message = g_new0 (FoyerSvcMessage, 1);

  message->id = g_strdup (foyer_svc_row_text (row, 0));
  message->space_id = g_strdup (foyer_svc_row_text (row, 1));
  message->seq = foyer_svc_row_int (row, 2);
  message->author_id = g_strdup (foyer_svc_row_text (row, 3));
  message->client_message_id = g_strdup (foyer_svc_row_text (row, 4));
  message->key_uri = g_strdup (foyer_svc_row_text (row, 5));
  message->body = g_strdup (foyer_svc_row_text (row, 6));
  message->attachments = g_strdup (foyer_svc_row_text (row, 7));
  message->created = foyer_svc_row_int (row, 8);
  return message;
}

FoyerSvcMessage *
foyer_svc_db_message_by_id (FoyerSvcDb *db, const char *id, GError **error)
{
  return DB_GET_ONE (db, Q_MESSAGE_BY_ID, message_from_row, error, V_TEXT (id));
}

FoyerSvcMessage *
foyer_svc_db_message_by_client_id (FoyerSvcDb *db,
                                   const char *space_id,
                                   const char *author_id,
                                   const char *client_message_id,
                                   GError **error)
{
  return DB_GET_ONE (db, Q_MESSAGE_BY_CLIENT_ID, message_from_row, error, V_TEXT (space_id),
                     V_TEXT (author_id), V_TEXT (client_message_id));
}

FoyerSvcMessage *
foyer_svc_db_message_post (FoyerSvcDb *db,
                           const char *id,
                           const char *space_id,
                           const char *author_id,
                           const char *client_message_id,
                           const char *key_uri,
                           const char *body,
                           const char *attachments,
                           gint64 created_ms,
                           GError **error)
{
  FoyerSvcMessage *message;
  gint64 seq = -1;
  gint64 n;

  /* The space's row is updated (and so locked) only while its key is the
   * one the message was sealed with and no member left since. */
  n = DB_RUN (db, Q_SPACE_BUMP_SEQ, _foyer_svc_db_first_int_cb, &seq, error, V_TEXT (space_id),
              V_TEXT (key_uri));
  if (n < 0)
    return NULL;
  if (n == 0)
    {
      g_autoptr (FoyerSvcSpace) space = foyer_svc_db_space_get (db, space_id, error);

      if (space == NULL)
        {
          if (error == NULL || *error == NULL)
            g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_NOT_FOUND,
                                 "No such space");
        }
      else if (space->rekey_since >= 0)
        g_set_error_literal (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_STALE_KEY,
                             "A member left this space: seal messages with a new key of the space "
                             "(PUT /v1/spaces/<id>/key)");
      else
        g_set_error (error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_STALE_KEY,
                     "This space's messages are now sealed with %s", space->key_uri);
      return NULL;
    }
  if (DB_RUN (db, Q_MESSAGE_INSERT, NULL, NULL, error, V_TEXT (id), V_TEXT (space_id), V_INT (seq),
              V_TEXT (author_id), V_TEXT (client_message_id), V_TEXT (key_uri), V_TEXT (body),
              V_TEXT (attachments), V_INT (created_ms))
      < 0)
    return NULL;
  message = g_new0 (FoyerSvcMessage, 1);
  message->id = g_strdup (id);
  message->space_id = g_strdup (space_id);
  message->seq = seq;
  message->author_id = g_strdup (author_id);
  message->client_message_id = g_strdup (client_message_id);
  message->key_uri = g_strdup (key_uri);
  message->body = g_strdup (body);
  message->attachments = g_strdup (attachments);
  message->created = created_ms;
  return message;
}

GPtrArray *
foyer_svc_db_messages_before (
    FoyerSvcDb *db, const char *space_id, gint64 before, gint64 limit, GError **error)
{
  return DB_GET_ALL (db, Q_MESSAGES_BEFORE, message_from_row,
                     (GDestroyNotify) foyer_svc_message_free, error, V_TEXT (space_id),
                     V_INT (before), V_INT (limit));
}
