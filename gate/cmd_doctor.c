/*
 * perfgate doctor: is this host quiet enough to benchmark? Runs the
 * quiet-host checks of bench-runner/doctor.c for the CPUs a suite would
 * be pinned to and prints each finding, with the command that fixes it.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "bench-runner/cpus.h"
#include "bench-runner/doctor.h"
#include "common/buf.h"
#include "common/error.h"
#include "gate/cmd.h"
#include "gate/doctor_report.h"
#include "common/banned.h"

static const char doctor_usage[] =
	"usage: perfgate doctor [--cpus LIST] [--require-quiet] [--format text|json]\n"
	"\n"
	"Check whether this host is quiet enough to benchmark: the frequency\n"
	"governor, turbo boost, SMT siblings, ASLR, the load, isolated CPUs,\n"
	"virtualization and the hardware instruction counter. Each warning comes\n"
	"with the command that fixes it.\n"
	"\n"
	"    --cpus LIST        the CPUs to check, e.g. 2-3 (default: those\n"
	"                       'perfgate run' would pin to: the isolated CPUs, else\n"
	"                       the highest allowed CPU other than CPU 0)\n"
	"    --require-quiet    fail (exit 3) when there is any warning\n"
	"    --format F         text (default) or json\n"
	"\n"
	"exit status: 0 done, 2 usage error, 3 a warning with --require-quiet\n";

enum { OPT_CPUS = 256, OPT_REQUIRE_QUIET, OPT_FORMAT };

/* --cpus: a non-empty list of CPUs this process may run on. */
static int parse_cpus(pg_cpuset *out, const char *text)
{
	pg_cpuset allowed, outside;
	pg_buf list = PG_BUF_INIT, avail = PG_BUF_INIT;
	size_t i;
	int err;

	if ((err = pg_cpuset_parse(out, text)) < 0)
		return pg_error_prefix(err, "--cpus");
	if (out->count == 0)
		return pg_error_set(PG_EINPUT, "--cpus '%s' names no CPU", text);
	if ((err = pg_cpus_allowed(&allowed)) < 0)
		return err;
	memset(&outside, 0, sizeof(outside));
	for (i = 0; i < PG_MAX_CPUS; i++)
		if (out->on[i] && !allowed.on[i])
			pg_cpuset_add(&outside, i);
	if (outside.count) {
		pg_cpuset_format(&list, &outside);
		pg_cpuset_format(&avail, &allowed);
		err = pg_error_set(PG_EINPUT, "--cpus: %s %s %s not available to this process "
				   "(online and allowed: %s)",
				   outside.count == 1 ? "CPU" : "CPUs", list.ptr,
				   outside.count == 1 ? "is" : "are", avail.ptr);
	}
	pg_buf_release(&list);
	pg_buf_release(&avail);
	return err;
}

static int render_json(pg_buf *out, const pg_doctor_report *r)
{
	json_t *doc = pg_doctor_to_json(r);
	char *text = NULL;
	int err = 0;

	if (!doc ||
	    json_object_set_new(doc, "cpus_reason",
				json_string(r->cpus_why ? r->cpus_why : "--cpus")) < 0 ||
	    !(text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER))) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	pg_buf_adds(out, text);
	pg_buf_addch(out, '\n');
	if (pg_buf_failed(out))
		err = pg_error_set(PG_ENOMEM, "out of memory");

cleanup:
	free(text);
	json_decref(doc);
	return err;
}

static int render_text(pg_buf *out, const pg_doctor_report *r, int require_quiet)
{
	int err;

	pg_buf_adds(out, "checking ");
	pg_buf_adds(out, r->cpus.count == 1 ? "CPU " : "CPUs ");
	pg_cpuset_format(out, &r->cpus);
	if (r->cpus_why)
		pg_buf_addf(out, ": what perfgate run would pin to (%s)\n", r->cpus_why);
	else
		pg_buf_adds(out, " (--cpus)\n");
	if ((err = pg_doctor_render(out, r, 0)) < 0)
		return err;
	return pg_doctor_render_summary(out, r, require_quiet);
}

int cmd_doctor(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "cpus", required_argument, NULL, OPT_CPUS },
		{ "require-quiet", no_argument, NULL, OPT_REQUIRE_QUIET },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	pg_doctor_report report;
	pg_cpuset cpus;
	pg_buf out = PG_BUF_INIT;
	int status = PG_EXIT_OK, err, c, have_cpus = 0, require_quiet = 0, json = 0;

	pg_doctor_report_init(&report);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		err = 0;
		switch (c) {
		case OPT_CPUS:
			err = parse_cpus(&cpus, optarg);
			have_cpus = 1;
			break;
		case OPT_REQUIRE_QUIET:
			require_quiet = 1;
			break;
		case OPT_FORMAT:
			if (!strcmp(optarg, "text"))
				json = 0;
			else if (!strcmp(optarg, "json"))
				json = 1;
			else
				err = pg_error_set(PG_EINPUT,
						   "unknown format '%s' (expected text or json)",
						   optarg);
			break;
		case 'h':
			fputs(doctor_usage, stdout);
			status = pg_finish_stdout(PG_EXIT_OK);
			goto cleanup;
		default:
			if (optopt >= OPT_CPUS)
				status = pg_usage_error(doctor_usage,
							"doctor: option '%s' needs a value",
							argv[optind - 1]);
			else
				status = pg_usage_error(doctor_usage,
							"doctor: unknown option '%s'",
							argv[optind - 1]);
			goto cleanup;
		}
		if (err == PG_EINPUT) {
			status = pg_usage_error(doctor_usage, "doctor: %s", pg_error_last());
			goto cleanup;
		}
		if (err < 0) {
			status = pg_die_code(err);
			goto cleanup;
		}
	}
	if (optind < argc) {
		status = pg_usage_error(doctor_usage, "doctor: unexpected argument '%s'",
					argv[optind]);
		goto cleanup;
	}

	if ((err = pg_doctor_run(&report, have_cpus ? &cpus : NULL)) < 0) {
		status = pg_die_code(err);
		goto cleanup;
	}
	err = json ? render_json(&out, &report) : render_text(&out, &report, require_quiet);
	if (err < 0 || (err = pg_buf_failed(&out) ? PG_ENOMEM : 0) < 0) {
		status = pg_die_code(err);
		goto cleanup;
	}
	fwrite(out.ptr, 1, out.len, stdout);
	status = require_quiet && pg_doctor_warnings(&report) ? PG_EXIT_INFRA : PG_EXIT_OK;
	status = pg_finish_stdout(status);

cleanup:
	pg_buf_release(&out);
	pg_doctor_report_release(&report);
	return status;
}
