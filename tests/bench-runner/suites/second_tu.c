/*
 * A second translation unit of the user suite (may be compiled with
 * another compiler, e.g. as C++: the "compiler:" line lists both).
 */
#include <stdint.h>

#include <perfgate/bench.h>

PG_BENCH(SecondUnit)
{
	uint64_t i, x = 1;

	for (i = 0; i < pg_bench_n(b); i++)
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
	pg_bench_do_not_optimize(x);
}
