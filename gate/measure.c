#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bench-runner/doctor.h"
#include "common/error.h"
#include "gate/measure.h"
#include "common/banned.h"

int pg_measure_resolve(pg_measure_mode *out, pg_buf *why, pg_measure_mode mode)
{
	int err, probe = 0;

	if (mode != PG_MEASURE_AUTO) {
		*out = mode;
		return 0;
	}
	if ((err = pg_doctor_probe_instructions(&probe)) < 0)
		return pg_error_prefix(err, "--measure auto");
	if (probe == 0)
		pg_buf_adds(why, "the hardware instruction counter is available");
	else if (probe == EACCES || probe == EPERM)
		pg_buf_addf(why, "opening the hardware instruction counter is denied "
			    "(perf_event_open: %s)", strerror(probe));
	else
		pg_buf_addf(why, "no hardware instruction counter (perf_event_open: %s)",
			    strerror(probe));
	if (pg_buf_failed(why))
		return pg_error_set(PG_ENOMEM, "out of memory");
	*out = probe == 0 ? PG_MEASURE_TIME : PG_MEASURE_CALLGRIND;
	return 0;
}

void pg_measure_announce(const char *cmd, pg_measure_mode mode, const char *why)
{
	fprintf(stderr, "perfgate %s: --measure auto: %s: %s\n", cmd, why,
		mode == PG_MEASURE_CALLGRIND ? "counting instructions under callgrind" :
		"measuring time natively (instructions/op from the counter beside it)");
}
