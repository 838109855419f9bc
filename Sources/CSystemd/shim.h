#ifndef MVP_CSYSTEMD_SHIM_H
#define MVP_CSYSTEMD_SHIM_H

/*
 * Typed wrappers around libsystemd's sd-journal reading API (sd-journal(3)), for the postfix-journal source.
 * sd-journal hands out field data as `const void *` + length ("FIELD=value", not NUL-terminated) and takes
 * matches as the same; these wrappers fix the byte type and strip the "FIELD=" prefix, so Swift sees a value
 * as bytes it can read without guessing. Every function returns what sd-journal returns: >= 0 success,
 * a negative errno on failure (0 from next() is the end of the journal).
 */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <systemd/sd-journal.h>

/* The local system's journal (all boots, no user journals of other users). */
static inline int mvp_journal_open_local(sd_journal **j) {
    return sd_journal_open(j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM);
}

/* The journal files in one folder (a copied or remote journal). */
static inline int mvp_journal_open_directory(sd_journal **j, const char *path) {
    return sd_journal_open_directory(j, path, 0);
}

/* Adds the match "FIELD=value" (`length` bytes, any bytes). */
static inline int mvp_journal_add_match(sd_journal *j, const uint8_t *data, size_t length) {
    return sd_journal_add_match(j, data, length);
}

static inline int mvp_journal_add_disjunction(sd_journal *j) { return sd_journal_add_disjunction(j); }

/* The value of `field` in the current entry (without "FIELD="): *value points into sd-journal's memory, valid
 * until the next call that moves or reads. Returns -ENOENT when the entry has no such field. */
static inline int mvp_journal_get_value(sd_journal *j, const char *field, const uint8_t **value, size_t *length) {
    const void *data = NULL;
    size_t size = 0;
    int r = sd_journal_get_data(j, field, &data, &size);
    if (r < 0) return r;
    size_t prefix = strlen(field) + 1; /* "FIELD=" */
    if (size < prefix) return -EBADMSG;
    *value = (const uint8_t *)data + prefix;
    *length = size - prefix;
    return r;
}

/* Starts enumerating the distinct values of `field` across the journal. */
static inline int mvp_journal_query_unique(sd_journal *j, const char *field) {
    return sd_journal_query_unique(j, field);
}

/* The next distinct value (without "FIELD="); 0 at the end. */
static inline int mvp_journal_enumerate_unique(sd_journal *j, const char *field, const uint8_t **value, size_t *length) {
    const void *data = NULL;
    size_t size = 0;
    int r = sd_journal_enumerate_unique(j, &data, &size);
    if (r <= 0) return r;
    size_t prefix = strlen(field) + 1;
    if (size < prefix) return -EBADMSG;
    *value = (const uint8_t *)data + prefix;
    *length = size - prefix;
    return r;
}

/* The current entry's wall-clock time, in microseconds since 1970. */
static inline int mvp_journal_realtime(sd_journal *j, uint64_t *usec) {
    return sd_journal_get_realtime_usec(j, usec);
}

#endif /* MVP_CSYSTEMD_SHIM_H */
