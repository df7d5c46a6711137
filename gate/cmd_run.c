/*
 * perfgate run: execute a benchmark suite N times as separate processes on
 * pinned CPUs and merge every sample into one results file.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "gate/cmd.h"
#include "gate/config.h"
#include "gate/measure.h"
#include "gate/run_support.h"
#include "common/banned.h"

static const char run_usage[] =
	"usage: perfgate run [options] -- SUITE [ARGS...]\n"
	"\n"
	"Run a benchmark suite (any command printing the Go benchmark format or\n"
	"Google Benchmark JSON) N times as separate processes on pinned CPUs and\n"
	"merge every sample into one results file.\n"
	"\n"
	"    -n, --count N       measured runs (default 10)\n"
	"        --warmup N      discarded runs before them (default 1)\n"
	"        --cpus LIST     pin the suite to these CPUs, e.g. 2 or 2-3 (default:\n"
	"                        the isolated CPUs, else the highest CPU but 0);\n"
	"                        'none' does not pin\n"
	"        --timeout SEC   kill a run after SEC seconds (default 600; 0: never)\n"
	"    -o, --output FILE   write the results there (default: standard output)\n"
	"        --json FILE     also write every sample with its run index and\n"
	"                        start time as JSON (and each run's values of the\n"
	"                        configuration lines that change between runs)\n"
	"        --require-quiet fail (exit 3) when the quiet-host checks warn\n"
	"        --profile DIR   after the measured runs, one more run with profiling\n"
	"                        (its results discarded): the suite's -cpuprofile DIR\n"
	"                        writes a pprof profile per benchmark there\n"
	"        --profile-with harness|perf  perf: profile with 'perf record' (any\n"
	"                        suite; one profile of the whole run)\n"
	"        --profile-runs N  profiled runs (default 1)\n"
	"        --profile-rate HZ sampling rate (default 100)\n"
	"        --trim-path PREFIX remove PREFIX from the file names in the\n"
	"                        profiles (build paths name users and hosts)\n"
	"    -q, --quiet         no progress and no host warnings on stderr\n"
	"        --measure time|callgrind|auto  what to measure (default time); callgrind:\n"
	"                        instructions/op counted by valgrind's callgrind in\n"
	"                        the timed regions, exactly repeatable (suites built\n"
	"                        with perfgate's harness; ns/op, MB/s and other time\n"
	"                        metrics dropped, B/op and allocs/op kept; no warm-up);\n"
	"                        auto: time where this process can open a hardware\n"
	"                        instruction counter (perfgate's harness then reports\n"
	"                        instructions/op beside ns/op), else callgrind\n"
	"        --callgrind-iterations N  fixed iterations per benchmark (default 100)\n"
	"        --cache-sim     simulate the caches too: est-cycles/op\n"
	"        --keep-env NAME pass the caller's variable NAME on (callgrind runs the\n"
	"                        suite in / with only PATH=/usr/bin:/bin, LC_ALL=C,\n"
	"                        HOME=/nonexistent and the PG_* variables); repeatable\n"
	"\n"
	"A run that fails ends the job: the runs completed before it are written,\n"
	"with 'runs: K' and 'incomplete: run K+1 of N failed'.\n"
	"\n"
	"exit status: 0 done, 2 usage error, 3 a run failed (crash, non-zero exit,\n"
	"timeout, no results) or the host is not quiet with --require-quiet\n";

enum { OPT_WARMUP = 256, OPT_CPUS, OPT_TIMEOUT, OPT_JSON, OPT_REQUIRE_QUIET, OPT_PROFILE,
       OPT_PROFILE_WITH, OPT_PROFILE_RUNS, OPT_PROFILE_RATE, OPT_TRIM, OPT_MEASURE,
       OPT_CG_ITERATIONS, OPT_CACHE_SIM, OPT_KEEP_ENV };

/* --keep-env NAME, repeatable: the names (pointing into argv). */
static int keep_env_add(char ***names, size_t *n, char *name)
{
	char **grown;

	if (!*name || strchr(name, '='))
		return pg_error_set(PG_EINPUT, "--keep-env needs a variable name, not '%s'", name);
	if (!(grown = realloc(*names, (*n + 1) * sizeof(*grown))))
		return pg_error_set(PG_ENOMEM, "out of memory");
	*names = grown;
	grown[(*n)++] = name;
	return 0;
}

int cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "warmup", required_argument, NULL, OPT_WARMUP },
		{ "cpus", required_argument, NULL, OPT_CPUS },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "output", required_argument, NULL, 'o' },
		{ "json", required_argument, NULL, OPT_JSON },
		{ "require-quiet", no_argument, NULL, OPT_REQUIRE_QUIET },
		{ "profile", required_argument, NULL, OPT_PROFILE },
		{ "profile-with", required_argument, NULL, OPT_PROFILE_WITH },
		{ "profile-runs", required_argument, NULL, OPT_PROFILE_RUNS },
		{ "profile-rate", required_argument, NULL, OPT_PROFILE_RATE },
		{ "trim-path", required_argument, NULL, OPT_TRIM },
		{ "measure", required_argument, NULL, OPT_MEASURE },
		{ "callgrind-iterations", required_argument, NULL, OPT_CG_ITERATIONS },
		{ "cache-sim", no_argument, NULL, OPT_CACHE_SIM },
		{ "keep-env", required_argument, NULL, OPT_KEEP_ENV },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	pg_run_config cfg;
	pg_measure_mode mode = PG_MEASURE_TIME;
	pg_buf why = PG_BUF_INIT;
	char **keep = NULL;
	size_t nkeep = 0, iters = 0;
	int c, err = 0, status, callgrind_only = 0, profile_only = 0;

	pg_run_config_init(&cfg);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+n:o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'n':
			err = pg_parse_count(&cfg.count, "--count", optarg, 1);
			break;
		case OPT_WARMUP:
			err = pg_parse_count(&cfg.warmup, "--warmup", optarg, 0);
			break;
		case OPT_CPUS:
			cfg.cpus = optarg;
			break;
		case OPT_TIMEOUT:
			err = pg_parse_seconds(&cfg.timeout, "--timeout", optarg);
			break;
		case 'o':
			err = pg_parse_nonempty(&cfg.output, "--output", optarg, "a file name");
			break;
		case OPT_JSON:
			err = pg_parse_nonempty(&cfg.json, "--json", optarg, "a file name");
			break;
		case OPT_REQUIRE_QUIET:
			cfg.require_quiet = 1;
			break;
		case OPT_PROFILE:
			err = pg_parse_nonempty(&cfg.profile_dir, "--profile", optarg, "a folder name");
			break;
		case OPT_TRIM:
			cfg.profile_trim = optarg;
			profile_only = 1;
			break;
		case OPT_PROFILE_WITH:
			profile_only = 1;
			if (!strcmp(optarg, "perf"))
				cfg.profile_with_perf = 1;
			else if (!strcmp(optarg, "harness"))
				cfg.profile_with_perf = 0;
			else
				err = pg_error_set(PG_EINPUT, "--profile-with must be harness or perf, "
						   "not '%s'", optarg);
			break;
		case OPT_PROFILE_RUNS:
			profile_only = 1;
			err = pg_parse_count(&cfg.profile_runs, "--profile-runs", optarg, 1);
			break;
		case OPT_PROFILE_RATE: {
			size_t hz = 0;

			profile_only = 1;
			err = pg_parse_count(&hz, "--profile-rate", optarg, 1);
			if (!err && hz > 10000)
				err = pg_error_set(PG_EINPUT, "--profile-rate must be at most 10000 Hz");
			cfg.profile_hz = (int)hz;
			break;
		}
		case OPT_MEASURE:
			err = pg_config_parse_measure(&mode, "--measure", optarg);
			break;
		case OPT_CG_ITERATIONS:
			err = pg_parse_count(&iters, "--callgrind-iterations", optarg, 1);
			cfg.callgrind_iterations = iters;
			callgrind_only = 1;
			break;
		case OPT_CACHE_SIM:
			cfg.callgrind_cache_sim = 1;
			callgrind_only = 1;
			break;
		case OPT_KEEP_ENV:
			err = keep_env_add(&keep, &nkeep, optarg);
			callgrind_only = 1;
			break;
		case 'q':
			cfg.quiet = 1;
			break;
		case 'h':
			free(keep);
			fputs(run_usage, stdout);
			return pg_finish_stdout(PG_EXIT_OK);
		default:
			free(keep);
			return pg_usage_error(run_usage, "run: unknown option '%s'",
					      argv[optind - 1]);
		}
		if (err < 0) {
			free(keep);
			return pg_usage_error(run_usage, "run: %s", pg_error_last());
		}
	}
	if (callgrind_only && mode == PG_MEASURE_TIME) {
		free(keep);
		return pg_usage_error(run_usage, "run: --callgrind-iterations, --cache-sim and "
				      "--keep-env need --measure callgrind (or auto)");
	}
	if (profile_only && !cfg.profile_dir) {
		free(keep);
		return pg_usage_error(run_usage, "run: --profile-with, --profile-runs, "
				      "--profile-rate and --trim-path need --profile DIR");
	}
	if (optind >= argc) {
		free(keep);
		return pg_usage_error(run_usage, "run: no suite given (perfgate run [options] -- SUITE [ARGS...])");
	}
	cfg.argv = argv + optind;
	cfg.keep_env = keep;
	cfg.nkeep_env = nkeep;
	/* auto: time or callgrind, decided once before the first run */
	if ((err = pg_measure_resolve(&mode, &why, mode)) < 0) {
		free(keep);
		return pg_die_code(err);
	}
	cfg.callgrind = mode == PG_MEASURE_CALLGRIND;
	if (why.len) {
		cfg.measure_auto = why.ptr;
		if (!cfg.quiet)
			pg_measure_announce("run", mode, why.ptr);
	}
	status = pg_run_suite_command(&cfg, NULL, NULL);
	free(keep);
	pg_buf_release(&why);
	return status;
}
