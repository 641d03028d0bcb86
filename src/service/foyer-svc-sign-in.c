/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * POST /v1/sessions: checking a password, fairly and without helping a
 * guesser.
 *
 * The hash is slow on purpose (PBKDF2, 600 000 rounds), so it runs in
 * worker threads, a few at a time. Sign-ins wait in one queue per client
 * address and the free hashing slots go round the addresses in turn: a
 * flood from one address delays everyone else by about one hash, and
 * the flooder itself is held to a few sign-ins in flight (429 beyond).
 *
 * Guessing is bounded twice: per address and account (5 wrong passwords,
 * then 5 minutes), and per account across all addresses (after 5 wrong
 * passwords, each attempt waits a delay that doubles from 5 s up to
 * 60 s). The account-wide delay never locks the person out: it is short,
 * a right password resets it, and it does not apply to an address the
 * person signed in from before.
 *
 * All of this is kept in memory: it starts afresh when the service
 * restarts, and behind a proxy every client shares the proxy's address.
 */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc.h"

#include "foyer-json.h"

#include <openssl/crypto.h>
#include <string.h>

/* Per address and account. */
#define MAX_FAILURES   5
#define FAILURE_WINDOW ((gint64) 5 * 60 * G_USEC_PER_SEC)
/* Per account, whatever the address. */
#define ACCOUNT_FREE_FAILURES 5
#define ACCOUNT_FIRST_DELAY   5
#define ACCOUNT_MAX_DELAY     60
#define ACCOUNT_FORGET        ((gint64) 3600 * G_USEC_PER_SEC)
#define GOOD_ADDRESS_DAYS     30
/* Fair sharing of the hashing slots. */
#define MAX_PER_ADDRESS 3   /* hashing or waiting, per address */
#define MAX_WAITING     256 /* waiting, all addresses */
#define MAX_KEYS        10000

typedef struct
{
  guint count;
  gint64 since;
} Failures;

typedef struct
{
  guint count;
  gint64 last; /* monotonic µs of the last wrong password */
} AccountFailures;

typedef struct
{
  GQueue waiting; /* GTask */
  guint active;   /* hashing or waiting */
} AddressQueue;

struct _FoyerSvcSignIn
{
  GHashTable *failures;       /* "address|email" → Failures */
  GHashTable *accounts;       /* email → AccountFailures */
  GHashTable *good_addresses; /* "address|email" → gint64 real time of the last success */
  GHashTable *queues;         /* address → AddressQueue */
  GQueue turn;                /* addresses with sign-ins waiting, in turn (owned strings) */
  guint waiting;
  guint hashing;
  guint slots;
};

typedef struct
{
  FoyerSvc *svc;
  FoyerSvcRequest *req;
  char *password;
  char *stored_hash;
  char *person_id;
  char *address;
  char *email; /* case-folded */
  char *email_as_given;
  gboolean disabled;
} LoginData;

static void
login_data_free (LoginData *data)
{
  if (data->password != NULL)
    OPENSSL_cleanse (data->password, strlen (data->password));
  g_free (data->password);
  g_free (data->stored_hash);
  g_free (data->person_id);
  g_free (data->address);
  g_free (data->email);
  g_free (data->email_as_given);
  g_free (data);
}

static void
address_queue_free (AddressQueue *queue)
{
  g_queue_clear_full (&queue->waiting, g_object_unref);
  g_free (queue);
}

static void sign_in_done (FoyerSvcRequest *req);

FoyerSvcSignIn *
foyer_svc_sign_in_new (void)
{
  FoyerSvcSignIn *self = g_new0 (FoyerSvcSignIn, 1);

  self->failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->accounts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->good_addresses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->queues = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) address_queue_free);
  g_queue_init (&self->turn);
  /* Two hashes per core: the cores stay busy while a thread starts. */
  self->slots = CLAMP (2 * g_get_num_processors (), 2, 8);
  return self;
}

void
foyer_svc_sign_in_free (FoyerSvcSignIn *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->failures);
  g_hash_table_unref (self->accounts);
  g_hash_table_unref (self->good_addresses);
  g_hash_table_unref (self->queues);
  g_queue_clear_full (&self->turn, g_free);
  g_free (self);
}

