/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-search"

#include "config.h"

#include "foyer-search-results.h"

#include <string.h>

#define MARK_START '\x02'
#define MARK_END   '\x03'

/* ---- FoyerSearchHit ------------------------------------------------------------- */

struct _FoyerSearchHit
{
  GObject parent_instance;

  FoyerSearchKind kind;
  char *space_id;
  char *item_id;
  gint64 created;
  char *author;
  char *text;
  GArray *ranges; /* FoyerSearchRange */
};

G_DEFINE_FINAL_TYPE (FoyerSearchHit, foyer_search_hit, G_TYPE_OBJECT)

enum
{
  HIT_PROP_0,
  HIT_PROP_KIND,
  HIT_PROP_SPACE_ID,
  HIT_PROP_ITEM_ID,
  HIT_PROP_CREATED,
  HIT_PROP_AUTHOR,
  HIT_PROP_TEXT,
  HIT_N_PROPS
};

static GParamSpec *hit_properties[HIT_N_PROPS];

FoyerSearchHit *
_foyer_search_hit_new (FoyerSearchKind kind,
                       const char *space_id,
                       const char *item_id,
                       gint64 created,
                       const char *author,
                       const char *marked_text)
{
  FoyerSearchHit *self = g_object_new (FOYER_TYPE_SEARCH_HIT, NULL);
  GString *text = g_string_new (NULL);
  FoyerSearchRange range = { 0, 0 };
  gboolean open = FALSE;

  self->kind = kind;
  self->space_id = g_strdup (space_id);
  self->item_id = g_strdup (item_id);
  self->created = created;
  self->author = g_strdup (author);
  /* The indexed text never holds the marks (they are taken out before it
   * is indexed), so each one here is the index's. */
  for (const char *p = marked_text != NULL ? marked_text : ""; *p != '\0'; p++)
    {
      if (*p == MARK_START && !open)
        {
          range.start = (guint) text->len;
          open = TRUE;
        }
      else if (*p == MARK_END && open)
        {
          range.end = (guint) text->len;
          if (range.end > range.start)
            g_array_append_val (self->ranges, range);
          open = FALSE;
        }
      else if (*p != MARK_START && *p != MARK_END)
        g_string_append_c (text, *p);
    }
  self->text = g_string_free (text, FALSE);
  return self;
}

FoyerSearchKind
foyer_search_hit_get_kind (FoyerSearchHit *self)
{
  g_return_val_if_fail (FOYER_IS_SEARCH_HIT (self), FOYER_SEARCH_KIND_MESSAGE);
  return self->kind;
}

const char *
foyer_search_hit_get_space_id (FoyerSearchHit *self)
{
  g_return_val_if_fail (FOYER_IS_SEARCH_HIT (self), NULL);
  return self->space_id;
}

const char *
foyer_search_hit_get_item_id (FoyerSearchHit *self)
{
  g_return_val_if_fail (FOYER_IS_SEARCH_HIT (self), NULL);
  return self->item_id;
}

gint64
foyer_search_hit_get_created (FoyerSearchHit *self)
{
  g_return_val_if_fail (FOYER_IS_SEARCH_HIT (self), 0);
  return self->created;
}

const char *
foyer_search_hit_get_author (FoyerSearchHit *self)
{
  g_return_val_if_fail (FOYER_IS_SEARCH_HIT (self), NULL);
  return self->author;
}

const char *
foyer_search_hit_get_text (FoyerSearchHit *self)
{
  g_return_val_if_fail (FOYER_IS_SEARCH_HIT (self), NULL);
  return self->text;
}

const FoyerSearchRange *
foyer_search_hit_get_ranges (FoyerSearchHit *self, guint *n_ranges)
{
  g_return_val_if_fail (FOYER_IS_SEARCH_HIT (self), NULL);

  if (n_ranges != NULL)
    *n_ranges = self->ranges->len;
  return (const FoyerSearchRange *) (gpointer) self->ranges->data;
}

