/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "foyer-service"

#include "config.h"

#include "foyer-svc.h"

int
main (int argc, char **argv)
{
  return foyer_svc_cli_main (argc, argv);
}