static FoyerSvcSignIn *
state (FoyerSvc *svc)
{
  if (svc->sign_in == NULL)
    svc->sign_in = foyer_svc_sign_in_new ();
  return svc->sign_in;
}

/* Bounded memory: when a table is full, it is emptied rather than grown. */
static void
bound (GHashTable *table)
{
  if (g_hash_table_size (table) >= MAX_KEYS)
    g_hash_table_remove_all (table);
}

/* ---- guessing ---- */

static gboolean
address_throttled (FoyerSvcSignIn *self, const char *key)
{
  Failures *failures = g_hash_table_lookup (self->failures, key);

  if (failures == NULL)
    return FALSE;
  if (g_get_monotonic_time () - failures->since > FAILURE_WINDOW)
    {
      g_hash_table_remove (self->failures, key);
      return FALSE;
    }
  return failures->count >= MAX_FAILURES;
}

/* Seconds this account must still wait before a password is checked from
 * an address it has not signed in from; 0 when it need not. */
static guint
account_delay (FoyerSvcSignIn *self, const char *email, const char *key)
{
  AccountFailures *failures = g_hash_table_lookup (self->accounts, email);
  gint64 *good = g_hash_table_lookup (self->good_addresses, key);
  gint64 now = g_get_monotonic_time ();
  gint64 delay, waited;

  if (failures == NULL || failures->count < ACCOUNT_FREE_FAILURES)
    return 0;
  if (good != NULL
      && g_get_real_time () - *good < (gint64) GOOD_ADDRESS_DAYS * 24 * 3600 * G_USEC_PER_SEC)
    return 0;
  if (now - failures->last > ACCOUNT_FORGET)
    {
      g_hash_table_remove (self->accounts, email);
      return 0;
    }
  delay = MIN ((gint64) ACCOUNT_FIRST_DELAY << MIN (failures->count - ACCOUNT_FREE_FAILURES, 4),
               ACCOUNT_MAX_DELAY);
  waited = (now - failures->last) / G_USEC_PER_SEC;
  return waited >= delay ? 0 : (guint) (delay - waited);
}

static void
record_failure (FoyerSvcSignIn *self, const char *key, const char *email)
{
  Failures *failures = g_hash_table_lookup (self->failures, key);
  AccountFailures *account = g_hash_table_lookup (self->accounts, email);

  if (failures == NULL)
    {
      bound (self->failures);
      failures = g_new0 (Failures, 1);
      failures->since = g_get_monotonic_time ();
      g_hash_table_insert (self->failures, g_strdup (key), failures);
    }
  failures->count++;
  if (account == NULL)
    {
      bound (self->accounts);
      account = g_new0 (AccountFailures, 1);
      g_hash_table_insert (self->accounts, g_strdup (email), account);
    }
  account->count++;
  account->last = g_get_monotonic_time ();
}

static void
record_success (FoyerSvcSignIn *self, const char *key, const char *email)
{
  gint64 *when = g_new (gint64, 1);

  *when = g_get_real_time ();
  g_hash_table_remove (self->failures, key);
  g_hash_table_remove (self->accounts, email);
  bound (self->good_addresses);
  g_hash_table_replace (self->good_addresses, g_strdup (key), when);
}

/* ---- the hashing slots, shared in turn ---- */

static void
verify_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  LoginData *data = task_data;

  g_task_return_boolean (task, foyer_svc_password_verify (data->password, data->stored_hash));
}

static void
dispatch (FoyerSvcSignIn *self)
{
  while (self->hashing < self->slots && !g_queue_is_empty (&self->turn))
    {
      char *address = g_queue_pop_head (&self->turn);
      AddressQueue *queue = g_hash_table_lookup (self->queues, address);
      GTask *task = g_queue_pop_head (&queue->waiting);

      self->waiting--;
      self->hashing++;
      if (!g_queue_is_empty (&queue->waiting))
        g_queue_push_tail (&self->turn, address);
      else
        g_free (address);
      g_task_run_in_thread (task, verify_thread);
      g_object_unref (task);
    }
}

static void
finished (FoyerSvcSignIn *self, const char *address)
{
  AddressQueue *queue = g_hash_table_lookup (self->queues, address);

  self->hashing--;
  if (queue != NULL && --queue->active == 0)
    g_hash_table_remove (self->queues, address);
  dispatch (self);
}

