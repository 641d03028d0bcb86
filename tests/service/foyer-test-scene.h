/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A running foyer-service with one space that alice made and bob joined,
 * for the tests and benchmarks that then talk to it over raw sockets: the
 * tokens, the space, and a sealed body any post can carry.
 */
#pragma once

#include "foyer-test-service.h"

G_BEGIN_DECLS

typedef struct
{
  FoyerTestService *service;
  char *host;
  guint16 port;
  int pid;
  char *alice_token;
  char *bob_token;
  char *space_id;
  char *messages_path; /* /v1/spaces/<id>/messages */
  char *key_uri;
  char *body; /* a JWE sealed with the space's key */
} FoyerTestScene;

/* extra_args go to `serve`; the environment is the caller's. */
FoyerTestScene *foyer_test_scene_new (const char *const *extra_args);
/* The JSON of a post with this clientMessageId. */
char *foyer_test_scene_post_json (FoyerTestScene *self, const char *client_message_id);
void foyer_test_scene_free (FoyerTestScene *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FoyerTestScene, foyer_test_scene_free)

G_END_DECLS
