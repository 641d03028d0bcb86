/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Real thumbnail images (JPEG for photos, PNG for the rest), drawn with
 * gdk-pixbuf at Microsoft's documented sizes: small 96, medium 176 and
 * large 800 pixels on the longest edge, the square variants, and custom
 * cWxH (fit) and cWxH_crop sizes. Rendered images are cached.
 */
#define G_LOG_DOMAIN "foyer-sandbox"

#include "config.h"

#include "sandbox.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <string.h>

static void
aspect (SandboxItem *item, int *w, int *h)
{
  if (item->width > 0 && item->height > 0)
    {
      *w = item->width;
      *h = item->height;
    }
  else if (item->kind == SANDBOX_KIND_EXCEL || item->kind == SANDBOX_KIND_POWERPOINT)
    {
      *w = 4;
      *h = 3;
    }
  else
    {
      *w = 3;
      *h = 4;
    }
}

static void
fit (SandboxItem *item, int max_w, int max_h, int *width, int *height)
{
  int aw, ah;
  double scale;

  aspect (item, &aw, &ah);
  scale = MIN ((double) max_w / aw, (double) max_h / ah);
  *width = MAX (1, (int) (aw * scale + 0.5));
  *height = MAX (1, (int) (ah * scale + 0.5));
}

gboolean
sandbox_thumb_size (SandboxItem *item, const char *size, int *width, int *height)
{
  static const struct
  {
    const char *name;
    int edge;
    gboolean square;
  } named[] = {
    { "small", 96, FALSE },      { "medium", 176, FALSE },      { "large", 800, FALSE },
    { "smallSquare", 96, TRUE }, { "mediumSquare", 176, TRUE }, { "largeSquare", 800, TRUE },
  };
  int w = 0, h = 0;
  char crop[8] = "";

  if (size == NULL)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (named); i++)
    if (g_str_equal (size, named[i].name))
      {
        if (named[i].square)
          *width = *height = named[i].edge;
        else
          fit (item, named[i].edge, named[i].edge, width, height);
        return TRUE;
      }
  if (sscanf (size, "c%dx%d%7s", &w, &h, crop) >= 2 && w > 0 && h > 0 && w <= 2048 && h <= 2048)
    {
      g_autofree char *plain = g_strdup_printf ("c%dx%d", w, h);
      g_autofree char *cropped = g_strdup_printf ("c%dx%d_crop", w, h);

      if (g_str_equal (size, cropped))
        {
          *width = w;
          *height = h;
          return TRUE;
        }
      if (g_str_equal (size, plain))
        {
          fit (item, w, h, width, height);
          return TRUE;
        }
    }
  return FALSE;
}

static guint32
kind_color (SandboxKind kind)
{
  switch (kind)
    {
    case SANDBOX_KIND_WORD:
      return 0x2b579aff;
    case SANDBOX_KIND_EXCEL:
      return 0x217346ff;
    case SANDBOX_KIND_POWERPOINT:
      return 0xb7472aff;
    case SANDBOX_KIND_PDF:
      return 0xc50f1fff;
    default:
      return 0x605e5cff;
    }
}

static void
fill_rect (GdkPixbuf *pb, int x, int y, int w, int h, guint32 rgba)
{
  int pw = gdk_pixbuf_get_width (pb), ph = gdk_pixbuf_get_height (pb);
  g_autoptr (GdkPixbuf) sub = NULL;

  x = CLAMP (x, 0, pw - 1);
  y = CLAMP (y, 0, ph - 1);
  w = MIN (w, pw - x);
  h = MIN (h, ph - y);
  if (w <= 0 || h <= 0)
    return;
  sub = gdk_pixbuf_new_subpixbuf (pb, x, y, w, h);
  gdk_pixbuf_fill (sub, rgba);
}

/* A photo: a gradient whose colours come from the item id. */
static void
draw_photo (GdkPixbuf *pb, SandboxItem *item)
{
  int w = gdk_pixbuf_get_width (pb), h = gdk_pixbuf_get_height (pb);
  int stride = gdk_pixbuf_get_rowstride (pb);
  guint8 *pixels = gdk_pixbuf_get_pixels (pb);
  guint hash = g_str_hash (item->id);
  guint8 r0 = hash & 0xff, g0 = (hash >> 8) & 0xff, b0 = (hash >> 16) & 0xff;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      {
        guint8 *p = pixels + y * stride + x * 3;

        p[0] = (guint8) ((r0 + x * 255 / w) / 2);
        p[1] = (guint8) ((g0 + y * 255 / h) / 2);
        p[2] = (guint8) ((b0 + (x + y) * 255 / (w + h)) / 2);
      }
  /* A sun and a horizon, so the picture is not only a gradient. */
  fill_rect (pb, w * 2 / 3, h / 6, w / 8 + 1, w / 8 + 1, 0xffd34dff);
  fill_rect (pb, 0, h * 2 / 3, w, h / 3, 0x3b6e4fff);
}

/* A document: a white page with a coloured band and grey text lines. */
static void
draw_document (GdkPixbuf *pb, SandboxItem *item)
{
  int w = gdk_pixbuf_get_width (pb), h = gdk_pixbuf_get_height (pb);
  int margin = MAX (2, w / 12);
  int line = MAX (1, h / 40);

  gdk_pixbuf_fill (pb, 0xffffffff);
  fill_rect (pb, 0, 0, w, MAX (2, h / 8), kind_color (item->kind));
  for (int y = h / 8 + 2 * line; y + line < h - margin; y += 2 * line)
    {
      int len
          = w - 2 * margin - (int) ((g_str_hash (item->name) >> (y % 16)) % (guint) MAX (1, w / 4));

      fill_rect (pb, margin, y, len, line, 0xc8c6c4ff);
    }
}

GBytes *
sandbox_thumb_render (Sandbox *sb, SandboxItem *item, const char *size, const char **content_type)
{
  g_autofree char *key = g_strdup_printf ("%s %s", item->id, size);
  gboolean jpeg = item->kind == SANDBOX_KIND_JPEG;
  GBytes *cached = g_hash_table_lookup (sb->thumb_cache, key);
  g_autoptr (GdkPixbuf) pb = NULL;
  g_autoptr (GError) error = NULL;
  char *buffer = NULL;
  gsize len = 0;
  int w = 0, h = 0;

  *content_type = jpeg ? "image/jpeg" : "image/png";
  if (cached != NULL)
    return g_bytes_ref (cached);

  if (!sandbox_thumb_size (item, size, &w, &h))
    fit (item, 96, 96, &w, &h);
  pb = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, w, h);
  if (sandbox_upload_draw_thumb (sb, item, pb))
    ; /* an uploaded image, scaled down */
  else if (item->kind == SANDBOX_KIND_JPEG || item->kind == SANDBOX_KIND_PNG)
    draw_photo (pb, item);
  else
    draw_document (pb, item);
  if (jpeg)
    gdk_pixbuf_save_to_buffer (pb, &buffer, &len, "jpeg", &error, "quality", "85", NULL);
  else
    gdk_pixbuf_save_to_buffer (pb, &buffer, &len, "png", &error, NULL);
  if (buffer == NULL)
    g_error ("Cannot encode a thumbnail: %s", error->message);

  if (g_hash_table_size (sb->thumb_cache) > 512)
    g_hash_table_remove_all (sb->thumb_cache);
  cached = g_bytes_new_take (buffer, len);
  g_hash_table_insert (sb->thumb_cache, g_steal_pointer (&key), g_bytes_ref (cached));
  return cached;
}