/* On the database's thread: the session, and the token that names it. */
static void
session_work (FoyerSvcRequest *req)
{
  LoginData *data = req->user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *session = NULL;
  g_autofree char *token = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (JsonNode) person = NULL;
  g_autoptr (cjose_jwk_t) key = NULL;
  FoyerSvc *svc = req->svc;

  if (!foyer_svc_begin (req->db, &error))
    {
      foyer_svc_respond_error (req, error);
      return;
    }
  if ((session
       = foyer_svc_session_create (svc, req->db, data->person_id, svc->token_lifetime, &error))
          == NULL
      || (person = foyer_svc_person_json (req->db, data->person_id, &error)) == NULL
      || !foyer_svc_commit (req->db, &error))
    {
      foyer_svc_rollback (req->db);
      if (error == NULL)
        g_set_error_literal (&error, FOYER_SVC_ERROR, FOYER_SVC_ERROR_UNAUTHORIZED,
                             "Wrong e-mail address or password");
      foyer_svc_respond_error (req, error);
      return;
    }
  key = foyer_svc_token_keys_signing (svc->token_keys);
  token = foyer_svc_token_issue (key, data->person_id, session, svc->org_id, svc->token_lifetime,
                                 &error);
  if (token == NULL)
    {
      foyer_svc_respond_error (req, error);
      return;
    }
  g_free (req->person_id);
  req->person_id = g_strdup (data->person_id);
  json_builder_begin_object (builder);
  foyer_json_builder_add_string (builder, "accessToken", token);
  foyer_json_builder_add_int (builder, "expiresIn", svc->token_lifetime);
  json_builder_set_member_name (builder, "person");
  json_builder_add_value (builder, g_steal_pointer (&person));
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  foyer_svc_respond_json (req, 201, root);
}

static void
sign_in_done (FoyerSvcRequest *req)
{
  LoginData *data = req->user_data;

  req->user_data = NULL;
  data->svc->n_pending--;
  login_data_free (data);
  foyer_svc_request_complete (req);
}

static void
login_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LoginData *data = g_task_get_task_data (G_TASK (result));
  FoyerSvcSignIn *self = state (data->svc);
  g_autofree char *key = g_strdup_printf ("%s|%s", data->address, data->email);
  g_autofree char *address = g_strdup (data->address);
  FoyerSvcRequest *req = data->req;

  if (!g_task_propagate_boolean (G_TASK (result), NULL) || data->person_id == NULL)
    {
      record_failure (self, key, data->email);
      foyer_svc_respond_error_literal (req, FOYER_SVC_ERROR_UNAUTHORIZED,
                                       "Wrong e-mail address or password");
      sign_in_done (req);
    }
  /* Only the right password learns that the account is disabled. */
  else if (data->disabled)
    {
      foyer_svc_respond_error_literal (req, FOYER_SVC_ERROR_FORBIDDEN,
                                       "This account is disabled; ask an administrator");
      sign_in_done (req);
    }
  else
    {
      record_success (self, key, data->email);
      foyer_svc_execute (req->svc, req, session_work, sign_in_done);
    }
  finished (self, address);
}

static void
refuse (FoyerSvcRequest *req, FoyerSvcError code, guint retry_after, const char *text)
{
  g_free (req->retry_after);
  req->retry_after = g_strdup_printf ("%u", MAX (retry_after, 1));
  foyer_svc_respond_error_literal (req, code, text);
}

