/*
 * The default main() of a suite. It is alone in its object file so that
 * the linker takes it from libperfgate_bench.a only when the program has
 * no main() of its own.
 */
#include "internal.h"

int main(int argc, char **argv)
{
	return pg_bench_main(argc, argv);
}
