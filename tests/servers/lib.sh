# Shared helpers of the test servers' start/stop scripts (sourced, POSIX sh).
# The sourcing script sets SRV_NAME (for messages).
#
# srv_die MESSAGE...         print "SRV_NAME: MESSAGE" on stderr, exit 1
# srv_free_port              print a TCP port of 127.0.0.1 that nothing
#                            listens on now (the kernel's choice)
# srv_random_hex N           N random bytes as hex
# srv_alive PID              whether PID runs (a zombie does not)
# srv_wait_file FILE SECONDS PID
#                            wait until FILE is non-empty; fails (1) when
#                            PID has died or SECONDS have passed
# srv_stop_pid_file FILE     TERM the process whose pid FILE holds, wait up
#                            to 10 s for it to go, then KILL it; removes
#                            FILE; nothing to do without FILE
# srv_check_dir DIR          DIR must be absent or empty; creates it

: "${PYTHON:=/usr/bin/python3}"

srv_die() {
	echo "$SRV_NAME: $*" >&2
	exit 1
}

srv_free_port() {
	"$PYTHON" -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

srv_random_hex() {
	od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'
}

srv_alive() {
	kill -0 "$1" 2>/dev/null || return 1
	# a child that died is a zombie until its parent waits for it
	_state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
	[ "$_state" != Z ]
}

srv_wait_file() {
	_n=$(($2 * 10))
	while [ ! -s "$1" ]; do
		if [ -n "${3:-}" ] && ! srv_alive "$3"; then
			return 1
		fi
		_n=$((_n - 1))
		[ "$_n" -gt 0 ] || return 1
		sleep 0.1
	done
	return 0
}

srv_stop_pid_file() {
	[ -s "$1" ] || return 0
	_pid=$(cat "$1")
	case "$_pid" in '' | *[!0-9]*) rm -f "$1"; return 0 ;; esac
	if kill -TERM "$_pid" 2>/dev/null; then
		_n=100
		while srv_alive "$_pid" && [ "$_n" -gt 0 ]; do
			sleep 0.1
			_n=$((_n - 1))
		done
		if srv_alive "$_pid"; then
			echo "$SRV_NAME: process $_pid did not stop on SIGTERM; killing it" >&2
			kill -KILL "$_pid" 2>/dev/null
		fi
	fi
	rm -f "$1"
}

srv_check_dir() {
	if [ -e "$1" ] && [ -n "$(ls -A "$1" 2>/dev/null)" ]; then
		srv_die "'$1' is not empty"
	fi
	mkdir -p "$1" || srv_die "cannot create '$1'"
}
