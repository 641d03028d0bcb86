/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-auth"

#include "config.h"

#include "foyer-tls-database.h"

#include <glib/gi18n-lib.h>

struct _FoyerTlsDatabase
{
  GTlsDatabase parent_instance;

  char *ca_file;
  GTlsDatabase *extra;  /* the descriptor's CA alone */
  GTlsDatabase *system; /* the system's anchors, or NULL without a TLS backend */
};

G_DEFINE_FINAL_TYPE (FoyerTlsDatabase, foyer_tls_database, G_TYPE_TLS_DATABASE)

static void
foyer_tls_database_finalize (GObject *object)
{
  FoyerTlsDatabase *self = FOYER_TLS_DATABASE (object);

  g_free (self->ca_file);
  g_clear_object (&self->extra);
  g_clear_object (&self->system);
  G_OBJECT_CLASS (foyer_tls_database_parent_class)->finalize (object);
}

static GTlsCertificateFlags
verify_chain (GTlsDatabase *database,
              GTlsCertificate *chain,
              const char *purpose,
              GSocketConnectable *identity,
              GTlsInteraction *interaction,
              GTlsDatabaseVerifyFlags flags,
              GCancellable *cancellable,
              GError **error)
{
  FoyerTlsDatabase *self = FOYER_TLS_DATABASE (database);
  GTlsCertificateFlags extra_errors;
  GTlsCertificateFlags system_errors = G_TLS_CERTIFICATE_UNKNOWN_CA;

  extra_errors = g_tls_database_verify_chain (self->extra, chain, purpose, identity, interaction,
                                              flags, cancellable, error);
  if (extra_errors == 0 || (error != NULL && *error != NULL))
    return extra_errors;
  if (self->system != NULL)
    {
      system_errors = g_tls_database_verify_chain (self->system, chain, purpose, identity,
                                                   interaction, flags, cancellable, error);
      if (system_errors == 0 || (error != NULL && *error != NULL))
        return system_errors;
    }
  /* Anchored in the descriptor's CA: that CA's verdict on the rest. */
  return (extra_errors & G_TLS_CERTIFICATE_UNKNOWN_CA) == 0 ? extra_errors : system_errors;
}

static GTlsCertificate *
lookup_certificate_issuer (GTlsDatabase *database,
                           GTlsCertificate *certificate,
                           GTlsInteraction *interaction,
                           GTlsDatabaseLookupFlags flags,
                           GCancellable *cancellable,
                           GError **error)
{
  FoyerTlsDatabase *self = FOYER_TLS_DATABASE (database);
  GTlsCertificate *issuer;

  issuer = g_tls_database_lookup_certificate_issuer (self->extra, certificate, interaction, flags,
                                                     cancellable, error);
  if (issuer != NULL || self->system == NULL || (error != NULL && *error != NULL))
    return issuer;
  return g_tls_database_lookup_certificate_issuer (self->system, certificate, interaction, flags,
                                                   cancellable, error);
}

static GList *
lookup_certificates_issued_by (GTlsDatabase *database,
                               GByteArray *issuer_raw_dn,
                               GTlsInteraction *interaction,
                               GTlsDatabaseLookupFlags flags,
                               GCancellable *cancellable,
                               GError **error)
{
  FoyerTlsDatabase *self = FOYER_TLS_DATABASE (database);
  GList *found;

  found = g_tls_database_lookup_certificates_issued_by (self->extra, issuer_raw_dn, interaction,
                                                        flags, cancellable, error);
  if (self->system == NULL || (error != NULL && *error != NULL))
    return found;
  return g_list_concat (
      found, g_tls_database_lookup_certificates_issued_by (self->system, issuer_raw_dn, interaction,
                                                           flags, cancellable, error));
}

static char *
create_certificate_handle (GTlsDatabase *database, GTlsCertificate *certificate)
{
  FoyerTlsDatabase *self = FOYER_TLS_DATABASE (database);

  return g_tls_database_create_certificate_handle (
      self->system != NULL ? self->system : self->extra, certificate);
}

static GTlsCertificate *
lookup_certificate_for_handle (GTlsDatabase *database,
                               const char *handle,
                               GTlsInteraction *interaction,
                               GTlsDatabaseLookupFlags flags,
                               GCancellable *cancellable,
                               GError **error)
{
  FoyerTlsDatabase *self = FOYER_TLS_DATABASE (database);

  return g_tls_database_lookup_certificate_for_handle (
      self->system != NULL ? self->system : self->extra, handle, interaction, flags, cancellable,
      error);
}

static void
foyer_tls_database_class_init (FoyerTlsDatabaseClass *klass)
{
  GTlsDatabaseClass *database_class = G_TLS_DATABASE_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = foyer_tls_database_finalize;
  /* The asynchronous forms are GTlsDatabase's own: these in a thread. */
  database_class->verify_chain = verify_chain;
  database_class->lookup_certificate_issuer = lookup_certificate_issuer;
  database_class->lookup_certificates_issued_by = lookup_certificates_issued_by;
  database_class->create_certificate_handle = create_certificate_handle;
  database_class->lookup_certificate_for_handle = lookup_certificate_for_handle;
}

static void
foyer_tls_database_init (FoyerTlsDatabase *self)
{
}

GTlsDatabase *
foyer_tls_database_new (const char *ca_file, GError **error)
{
  g_autoptr (FoyerTlsDatabase) self = NULL;
  g_autolist (GTlsCertificate) certificates = NULL;
  g_autoptr (GError) local_error = NULL;

  g_return_val_if_fail (ca_file != NULL, NULL);

  certificates = g_tls_certificate_list_new_from_file (ca_file, &local_error);
  if (local_error != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _ ("Could not read the certificate authority file %s: %s"), ca_file,
                   local_error->message);
      return NULL;
    }
  if (certificates == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _ ("The certificate authority file %s holds no certificate."), ca_file);
      return NULL;
    }

  self = g_object_new (FOYER_TYPE_TLS_DATABASE, NULL);
  self->ca_file = g_strdup (ca_file);
  self->extra = g_tls_file_database_new (ca_file, error);
  if (self->extra == NULL)
    return NULL;
  self->system = g_tls_backend_get_default_database (g_tls_backend_get_default ());
  return G_TLS_DATABASE (g_steal_pointer (&self));
}

const char *
foyer_tls_database_get_ca_file (FoyerTlsDatabase *self)
{
  g_return_val_if_fail (FOYER_IS_TLS_DATABASE (self), NULL);

  return self->ca_file;
}

gboolean
foyer_tls_database_trusts (GTlsDatabase *database, GTlsCertificate *certificate, const char *uri)
{
  g_autoptr (GUri) parsed = NULL;
  g_autoptr (GSocketConnectable) identity = NULL;
  GTlsCertificateFlags errors;
  int port;

  g_return_val_if_fail (G_IS_TLS_DATABASE (database), FALSE);

  if (certificate == NULL || uri == NULL)
    return FALSE;
  parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  if (parsed == NULL || g_uri_get_host (parsed) == NULL
      || g_ascii_strcasecmp (g_uri_get_scheme (parsed), "https") != 0)
    return FALSE;
  port = g_uri_get_port (parsed);
  identity = g_network_address_new (g_uri_get_host (parsed), port > 0 ? port : 443);
  errors = g_tls_database_verify_chain (database, certificate,
                                        G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER, identity, NULL,
                                        G_TLS_DATABASE_VERIFY_NONE, NULL, NULL);
  return errors == 0;
}
