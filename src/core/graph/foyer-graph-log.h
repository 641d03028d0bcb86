/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the Graph client may write in its debug log about a request: the
 * path's template ("/drives/{id}/items/{id}/children"), never the drive
 * and item ids, search terms or paging tokens of the real URL, which say
 * what a person has and looks for.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *foyer_graph_path_template (const char *url);

G_END_DECLS
