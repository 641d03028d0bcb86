/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The process's keyring operations (libsecret), one at a time, in call
 * order, whoever asks: the Microsoft account's credential store and the
 * service's session secret. Two at once can interleave a sign-out's clear
 * with the next sign-in's save, or let a lookup miss what was saved just
 * before it; and libsecret's clear (up to 0.21 at least) returns its task
 * twice when another clear deleted its item first.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Starts the operation of task: calls the keyring, whose callback returns
 * task and then calls foyer_keyring_queue_done (). */
typedef void (*FoyerKeyringStart) (GTask *task);

/* Takes task; start (task) runs once every operation queued before it is
 * done. */
void foyer_keyring_queue_push (GTask *task, FoyerKeyringStart start);
/* The running operation's task has returned: the next one starts. */
void foyer_keyring_queue_done (void);

G_END_DECLS
