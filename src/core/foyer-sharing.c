/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-core"

#include "config.h"

#include "foyer-sharing.h"

/* The strings are the registered types' nicks ("view", "anyone", …). */
static const char *
nick_of (GType type, int value)
{
  GEnumClass *klass = g_type_class_ref (type);
  GEnumValue *found = g_enum_get_value (klass, value);

  g_type_class_unref (klass);
  return found != NULL ? found->value_nick : NULL;
}

static gboolean
value_of (GType type, const char *nick, int *out)
{
  GEnumClass *klass = g_type_class_ref (type);
  GEnumValue *found = nick != NULL ? g_enum_get_value_by_nick (klass, nick) : NULL;

  g_type_class_unref (klass);
  if (found == NULL)
    return FALSE;
  *out = found->value;
  return TRUE;
}

const char *
foyer_link_type_to_string (FoyerLinkType type)
{
  return nick_of (FOYER_TYPE_LINK_TYPE, type);
}

gboolean
foyer_link_type_from_string (const char *text, FoyerLinkType *out)
{
  int value;

  g_return_val_if_fail (out != NULL, FALSE);

  if (!value_of (FOYER_TYPE_LINK_TYPE, text, &value))
    return FALSE;
  *out = value;
  return TRUE;
}

const char *
foyer_link_audience_to_string (FoyerLinkAudience audience)
{
  return audience != FOYER_LINK_AUDIENCE_NONE ? nick_of (FOYER_TYPE_LINK_AUDIENCE, audience) : NULL;
}

gboolean
foyer_link_audience_from_string (const char *text, FoyerLinkAudience *out)
{
  int value;

  g_return_val_if_fail (out != NULL, FALSE);

  if (!value_of (FOYER_TYPE_LINK_AUDIENCE, text, &value) || value == FOYER_LINK_AUDIENCE_NONE)
    return FALSE;
  *out = value;
  return TRUE;
}
