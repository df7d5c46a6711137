#!/usr/bin/python3
"""A fault-injecting HTTP store for perfgate's failure tests.

Debian's /usr/bin/python3, standard library only. Listens on 127.0.0.1 on a
free port. The first path component chooses the behaviour, the rest is the
object's name, so one server serves every scenario of a test run:

  /ok/KEY            a simple in-memory store: PUT stores (201, or 204 when
                     replacing), GET and HEAD return (404 when absent),
                     DELETE removes (204; 404 when absent), PROPFIND lists
                     (Depth 0 or 1, a WebDAV multistatus), MKCOL 201,
                     OPTIONS 200
  /fail-N-CODE/KEY   answers CODE (e.g. 500, 503, 429) to the first N
                     requests for this path, then behaves as /ok/
  /status-CODE/KEY   always answers CODE
  /slow-SEC/KEY      sleeps SEC seconds (a decimal number), then behaves as
                     /ok/
  /close/KEY         reads the request and closes the connection without
                     answering
  /auth/KEY          401 (WWW-Authenticate: Basic) unless the request has
                     one of the headers given with --accept-header, then
                     behaves as /ok/
  /corrupt/KEY       behaves as /ok/, but GET serves the stored object with
                     its first byte inverted (same length, different
                     content)
  /cut-N/KEY         behaves as /ok/, but the first N GETs of this path
                     send the whole Content-Length and only the first half
                     of the object, then close the connection
  /nodav-CODE/KEY    behaves as /ok/, but answers CODE (405, 501; 404 as
                     GitLab's generic packages do) to PROPFIND and OPTIONS,
                     like a store without WebDAV (Nexus raw, GitLab)

Objects are keyed by the whole path, so /ok/a and /corrupt/a are different
objects. Every request (the control endpoints aside) is counted and
recorded with its headers:

  GET  /__count?path=/fail-1-500/k   how many requests for that path (all
                                     methods), as text: "2"
  GET  /__stats                      JSON: {"total": N, "paths": {PATH: N},
                                     "methods": {"PUT PATH": N}}
  GET  /__requests                   JSON list of {"method", "path",
                                     "headers"} in arrival order
  POST /__reset                      forget the counts, the recorded
                                     requests and the objects

Usage:
  faults.py start DIR [--accept-header 'Name: value']...
      start in the background; DIR must be absent or empty. Writes DIR/pid,
      DIR/port, DIR/log (one line per request) and DIR/env:
          FAULTS_URL=http://127.0.0.1:PORT   FAULTS_PORT=PORT
      and prints the URL.
  faults.py stop DIR
      stop the server started in DIR (SIGTERM, then SIGKILL after 10 s).
  faults.py serve --dir DIR [--accept-header 'Name: value']...
      run in the foreground (what start runs).
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

MAX_BODY = 1 << 30


class State:
    def __init__(self, accept_headers):
        self.lock = threading.Lock()
        self.accept = accept_headers  # [(lowercase name, value)]
        self.reset()

    def reset(self):
        self.objects = {}
        self.counts = {}
        self.methods = {}
        self.requests = []
        self.total = 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "perfgate-faults/1"

    def log_message(self, format, *args):  # one line per request, to DIR/log
        sys.stdout.write("%s\n" % (format % args))
        sys.stdout.flush()

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            data = bytearray()
            while True:
                line = self.rfile.readline(1024)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(data)
                if len(data) + size > MAX_BODY:
                    raise ValueError("body too large")
                data += self.rfile.read(size)
                self.rfile.readline(1024)
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError("body too large")
        return self.rfile.read(length) if length > 0 else b""

    def reply(self, code, body=b"", headers=None, send_body=True):
        self.send_response(code)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if "Content-Length" not in (headers or {}):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body and self.command != "HEAD" and body:
            self.wfile.write(body)

    def text(self, code, message):
        self.reply(code, (message + "\n").encode(), {"Content-Type": "text/plain"})

    def handle_any(self):
        state = self.server.state
        try:
            body = self.read_body()
        except (ValueError, OSError):
            self.close_connection = True
            self.text(400, "bad request body")
            return
        url = urlsplit(self.path)
        path = url.path
        if path.startswith("/__"):
            self.control(path, parse_qs(url.query), body)
            return
        with state.lock:
            state.total += 1
            n = state.counts[path] = state.counts.get(path, 0) + 1
            mk = "%s %s" % (self.command, path)
            state.methods[mk] = state.methods.get(mk, 0) + 1
            state.requests.append({"method": self.command, "path": path,
                                   "headers": {k: v for k, v in self.headers.items()}})
        mode = path.split("/")[1] if path.count("/") >= 2 else ""
        m = re.fullmatch(r"fail-(\d+)-(\d{3})", mode)
        if m:
            if n <= int(m.group(1)):
                self.text(int(m.group(2)), "injected failure %d of %s" % (n, m.group(1)))
                return
            self.store(path, body)
            return
        m = re.fullmatch(r"status-(\d{3})", mode)
        if m:
            self.text(int(m.group(1)), "injected status")
            return
        m = re.fullmatch(r"slow-(\d+(?:\.\d+)?)", mode)
        if m:
            time.sleep(float(m.group(1)))
            self.store(path, body)
            return
        if mode == "close":
            self.close_connection = True
            return
        if mode == "auth":
            got = {k.lower(): v for k, v in self.headers.items()}
            if not any(got.get(name) == value for name, value in state.accept):
                self.reply(401, b"authentication required\n",
                           {"Content-Type": "text/plain",
                            "WWW-Authenticate": 'Basic realm="faults"'})
                return
            self.store(path, body)
            return
        m = re.fullmatch(r"cut-(\d+)", mode)
        if m:
            with state.lock:
                gets = state.methods.get("GET " + path, 0)
            self.store(path, body, cut=(self.command == "GET" and gets <= int(m.group(1))))
            return
        m = re.fullmatch(r"nodav-(\d{3})", mode)
        if m:
            if self.command in ("PROPFIND", "OPTIONS"):
                self.text(int(m.group(1)), "no WebDAV here")
                return
            self.store(path, body)
            return
        if mode in ("ok", "corrupt"):
            self.store(path, body, corrupt=(mode == "corrupt"))
            return
        self.text(404, "unknown mode '%s' (see tests/servers/faults.py)" % mode)

    def store(self, path, body, corrupt=False, cut=False):
        state = self.server.state
        cmd = self.command
        if cmd == "PUT":
            if path.endswith("/"):
                self.text(405, "cannot PUT a collection")
                return
            with state.lock:
                existed = path in state.objects
                state.objects[path] = body
            self.reply(204 if existed else 201)
        elif cmd in ("GET", "HEAD"):
            with state.lock:
                data = state.objects.get(path)
            if data is None:
                self.text(404, "no such object")
                return
            if corrupt and data:
                data = bytes([data[0] ^ 0xFF]) + data[1:]
            headers = {"Content-Type": "application/octet-stream",
                       "Content-Length": str(len(data))}
            if cut and cmd == "GET":
                self.close_connection = True
                self.reply(200, data[:len(data) // 2], headers)
                return
            self.reply(200, data, headers)
        elif cmd == "DELETE":
            with state.lock:
                existed = state.objects.pop(path, None) is not None
            self.reply(204) if existed else self.text(404, "no such object")
        elif cmd == "PROPFIND":
            self.propfind(path)
        elif cmd == "MKCOL":
            self.reply(201)
        elif cmd == "OPTIONS":
            self.reply(200, headers={"Allow": "GET, HEAD, PUT, DELETE, PROPFIND, MKCOL, OPTIONS",
                                     "DAV": "1"})
        else:
            self.text(405, "method not allowed")

    def propfind(self, path):
        state = self.server.state
        depth = self.headers.get("Depth", "infinity")
        if depth not in ("0", "1"):
            self.text(403, "PROPFIND with Depth: %s is not supported" % depth)
            return
        with state.lock:
            objects = dict(state.objects)
        entries = []  # (href, size or None for a collection)
        if path in objects:
            entries.append((path, len(objects[path])))
        else:
            base = path if path.endswith("/") else path + "/"
            children = {}
            for key, data in objects.items():
                if key.startswith(base):
                    rest = key[len(base):]
                    if "/" in rest:
                        children[base + rest.split("/")[0] + "/"] = None
                    else:
                        children[key] = len(data)
            if not children:
                self.text(404, "no such collection")
                return
            entries.append((base, None))
            if depth == "1":
                entries.extend(sorted(children.items()))
        out = ['<?xml version="1.0" encoding="utf-8"?>', '<D:multistatus xmlns:D="DAV:">']
        for href, size in entries:
            prop = ("<D:resourcetype><D:collection/></D:resourcetype>" if size is None else
                    "<D:resourcetype/><D:getcontentlength>%d</D:getcontentlength>" % size)
            out.append("<D:response><D:href>%s</D:href><D:propstat><D:prop>%s</D:prop>"
                       "<D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>"
                       % (href, prop))
        out.append("</D:multistatus>")
        self.reply(207, ("\n".join(out) + "\n").encode(),
                   {"Content-Type": 'application/xml; charset="utf-8"'})

    def control(self, path, query, body):
        state = self.server.state
        with state.lock:
            if path == "/__count" and self.command == "GET":
                p = query.get("path", [""])[0]
                self.text(200, str(state.counts.get(p, 0)))
            elif path == "/__stats" and self.command == "GET":
                doc = {"total": state.total, "paths": state.counts, "methods": state.methods}
                self.reply(200, json.dumps(doc, indent=1, sort_keys=True).encode(),
                           {"Content-Type": "application/json"})
            elif path == "/__requests" and self.command == "GET":
                self.reply(200, json.dumps(state.requests, indent=1).encode(),
                           {"Content-Type": "application/json"})
            elif path == "/__reset" and self.command == "POST":
                state.reset()
                self.text(200, "reset")
            else:
                self.text(404, "unknown control request %s %s" % (self.command, path))

    do_GET = do_HEAD = do_PUT = do_DELETE = do_POST = handle_any
    do_PROPFIND = do_MKCOL = do_OPTIONS = handle_any


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # a client that gave up (timeout) while we slept: not an error
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


def parse_accept(values):
    out = []
    for v in values or []:
        name, sep, value = v.partition(":")
        if not sep or not name.strip():
            sys.exit("faults.py: --accept-header wants 'Name: value', not '%s'" % v)
        out.append((name.strip().lower(), value.strip()))
    return out


def write_atomic(path, text):
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)


def serve(args):
    state = State(parse_accept(args.accept_header))
    server = Server(("127.0.0.1", 0), Handler)
    server.state = state
    port = server.server_address[1]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    write_atomic(os.path.join(args.dir, "pid"), "%d\n" % os.getpid())
    write_atomic(os.path.join(args.dir, "port"), "%d\n" % port)
    print("faults: listening on http://127.0.0.1:%d" % port, flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is not alive
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def start(args):
    d = args.dir
    if os.path.exists(d) and os.listdir(d):
        sys.exit("faults.py: '%s' is not empty" % d)
    os.makedirs(d, exist_ok=True)
    d = os.path.abspath(d)
    cmd = [sys.executable, os.path.abspath(__file__), "serve", "--dir", d]
    for h in args.accept_header or []:
        cmd += ["--accept-header", h]
    with open(os.path.join(d, "log"), "w") as log:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                start_new_session=True)
    port_file = os.path.join(d, "port")
    deadline = time.monotonic() + 10
    while not os.path.exists(port_file):
        if proc.poll() is not None or time.monotonic() > deadline:
            if proc.poll() is None:
                proc.kill()
            sys.stderr.write(open(os.path.join(d, "log")).read())
            sys.exit("faults.py: the server did not start")
        time.sleep(0.05)
    port = int(open(port_file).read())
    write_atomic(os.path.join(d, "env"),
                 "FAULTS_URL='http://127.0.0.1:%d'\nFAULTS_PORT=%d\n" % (port, port))
    print("faults: http://127.0.0.1:%d (pid %d, env in %s/env)" % (port, proc.pid, d))


def stop(args):
    pid_file = os.path.join(args.dir, "pid")
    try:
        pid = int(open(pid_file).read())
    except (OSError, ValueError):
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = time.monotonic() + 10
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if alive(pid):
        print("faults.py: process %d did not stop on SIGTERM; killing it" % pid, file=sys.stderr)
        os.kill(pid, signal.SIGKILL)
    os.unlink(pid_file)


def main():
    p = argparse.ArgumentParser(description="fault-injecting HTTP store for perfgate's tests")
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("start", "serve"):
        s = sub.add_parser(name)
        if name == "start":
            s.add_argument("dir")
        else:
            s.add_argument("--dir", required=True)
        s.add_argument("--accept-header", action="append", metavar="'NAME: VALUE'",
                       help="a header that /auth/ accepts (repeatable)")
    s = sub.add_parser("stop")
    s.add_argument("dir")
    args = p.parse_args()
    {"start": start, "serve": serve, "stop": stop}[args.cmd](args)


if __name__ == "__main__":
    main()
