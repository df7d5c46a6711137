/*
 * The instruction counter: a perf_event_open(2) hardware counter of
 * user-space instructions retired by the calling thread, enabled only
 * while a benchmark's timer runs. Where the kernel refuses
 * (perf_event_paranoid), the CPU (or a virtual CPU) has no such counter,
 * or the counter opens but never counts, open() fails with the reason and
 * the harness prints one configuration line instead of a figure. A read
 * of an event that was never scheduled fails too (no figure, one note),
 * never a count of 0.
 */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#ifdef __linux__
#include <linux/perf_event.h>
#endif

#include "internal.h"

int pg_bench_counter_value(uint64_t *out, const uint64_t v[3])
{
	if (v[2] == 0)
		return -1; /* never scheduled: v[0] is no count */
	if (v[2] >= v[1])
		*out = v[0];
	else
		*out = (uint64_t)((long double)v[0] * (long double)v[1] /
				  (long double)v[2]);
	return 0;
}

#if defined(__linux__) && defined(SYS_perf_event_open)

static int perf_fd = -1;

static int perf_read(uint64_t *out)
{
	uint64_t v[3]; /* value, time enabled, time running */
	ssize_t got;

	if (perf_fd < 0)
		return -1;
	got = read(perf_fd, v, sizeof(v));
	if (got != (ssize_t)sizeof(v))
		return -1;
	return pg_bench_counter_value(out, v);
}

static void perf_enable(void)
{
	if (perf_fd >= 0)
		ioctl(perf_fd, PERF_EVENT_IOC_ENABLE, 0);
}

static void perf_disable(void)
{
	if (perf_fd >= 0)
		ioctl(perf_fd, PERF_EVENT_IOC_DISABLE, 0);
}

static void perf_close(void)
{
	if (perf_fd >= 0)
		close(perf_fd);
	perf_fd = -1;
}

/* /proc/sys/kernel/perf_event_paranoid, or INT_MIN. */
static int read_paranoid(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
	int v;

	if (!f)
		return INT_MIN;
	if (fscanf(f, "%d", &v) != 1)
		v = INT_MIN;
	fclose(f);
	return v;
}

static int perf_open(char *why, size_t cap)
{
	struct perf_event_attr attr;
	volatile uint64_t sink = 0;
	uint64_t v[3];
	long fd;
	int i;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_HARDWARE;
	attr.config = PERF_COUNT_HW_INSTRUCTIONS;
	attr.disabled = 1;
	attr.exclude_kernel = 1;
	attr.exclude_hv = 1;
	attr.read_format = PERF_FORMAT_TOTAL_TIME_ENABLED |
			   PERF_FORMAT_TOTAL_TIME_RUNNING;
	fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		int paranoid = read_paranoid();

		if ((e == EACCES || e == EPERM) && paranoid != INT_MIN)
			snprintf(why, cap, "perf_event_open: %s; kernel.perf_event_paranoid is %d",
				 strerror(e), paranoid);
		else
			snprintf(why, cap, "perf_event_open: %s", strerror(e));
		return -1;
	}
	perf_fd = (int)fd;

	/* Does it count? Some virtual machines open the event and then never
	 * schedule it. */
	ioctl(perf_fd, PERF_EVENT_IOC_ENABLE, 0);
	for (i = 0; i < 1000; i++)
		sink += (uint64_t)i;
	ioctl(perf_fd, PERF_EVENT_IOC_DISABLE, 0);
	(void)sink;
	if (read(perf_fd, v, sizeof(v)) != (ssize_t)sizeof(v)) {
		int e = errno;

		snprintf(why, cap, "reading the perf_event counter: %s", strerror(e));
		perf_close();
		return -1;
	}
	if (v[0] == 0 || v[2] == 0) {
		snprintf(why, cap, "the perf_event counter does not count");
		perf_close();
		return -1;
	}
	/* Start every benchmark process from zero. */
	ioctl(perf_fd, PERF_EVENT_IOC_RESET, 0);
	return 0;
}

#else

static int perf_open(char *why, size_t cap)
{
	snprintf(why, cap, "perf_event_open: not available on this system");
	return -1;
}

static void perf_enable(void)
{
}

static void perf_disable(void)
{
}

static int perf_read(uint64_t *out)
{
	(void)out;
	return -1;
}

static void perf_close(void)
{
}

#endif

static const pg_bench_counter_ops perf_ops = {
	perf_open, perf_enable, perf_disable, perf_read, perf_close,
};

static const pg_bench_counter_ops *counter_ops = &perf_ops;

const pg_bench_counter_ops *pg_bench_counter_perf(void)
{
	return &perf_ops;
}

void pg_bench_set_counter(const pg_bench_counter_ops *ops)
{
	counter_ops = ops ? ops : &perf_ops;
}

const pg_bench_counter_ops *pg_bench_counter(void)
{
	return counter_ops;
}
