/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Small helpers that every area of libfoyer-core shares: version, the
 * User-Agent Microsoft asks ISVs to send, random bytes from the system's
 * CSPRNG, base64url, the loopback test used to allow plain HTTP, and the
 * nesting bound for JSON from outside.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char *foyer_core_version (void);
const char *foyer_core_user_agent (void);

gboolean foyer_random_bytes (guint8 *buffer, gsize length, GError **error);
char *foyer_random_token (gsize n_bytes);

char *foyer_base64url_encode (const guint8 *data, gsize length);
guint8 *foyer_base64url_decode (const char *text, gsize *out_length);

gboolean foyer_host_is_loopback (const char *host);

/* An http(s) address from outside (a shared document's link, a page the
 * viewer is asked to open), parsed only if GLib and a browser must read it
 * the same way: printable ASCII without '\\', spaces, bidirectional or
 * other control characters, well-formed escapes, no user info, and a host
 * that is a DNS name or an IP address. NULL otherwise. */
GUri *foyer_web_url_parse (const char *url);

/* json-glib's parser recurses once per nesting level and has no limit of
 * its own: a megabyte of '[' from the network would overflow the stack.
 * Every JSON text from outside is measured with this before it is parsed. */
#define FOYER_JSON_MAX_DEPTH 64
gboolean foyer_json_depth_within (const char *data, gsize length, guint max_depth);

G_END_DECLS
