/* SPDX-License-Identifier: MIT */
/*
 * libcurl (the host HTTP backend) and libzip (corpus export/import) are
 * loaded when first needed, not at start: linked, they cost every fozzy
 * process about 15 ms of start-up (their dependencies pull in TLS, Kerberos
 * and LDAP libraries) and make each fork of fozzy dearer. A file that uses
 * them includes this header after curl.h or zip.h and calls the functions
 * by their usual names, which the macros below turn into the loaded ones.
 */
#ifndef FOZZY_LAZYLIB_H
#define FOZZY_LAZYLIB_H

#include <stddef.h>

#ifdef CURLINC_CURL_H
#define LZ_CURL_FUNCS(X) X(curl_global_init) X(curl_easy_init) X(curl_easy_setopt) X(curl_easy_perform) \
	X(curl_easy_getinfo) X(curl_easy_strerror) X(curl_easy_cleanup) X(curl_slist_append)             \
	X(curl_slist_free_all)
struct lz_curl {
#define LZ_MEMBER(f) __typeof__(&f) f;
	LZ_CURL_FUNCS(LZ_MEMBER)
#undef LZ_MEMBER
};
extern struct lz_curl lz_curl;
#ifndef LZ_NO_NAMES
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_global_init lz_curl.curl_global_init
#define curl_easy_init lz_curl.curl_easy_init
#define curl_easy_setopt lz_curl.curl_easy_setopt
#define curl_easy_perform lz_curl.curl_easy_perform
#define curl_easy_getinfo lz_curl.curl_easy_getinfo
#define curl_easy_strerror lz_curl.curl_easy_strerror
#define curl_easy_cleanup lz_curl.curl_easy_cleanup
#define curl_slist_append lz_curl.curl_slist_append
#define curl_slist_free_all lz_curl.curl_slist_free_all
#endif
#endif

#ifdef _HAD_ZIP_H
#define LZ_ZIP_FUNCS(X) X(zip_open) X(zip_close) X(zip_discard) X(zip_strerror) X(zip_source_file)             \
	X(zip_source_free) X(zip_file_add) X(zip_set_file_compression) X(zip_file_set_mtime)                   \
	X(zip_file_set_external_attributes) X(zip_file_get_external_attributes) X(zip_error_init_with_code)    \
	X(zip_error_strerror) X(zip_error_fini) X(zip_get_num_entries) X(zip_get_name) X(zip_stat_index)       \
	X(zip_fopen_index) X(zip_fread) X(zip_fclose)
struct lz_zip {
#define LZ_MEMBER(f) __typeof__(&f) f;
	LZ_ZIP_FUNCS(LZ_MEMBER)
#undef LZ_MEMBER
};
extern struct lz_zip lz_zip;
#ifndef LZ_NO_NAMES
#define zip_open lz_zip.zip_open
#define zip_close lz_zip.zip_close
#define zip_discard lz_zip.zip_discard
#define zip_strerror lz_zip.zip_strerror
#define zip_source_file lz_zip.zip_source_file
#define zip_source_free lz_zip.zip_source_free
#define zip_file_add lz_zip.zip_file_add
#define zip_set_file_compression lz_zip.zip_set_file_compression
#define zip_file_set_mtime lz_zip.zip_file_set_mtime
#define zip_file_set_external_attributes lz_zip.zip_file_set_external_attributes
#define zip_file_get_external_attributes lz_zip.zip_file_get_external_attributes
#define zip_error_init_with_code lz_zip.zip_error_init_with_code
#define zip_error_strerror lz_zip.zip_error_strerror
#define zip_error_fini lz_zip.zip_error_fini
#define zip_get_num_entries lz_zip.zip_get_num_entries
#define zip_get_name lz_zip.zip_get_name
#define zip_stat_index lz_zip.zip_stat_index
#define zip_fopen_index lz_zip.zip_fopen_index
#define zip_fread lz_zip.zip_fread
#define zip_fclose lz_zip.zip_fclose
#endif
#endif

/* Load the library once: 0, or -1 with one line in why ("cannot load libcurl.so.4: ..."). */
int lz_curl_load(char *why, size_t n);
int lz_zip_load(char *why, size_t n);

#endif
