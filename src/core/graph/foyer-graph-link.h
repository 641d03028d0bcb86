/* SPDX-License-Identifier: GPL-3.0-or-later */
/* FoyerGraphLink: the sharing link a createLink call (or its fallback) gave. */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  FOYER_GRAPH_LINK_VIEW,
  FOYER_GRAPH_LINK_EDIT,
} FoyerGraphLinkType;

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
  FoyerGraphLinkType type;
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

const char *foyer_graph_link_type_to_string (FoyerGraphLinkType type);
const char *foyer_graph_link_scope_to_string (FoyerGraphLinkScope scope);
gboolean foyer_graph_link_scope_from_string (const char *text, FoyerGraphLinkScope *out);

/* Reads a Graph `permission` as returned by createLink; a link without a
 * scope (the tenant's default) keeps the requested one. */
FoyerGraphLink *foyer_graph_link_new_from_permission (JsonNode *root,
                                                      FoyerGraphLinkScope requested_scope,
                                                      GError **error);

G_END_DECLS
