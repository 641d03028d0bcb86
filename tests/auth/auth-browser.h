/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A browser for the auth tests: it opens an authorize URL of the sandbox,
 * types email and password into its form and accepts consent, following
 * no redirect by itself (the sign-in view catches the last one).
 */
#pragma once

#include <libsoup/soup.h>

/* Returns the redirect the sign-in view would catch, or NULL with the
 * last page (out_page) and its status (out_status); both may be NULL.
 * trust: the database that trusts the sandbox's CA. */
char *auth_browser_sign_in (GTlsDatabase *trust,
                            const char *url,
                            const char *email,
                            const char *password,
                            guint *out_status,
                            char **out_page);
