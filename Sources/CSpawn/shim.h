#ifndef MVP_CSPAWN_SHIM_H
#define MVP_CSPAWN_SHIM_H

/*
 * posix_spawn_file_actions_addclosefrom_np (glibc 2.34 and later): the spawned program starts with no file
 * descriptor above `from` open. glibc declares it only for _GNU_SOURCE / __USE_MISC, which the Swift Glibc module
 * is built without, so the prototype is repeated here; the function itself is glibc's.
 */

#include <spawn.h>

extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);

#endif
