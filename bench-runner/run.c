#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench-runner/run.h"
#include "common/error.h"
#include "common/file.h"
#include "common/banned.h"

#define DEFAULT_MAX_OUTPUT ((size_t)256 << 20)

void pg_run_result_init(pg_run_result *r)
{
	memset(r, 0, sizeof(*r));
	pg_buf_init(&r->out, 0);
	pg_buf_init(&r->err, 0);
}

void pg_run_result_release(pg_run_result *r)
{
	if (!r)
		return;
	pg_buf_release(&r->out);
	pg_buf_release(&r->err);
}

static double now_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* In the child: set up and exec; on failure write errno to `report` and
 * exit. perfgate is single-threaded, so the child may use the heap. */
static void child_exec(const pg_run_opts *opts, int out_fd, int err_fd,
		       int report, int prio_flag_fd)
{
	int e;

	setpgid(0, 0);
	if (dup2(out_fd, STDOUT_FILENO) < 0 || dup2(err_fd, STDERR_FILENO) < 0)
		goto fail;
	if (opts->cpus && pg_cpus_pin(opts->cpus) < 0)
		goto fail;
	if (opts->cwd && chdir(opts->cwd) < 0)
		goto fail;
	if (opts->nice > 0) {
		int cur;

		errno = 0;
		cur = getpriority(PRIO_PROCESS, 0);
		if (errno == 0 && setpriority(PRIO_PROCESS, 0, cur - opts->nice) == 0) {
			char ok = 1;

			if (write(prio_flag_fd, &ok, 1) < 0) {
				/* the flag is informative only */
			}
		}
	}
	signal(SIGPIPE, SIG_DFL);
	if (opts->envp)
		execvpe(opts->argv[0], opts->argv, opts->envp);
	else
		execvp(opts->argv[0], opts->argv);
fail:
	e = errno;
	if (write(report, &e, sizeof(e)) < 0) {
		/* nothing more to do */
	}
	_exit(127);
}

static int append_capped(pg_buf *b, const char *data, size_t n, size_t keep_tail)
{
	if (keep_tail && b->len + n > keep_tail) {
		/* keep only the last keep_tail bytes */
		if (n >= keep_tail) {
			pg_buf_reset(b);
			return pg_buf_add(b, data + n - keep_tail, keep_tail);
		}
		memmove(b->ptr, b->ptr + (b->len + n - keep_tail), keep_tail - n);
		pg_buf_truncate(b, keep_tail - n);
	}
	return pg_buf_add(b, data, n);
}

