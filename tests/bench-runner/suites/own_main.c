/*
 * A suite with its own main() (which replaces the library's): set-up,
 * a configuration line, then pg_bench_main().
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <perfgate/bench.h>

PG_BENCH(Own)
{
	uint64_t i;

	for (i = 0; i < pg_bench_n(b); i++)
		pg_bench_clobber_memory();
}

int main(int argc, char **argv)
{
	/* memory from a libc function that sanitizers intercept (strdup),
	 * freed through the program's free(): must work when the suite is
	 * built with -fsanitize=address against the non-ASan library */
	char *copy = strdup("own main");

	if (!copy)
		return 2;
	free(copy);
	if (pg_bench_add_config("build-flavour", "own main %d", 42)) {
		fprintf(stderr, "own_main: pg_bench_add_config failed\n");
		return 2;
	}
	return pg_bench_main(argc, argv);
}