/* FALSE (the reply made) when this sign-in may not go on now. */
static gboolean
admit (FoyerSvcSignIn *self, FoyerSvcRequest *msg, const char *address, const char *email)
{
  g_autofree char *key = g_strdup_printf ("%s|%s", address, email);
  AddressQueue *queue = g_hash_table_lookup (self->queues, address);
  guint delay;

  if (address_throttled (self, key))
    {
      refuse (msg, FOYER_SVC_ERROR_TOO_MANY, 300,
              "Too many wrong passwords; try again in a few minutes");
      return FALSE;
    }
  if ((delay = account_delay (self, email, key)) > 0)
    {
      g_autofree char *text = g_strdup_printf (
          "Too many wrong passwords for this account; try again in %u seconds", delay);

      refuse (msg, FOYER_SVC_ERROR_TOO_MANY, delay, text);
      return FALSE;
    }
  if (queue != NULL && queue->active >= MAX_PER_ADDRESS)
    {
      refuse (msg, FOYER_SVC_ERROR_TOO_MANY, 1,
              "Too many sign-ins from your address at once; try again in a moment");
      return FALSE;
    }
  if (self->waiting >= MAX_WAITING)
    {
      refuse (msg, FOYER_SVC_ERROR_BUSY, 1, "Too many sign-ins at once; try again in a moment");
      return FALSE;
    }
  /* Counted from now on, while the account is looked up too. */
  if (queue == NULL)
    {
      queue = g_new0 (AddressQueue, 1);
      g_queue_init (&queue->waiting);
      g_hash_table_insert (self->queues, g_strdup (address), queue);
    }
  queue->active++;
  return TRUE;
}

/* The address was admitted (admit () counted it). */
static void
enqueue (FoyerSvcSignIn *self, const char *address, GTask *task)
{
  AddressQueue *queue = g_hash_table_lookup (self->queues, address);

  g_assert (queue != NULL);
  if (g_queue_is_empty (&queue->waiting))
    g_queue_push_tail (&self->turn, g_strdup (address));
  g_queue_push_tail (&queue->waiting, task);
  self->waiting++;
  dispatch (self);
}

/* An admitted sign-in that ends before it hashed. */
static void
release (FoyerSvcSignIn *self, const char *address)
{
  AddressQueue *queue = g_hash_table_lookup (self->queues, address);

  if (queue != NULL && --queue->active == 0)
    g_hash_table_remove (self->queues, address);
}

/* On the database's thread: the account, if any. */
static void
look_up_work (FoyerSvcRequest *req)
{
  LoginData *data = req->user_data;
  g_autoptr (GError) error = NULL;

  if (!foyer_svc_db_person_login (req->db, data->email_as_given, &data->person_id,
                                  &data->stored_hash, &data->disabled, &error))
    foyer_svc_respond_error (req, error);
}

/* The account is known (or not, which costs the same hash): the password
 * waits for a hashing slot in its address's turn. */
static void
look_up_done (FoyerSvcRequest *req)
{
  LoginData *data = req->user_data;
  FoyerSvcSignIn *self = state (req->svc);
  GTask *task;

  if (req->status != 0)
    {
      release (self, data->address);
      sign_in_done (req);
      return;
    }
  task = g_task_new (NULL, NULL, login_done_cb, NULL);
  g_task_set_source_tag (task, foyer_svc_sign_in);
  g_task_set_task_data (task, data, NULL);
  enqueue (self, data->address, task);
}

/* POST /v1/sessions {"email", "password"}. An unknown address costs the
 * same hash as a known one, so timing does not tell which exist. The
 * request is completed here (at once, or when its hash is done). */
void
foyer_svc_sign_in (FoyerSvcRequest *req)
{
  static const FoyerSvcField fields[] = {
    { "email", FIELD_STRING, TRUE, 320 },
    { "password", FIELD_STRING, TRUE, 1024 },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) body = NULL;
  g_autofree char *email = NULL;
  FoyerSvcSignIn *self = state (req->svc);
  JsonObject *object;
  LoginData *data;

  if (!(body = foyer_svc_request_body (req, &error))
      || !(object = foyer_svc_json_check_object (body, fields, G_N_ELEMENTS (fields), &error)))
    {
      foyer_svc_respond_error (req, error);
      foyer_svc_request_complete (req);
      return;
    }
  email = g_utf8_casefold (json_object_get_string_member (object, "email"), -1);
  if (!admit (self, req, req->address, email))
    {
      foyer_svc_request_complete (req);
      return;
    }

  data = g_new0 (LoginData, 1);
  data->svc = req->svc;
  data->req = req;
  data->password = g_strdup (json_object_get_string_member (object, "password"));
  data->address = g_strdup (req->address);
  data->email = g_steal_pointer (&email);
  data->email_as_given = g_strdup (json_object_get_string_member (object, "email"));
  req->user_data = data;
  req->svc->n_pending++;
  foyer_svc_execute (req->svc, req, look_up_work, look_up_done);
}
