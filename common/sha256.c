#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <unistd.h>

#include "common/error.h"
#include "common/sha256.h"
#include "common/banned.h"

const char pg_sha256_empty[65] =
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

static void to_hex(char out[65], const unsigned char *md)
{
	static const char digits[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 32; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 15];
	}
	out[64] = '\0';
}

int pg_sha256_hex(char out[65], const void *data, size_t len)
{
	unsigned char md[32];
	unsigned int mdlen = 0;

	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
		return pg_error_set(PG_ENOMEM, "cannot compute a SHA-256 digest");
	to_hex(out, md);
	return 0;
}

int pg_sha256_file_hex(char out[65], const char *path, unsigned long long *size)
{
	EVP_MD_CTX *ctx = NULL;
	unsigned char md[32], buf[65536];
	unsigned int mdlen = 0;
	unsigned long long total = 0;
	int fd = -1, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pg_error_set_errno(PG_EINPUT, "cannot open '%s'", path);
	ctx = EVP_MD_CTX_new();
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		err = pg_error_set(PG_ENOMEM, "cannot compute a SHA-256 digest");
		goto cleanup;
	}
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = pg_error_set_errno(PG_EINPUT, "cannot read '%s'", path);
			goto cleanup;
		}
		if (n == 0)
			break;
		if (!EVP_DigestUpdate(ctx, buf, (size_t)n)) {
			err = pg_error_set(PG_ENOMEM, "cannot compute a SHA-256 digest");
			goto cleanup;
		}
		total += (unsigned long long)n;
	}
	if (!EVP_DigestFinal_ex(ctx, md, &mdlen) || mdlen != 32) {
		err = pg_error_set(PG_ENOMEM, "cannot compute a SHA-256 digest");
		goto cleanup;
	}
	to_hex(out, md);
	if (size)
		*size = total;

cleanup:
	EVP_MD_CTX_free(ctx);
	close(fd);
	return err;
}
