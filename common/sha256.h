#ifndef PG_SHA256_H
#define PG_SHA256_H

#include <stddef.h>

/* SHA-256 with OpenSSL's libcrypto, as 64 lowercase hex digits and a NUL. */

/* Of `len` bytes in memory. 0 or PG_ENOMEM. */
int pg_sha256_hex(char out[65], const void *data, size_t len);

/* Of the file `path`, read in chunks; *size (when not NULL) receives its
 * length. 0, PG_EINPUT (cannot open/read, naming the file), PG_ENOMEM. */
int pg_sha256_file_hex(char out[65], const char *path, unsigned long long *size);

/* The SHA-256 of the empty string. */
extern const char pg_sha256_empty[65];

#endif