static void
foyer_search_hit_finalize (GObject *object)
{
  FoyerSearchHit *self = FOYER_SEARCH_HIT (object);

  g_free (self->space_id);
  g_free (self->item_id);
  g_free (self->author);
  g_free (self->text);
  g_array_unref (self->ranges);
  G_OBJECT_CLASS (foyer_search_hit_parent_class)->finalize (object);
}

static void
foyer_search_hit_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FoyerSearchHit *self = FOYER_SEARCH_HIT (object);

  switch (prop_id)
    {
    case HIT_PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case HIT_PROP_SPACE_ID:
      g_value_set_string (value, self->space_id);
      break;
    case HIT_PROP_ITEM_ID:
      g_value_set_string (value, self->item_id);
      break;
    case HIT_PROP_CREATED:
      g_value_set_int64 (value, self->created);
      break;
    case HIT_PROP_AUTHOR:
      g_value_set_string (value, self->author);
      break;
    case HIT_PROP_TEXT:
      g_value_set_string (value, self->text);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_search_hit_class_init (FoyerSearchHitClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = foyer_search_hit_finalize;
  object_class->get_property = foyer_search_hit_get_property;
  hit_properties[HIT_PROP_KIND] = g_param_spec_enum ("kind", NULL, NULL, FOYER_TYPE_SEARCH_KIND,
                                                     FOYER_SEARCH_KIND_MESSAGE, ro);
  hit_properties[HIT_PROP_SPACE_ID] = g_param_spec_string ("space-id", NULL, NULL, NULL, ro);
  hit_properties[HIT_PROP_ITEM_ID] = g_param_spec_string ("item-id", NULL, NULL, NULL, ro);
  hit_properties[HIT_PROP_CREATED]
      = g_param_spec_int64 ("created", NULL, NULL, G_MININT64, G_MAXINT64, 0, ro);
  hit_properties[HIT_PROP_AUTHOR] = g_param_spec_string ("author", NULL, NULL, NULL, ro);
  hit_properties[HIT_PROP_TEXT] = g_param_spec_string ("text", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, HIT_N_PROPS, hit_properties);
}

static void
foyer_search_hit_init (FoyerSearchHit *self)
{
  self->ranges = g_array_new (FALSE, FALSE, sizeof (FoyerSearchRange));
}

/* ---- FoyerSearchGroup ---------------------------------------------------------- */

struct _FoyerSearchGroup
{
  FoyerObjectList parent_instance; /* of FoyerSearchHit */

  char *space_id;
};

G_DEFINE_FINAL_TYPE (FoyerSearchGroup, foyer_search_group, FOYER_TYPE_OBJECT_LIST)

enum
{
  GROUP_PROP_0,
  GROUP_PROP_SPACE_ID,
  GROUP_N_PROPS
};

static GParamSpec *group_properties[GROUP_N_PROPS];

const char *
foyer_search_group_get_space_id (FoyerSearchGroup *self)
{
  g_return_val_if_fail (FOYER_IS_SEARCH_GROUP (self), NULL);
  return self->space_id;
}

static void
foyer_search_group_finalize (GObject *object)
{
  FoyerSearchGroup *self = FOYER_SEARCH_GROUP (object);

  g_free (self->space_id);
  G_OBJECT_CLASS (foyer_search_group_parent_class)->finalize (object);
}

static void
foyer_search_group_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FoyerSearchGroup *self = FOYER_SEARCH_GROUP (object);

  switch (prop_id)
    {
    case GROUP_PROP_SPACE_ID:
      g_value_set_string (value, self->space_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_search_group_class_init (FoyerSearchGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = foyer_search_group_finalize;
  object_class->get_property = foyer_search_group_get_property;
  FOYER_OBJECT_LIST_CLASS (klass)->item_type = FOYER_TYPE_SEARCH_HIT;
  group_properties[GROUP_PROP_SPACE_ID] = g_param_spec_string ("space-id", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, GROUP_N_PROPS, group_properties);
}

static void
foyer_search_group_init (FoyerSearchGroup *self)
{
}

/* ---- FoyerSearchResults -------------------------------------------------------- */

struct _FoyerSearchResults
{
  FoyerObjectList parent_instance; /* of FoyerSearchGroup */

  char *query;
  guint n_hits;
  gboolean has_more;
};

G_DEFINE_FINAL_TYPE (FoyerSearchResults, foyer_search_results, FOYER_TYPE_OBJECT_LIST)

enum
{
  RESULTS_PROP_0,
  RESULTS_PROP_QUERY,
  RESULTS_PROP_N_HITS,
  RESULTS_PROP_HAS_MORE,
  RESULTS_N_PROPS
};

static GParamSpec *results_properties[RESULTS_N_PROPS];

/* hits come newest first; groups keep that order by their newest hit. */
FoyerSearchResults *
_foyer_search_results_new (const char *query, GPtrArray *hits, gboolean has_more)
{
  FoyerSearchResults *self = g_object_new (FOYER_TYPE_SEARCH_RESULTS, NULL);
  g_autoptr (GHashTable) by_space = g_hash_table_new (g_str_hash, g_str_equal);

  self->query = g_strdup (query);
  self->has_more = has_more;
  for (guint i = 0; hits != NULL && i < hits->len; i++)
    {
      FoyerSearchHit *hit = hits->pdata[i];
      FoyerSearchGroup *group = g_hash_table_lookup (by_space, hit->space_id);

      if (group == NULL)
        {
          group = g_object_new (FOYER_TYPE_SEARCH_GROUP, NULL);
          group->space_id = g_strdup (hit->space_id);
          foyer_object_list_append (FOYER_OBJECT_LIST (self), group);
          g_hash_table_insert (by_space, group->space_id, group);
          g_object_unref (group); /* the list holds it */
        }
      foyer_object_list_append (FOYER_OBJECT_LIST (group), hit);
      self->n_hits++;
    }
  return self;
}

const char *
foyer_search_results_get_query (FoyerSearchResults *self)
{
  g_return_val_if_fail (FOYER_IS_SEARCH_RESULTS (self), NULL);
  return self->query;
}

guint
foyer_search_results_get_n_hits (FoyerSearchResults *self)
{
  g_return_val_if_fail (FOYER_IS_SEARCH_RESULTS (self), 0);
  return self->n_hits;
}

gboolean
foyer_search_results_get_has_more (FoyerSearchResults *self)
{
  g_return_val_if_fail (FOYER_IS_SEARCH_RESULTS (self), FALSE);
  return self->has_more;
}

static void
foyer_search_results_finalize (GObject *object)
{
  FoyerSearchResults *self = FOYER_SEARCH_RESULTS (object);

  g_free (self->query);
  G_OBJECT_CLASS (foyer_search_results_parent_class)->finalize (object);
}

static void
foyer_search_results_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FoyerSearchResults *self = FOYER_SEARCH_RESULTS (object);

  switch (prop_id)
    {
    case RESULTS_PROP_QUERY:
      g_value_set_string (value, self->query);
      break;
    case RESULTS_PROP_N_HITS:
      g_value_set_uint (value, self->n_hits);
      break;
    case RESULTS_PROP_HAS_MORE:
      g_value_set_boolean (value, self->has_more);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
foyer_search_results_class_init (FoyerSearchResultsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = foyer_search_results_finalize;
  object_class->get_property = foyer_search_results_get_property;
  FOYER_OBJECT_LIST_CLASS (klass)->item_type = FOYER_TYPE_SEARCH_GROUP;
  results_properties[RESULTS_PROP_QUERY] = g_param_spec_string ("query", NULL, NULL, NULL, ro);
  results_properties[RESULTS_PROP_N_HITS]
      = g_param_spec_uint ("n-hits", NULL, NULL, 0, G_MAXUINT, 0, ro);
  results_properties[RESULTS_PROP_HAS_MORE]
      = g_param_spec_boolean ("has-more", NULL, NULL, FALSE, ro);
  g_object_class_install_properties (object_class, RESULTS_N_PROPS, results_properties);
}

static void
foyer_search_results_init (FoyerSearchResults *self)
{
}
