/* SPDX-License-Identifier: GPL-3.0-or-later */
/* FoyerGraphLink: the sharing link a createLink call (or its fallback) gave. */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "foyer-sharing.h"

G_BEGIN_DECLS

/* EXISTING means no new link: the item's own URL, for people who already
 * have access. */
typedef enum
{
  FOYER_GRAPH_LINK_SCOPE_ANONYMOUS,
  FOYER_GRAPH_LINK_SCOPE_ORGANIZATION,
  FOYER_GRAPH_LINK_SCOPE_USERS,
  FOYER_GRAPH_LINK_SCOPE_EXISTING,
} FoyerGraphLinkScope;

typedef struct
{
  FoyerLinkType type;
  FoyerGraphLinkScope scope;
  char *web_url;
  char *permission_id; /* NULL for EXISTING */
  gboolean created;    /* 201: a new link; 200: an equal one already existed */
  /* For the fallback: the scope first asked for (so the UI can tell the
   * user it fell back). */
  FoyerGraphLinkScope requested_scope;
} FoyerGraphLink;

#define FOYER_TYPE_GRAPH_LINK (foyer_graph_link_get_type ())
GType foyer_graph_link_get_type (void);

FoyerGraphLink *foyer_graph_link_copy (const FoyerGraphLink *link);
void foyer_graph_link_free (FoyerGraphLink *link);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FoyerGraphLink, foyer_graph_link_free)

const char *foyer_graph_link_scope_to_string (FoyerGraphLinkScope scope);
gboolean foyer_graph_link_scope_from_string (const char *text, FoyerGraphLinkScope *out);

/* Foyer's audiences in Graph's words (DESIGN.md): anyone is an anonymous
 * link, organization an organization link; space and existing make no new
 * link (EXISTING). And back, for the scope a link ended with. */
FoyerGraphLinkScope foyer_graph_link_scope_for_audience (FoyerLinkAudience audience);
FoyerLinkAudience foyer_graph_link_scope_get_audience (FoyerGraphLinkScope scope);

/* Reads a Graph `permission` as returned by createLink; a link without a
 * scope (the tenant's default) keeps the requested one. */
FoyerGraphLink *foyer_graph_link_new_from_permission (JsonNode *root,
                                                      FoyerGraphLinkScope requested_scope,
                                                      GError **error);

G_END_DECLS
