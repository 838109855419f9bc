#ifndef MVP_CCURL_SHIM_H
#define MVP_CCURL_SHIM_H

/*
 * Typed wrappers around libcurl's variadic entry points
 * (curl_easy_setopt / curl_easy_getinfo), which Swift cannot call directly.
 * Each wrapper fixes the argument type, so the value passed matches what the
 * option expects (long, curl_off_t, char *, void *, struct curl_slist *, or a
 * callback pointer).
 */

#include <curl/curl.h>

/* Signature shared by CURLOPT_WRITEFUNCTION, CURLOPT_READFUNCTION and
 * CURLOPT_HEADERFUNCTION. */
typedef size_t (*mvp_data_cb)(char *buffer, size_t size, size_t nitems, void *userdata);

static inline CURLcode mvp_global_init_default(void) {
    return curl_global_init(CURL_GLOBAL_DEFAULT);
}

static inline int mvp_error_size(void) { return CURL_ERROR_SIZE; }

static inline CURLcode mvp_setopt_long(CURL *h, CURLoption o, long v) {
    return curl_easy_setopt(h, o, v);
}

static inline CURLcode mvp_setopt_off_t(CURL *h, CURLoption o, curl_off_t v) {
    return curl_easy_setopt(h, o, v);
}

/* libcurl copies string options (since 7.17.0), so `v` may be temporary. */
static inline CURLcode mvp_setopt_str(CURL *h, CURLoption o, const char *v) {
    return curl_easy_setopt(h, o, v);
}

static inline CURLcode mvp_setopt_ptr(CURL *h, CURLoption o, void *v) {
    return curl_easy_setopt(h, o, v);
}

/* NOT copied by libcurl: the list must outlive the transfer. */
static inline CURLcode mvp_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) {
    return curl_easy_setopt(h, o, v);
}

static inline CURLcode mvp_setopt_write_cb(CURL *h, mvp_data_cb cb) {
    return curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, cb);
}

static inline CURLcode mvp_setopt_read_cb(CURL *h, mvp_data_cb cb) {
    return curl_easy_setopt(h, CURLOPT_READFUNCTION, cb);
}

static inline CURLcode mvp_setopt_header_cb(CURL *h, mvp_data_cb cb) {
    return curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, cb);
}

static inline CURLcode mvp_getinfo_long(CURL *h, CURLINFO i, long *out) {
    return curl_easy_getinfo(h, i, out);
}

static inline CURLcode mvp_getinfo_str(CURL *h, CURLINFO i, const char **out) {
    return curl_easy_getinfo(h, i, out);
}

#endif /* MVP_CCURL_SHIM_H */
