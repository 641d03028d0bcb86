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
  GObject parent_instance;

  char *space_id;
  GPtrArray *hits; /* FoyerSearchHit* */
};

static void group_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FoyerSearchGroup,
                               foyer_search_group,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, group_list_model_init))

enum
{
  GROUP_PROP_0,
  GROUP_PROP_SPACE_ID,
  GROUP_PROP_N_ITEMS,
  GROUP_N_PROPS
};

static GParamSpec *group_properties[GROUP_N_PROPS];

static GType
group_get_item_type (GListModel *model)
{
  return FOYER_TYPE_SEARCH_HIT;
}

static guint
group_get_n_items (GListModel *model)
{
  return FOYER_SEARCH_GROUP (model)->hits->len;
}

static gpointer
group_get_item (GListModel *model, guint position)
{
  FoyerSearchGroup *self = FOYER_SEARCH_GROUP (model);

  return position < self->hits->len ? g_object_ref (self->hits->pdata[position]) : NULL;
}

static void
group_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = group_get_item_type;
  iface->get_n_items = group_get_n_items;
  iface->get_item = group_get_item;
}

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
  g_ptr_array_unref (self->hits);
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
    case GROUP_PROP_N_ITEMS:
      g_value_set_uint (value, self->hits->len);
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
  group_properties[GROUP_PROP_SPACE_ID] = g_param_spec_string ("space-id", NULL, NULL, NULL, ro);
  group_properties[GROUP_PROP_N_ITEMS]
      = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0, ro);
  g_object_class_install_properties (object_class, GROUP_N_PROPS, group_properties);
}

static void
foyer_search_group_init (FoyerSearchGroup *self)
{
  self->hits = g_ptr_array_new_with_free_func (g_object_unref);
}

/* ---- FoyerSearchResults -------------------------------------------------------- */

struct _FoyerSearchResults
{
  GObject parent_instance;

  char *query;
  GPtrArray *groups; /* FoyerSearchGroup* */
  guint n_hits;
  gboolean has_more;
};

static void results_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FoyerSearchResults,
                               foyer_search_results,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, results_list_model_init))

enum
{
  RESULTS_PROP_0,
  RESULTS_PROP_QUERY,
  RESULTS_PROP_N_HITS,
  RESULTS_PROP_HAS_MORE,
  RESULTS_PROP_N_ITEMS,
  RESULTS_N_PROPS
};

static GParamSpec *results_properties[RESULTS_N_PROPS];

static GType
results_get_item_type (GListModel *model)
{
  return FOYER_TYPE_SEARCH_GROUP;
}

static guint
results_get_n_items (GListModel *model)
{
  return FOYER_SEARCH_RESULTS (model)->groups->len;
}

static gpointer
results_get_item (GListModel *model, guint position)
{
  FoyerSearchResults *self = FOYER_SEARCH_RESULTS (model);

  return position < self->groups->len ? g_object_ref (self->groups->pdata[position]) : NULL;
}

static void
results_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = results_get_item_type;
  iface->get_n_items = results_get_n_items;
  iface->get_item = results_get_item;
}

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
          g_ptr_array_add (self->groups, group);
          g_hash_table_insert (by_space, group->space_id, group);
        }
      g_ptr_array_add (group->hits, g_object_ref (hit));
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
  g_ptr_array_unref (self->groups);
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
    case RESULTS_PROP_N_ITEMS:
      g_value_set_uint (value, self->groups->len);
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
  results_properties[RESULTS_PROP_QUERY] = g_param_spec_string ("query", NULL, NULL, NULL, ro);
  results_properties[RESULTS_PROP_N_HITS]
      = g_param_spec_uint ("n-hits", NULL, NULL, 0, G_MAXUINT, 0, ro);
  results_properties[RESULTS_PROP_HAS_MORE]
      = g_param_spec_boolean ("has-more", NULL, NULL, FALSE, ro);
  results_properties[RESULTS_PROP_N_ITEMS]
      = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0, ro);
  g_object_class_install_properties (object_class, RESULTS_N_PROPS, results_properties);
}

static void
foyer_search_results_init (FoyerSearchResults *self)
{
  self->groups = g_ptr_array_new_with_free_func (g_object_unref);
}