int pg_run_process(pg_run_result *out, const pg_run_opts *opts)
{
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 }, rep[2] = { -1, -1 };
	int prio[2] = { -1, -1 };
	size_t max_output = opts->max_output ? opts->max_output : DEFAULT_MAX_OUTPUT;
	double start, deadline;
	pid_t pid = -1;
	int err = 0, wstatus = 0, exec_errno = 0;
	char buf[65536];
	char flag = 0;
	ssize_t n;

	start = now_monotonic();
	deadline = opts->timeout > 0 ? start + opts->timeout : 0;
	if (pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0 ||
	    pipe2(rep, O_CLOEXEC) < 0 || pipe2(prio, O_CLOEXEC) < 0) {
		err = pg_error_set_errno(PG_EINFRA, "cannot create a pipe");
		goto cleanup;
	}
	pid = fork();
	if (pid < 0) {
		err = pg_error_set_errno(PG_EINFRA, "cannot run '%s'", opts->argv[0]);
		goto cleanup;
	}
	if (pid == 0)
		child_exec(opts, outp[1], errp[1], rep[1], prio[1]);
	setpgid(pid, pid); /* also in the parent, so the kill below can't race */
	close_fd(&outp[1]);
	close_fd(&errp[1]);
	close_fd(&rep[1]);
	close_fd(&prio[1]);

	/* exec succeeded when the report pipe closes without data */
	do {
		n = read(rep[0], &exec_errno, sizeof(exec_errno));
	} while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(exec_errno)) {
		waitpid(pid, NULL, 0);
		pid = -1;
		errno = exec_errno;
		err = pg_error_set_errno(PG_EINFRA, "cannot run '%s'", opts->argv[0]);
		goto cleanup;
	}
	if (read(prio[0], &flag, 1) == 1)
		out->priority_raised = 1;

	while (outp[0] >= 0 || errp[0] >= 0) {
		struct pollfd fds[2];
		int nfds = 0, timeout_ms = -1, i;

		if (outp[0] >= 0)
			fds[nfds++] = (struct pollfd){ .fd = outp[0], .events = POLLIN };
		if (errp[0] >= 0)
			fds[nfds++] = (struct pollfd){ .fd = errp[0], .events = POLLIN };
		if (deadline > 0) {
			double left = deadline - now_monotonic();

			if (left <= 0) {
				out->timed_out = 1;
				break;
			}
			timeout_ms = (int)(left * 1000) + 1;
		}
		if (poll(fds, (nfds_t)nfds, timeout_ms) < 0) {
			if (errno == EINTR)
				continue;
			err = pg_error_set_errno(PG_EINFRA, "cannot read the output of '%s'",
						 opts->argv[0]);
			goto cleanup;
		}
		for (i = 0; i < nfds; i++) {
			int is_out = fds[i].fd == outp[0];

			if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(fds[i].fd, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				close_fd(is_out ? &outp[0] : &errp[0]);
				continue;
			}
			if (is_out) {
				if (out->out.len + (size_t)n > max_output) {
					out->output_capped = 1;
					close_fd(&outp[0]);
					close_fd(&errp[0]);
					break;
				}
				if ((err = pg_buf_add(&out->out, buf, (size_t)n)) < 0)
					goto cleanup;
			} else if ((err = append_capped(&out->err, buf, (size_t)n,
							PG_RUN_STDERR_KEEP)) < 0) {
				goto cleanup;
			}
		}
	}
	if (out->timed_out || out->output_capped)
		kill(-pid, SIGKILL);
	while (waitpid(pid, &wstatus, 0) < 0) {
		if (errno != EINTR) {
			err = pg_error_set_errno(PG_EINFRA, "cannot wait for '%s'",
						 opts->argv[0]);
			goto cleanup;
		}
	}
	pid = -1;
	out->elapsed = now_monotonic() - start;
	if (WIFEXITED(wstatus)) {
		out->exited = 1;
		out->status = WEXITSTATUS(wstatus);
	} else if (WIFSIGNALED(wstatus)) {
		out->signaled = 1;
		out->signal = WTERMSIG(wstatus);
	}

cleanup:
	if (pid > 0) {
		kill(-pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	close_fd(&outp[0]);
	close_fd(&outp[1]);
	close_fd(&errp[0]);
	close_fd(&errp[1]);
	close_fd(&rep[0]);
	close_fd(&rep[1]);
	close_fd(&prio[0]);
	close_fd(&prio[1]);
	return err;
}

int pg_run_env_set(char ***out, char *const *envp, const char *name, const char *value)
{
	size_t len = strlen(name), i, n = 0;
	char **v = NULL;
	int err = 0;

	*out = NULL;
	for (i = 0; envp && envp[i] && err == 0; i++)
		if (strncmp(envp[i], name, len) || envp[i][len] != '=')
			err = pg_strv_pushf(&v, &n, "%s", envp[i]);
	if (err == 0)
		err = pg_strv_pushf(&v, &n, "%s=%s", name, value);
	if (err < 0) {
		pg_free_strv(v);
		return err;
	}
	*out = v;
	return 0;
}

int pg_run_succeeded(const pg_run_result *r)
{
	return r->exited && r->status == 0 && !r->timed_out && !r->output_capped;
}

int pg_run_describe(pg_buf *out, const pg_run_result *r, double timeout)
{
	if (r->timed_out)
		pg_buf_addf(out, "timed out after %g s", timeout);
	else if (r->output_capped)
		pg_buf_adds(out, "printed more output than allowed");
	else if (r->signaled)
		pg_buf_addf(out, "was killed by signal %d (%s)", r->signal,
			    strsignal(r->signal));
	else if (r->exited && r->status)
		pg_buf_addf(out, "exited with status %d", r->status);
	else
		pg_buf_adds(out, "exited normally");
	return pg_buf_failed(out) ? PG_ENOMEM : 0;
}
