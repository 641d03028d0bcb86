/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Turning text from the network into something safe to show: Pango markup
 * built only by us (every character of the text escaped, only http(s) links
 * made clickable), initials for avatars, and how messages group.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Text is shown (and laid out) this many characters at a time; a long
 * message has Show More for the rest. */
#define FOYER_MESSAGE_MAX_DISPLAY_CHARS 4000
/* A run of this many characters without a space is wrapped at any
 * character rather than between words (see foyer_text_has_long_run ()). */
#define FOYER_TEXT_LONG_RUN 200

char *foyer_text_to_markup (const char *text);
/* length: bytes of text to read, or -1 for all of a nul-terminated string. */
char *foyer_text_make_valid (const char *text, gssize length);
char *foyer_text_initials (const char *name);
gboolean foyer_text_has_long_run (const char *text, gssize length);
gsize foyer_text_chunk_end (const char *text, guint max_chars);
gboolean foyer_text_same_day (GDateTime *a, GDateTime *b);
gboolean foyer_text_continues_group (const char *previous_author,
                                     GDateTime *previous_time,
                                     const char *author,
                                     GDateTime *time);
char *foyer_text_format_time (GDateTime *time, GDateTime *now);
char *foyer_text_format_day (GDateTime *day, GDateTime *now);
char *foyer_text_format_when (GDateTime *time, GDateTime *now);

G_END_DECLS
