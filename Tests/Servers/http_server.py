#!/usr/bin/env python3
"""Scriptable HTTP test server playing Slack webhooks, the Matrix client API
and a generic webhook, for mvpipe tests. Python stdlib only.

Usage:
  http_server.py [--port N] [--log FILE] [--token TOKEN] [--script FILE]

  --port 0 (default) binds a free port on 127.0.0.1; the bound port is always
  printed as the first stdout line ("PORT\\n") once the server accepts
  connections. Every request (including control requests) is appended to the
  JSON-lines --log file *before* the response is sent, as one whole line
  (records.py):
    {"method", "path" (raw request target), "headers": [[name, value], ...],
     "body" (UTF-8, invalid bytes replaced), "body_b64"}
  The server exits when stdin reaches EOF (the test process died) or on
  SIGTERM/SIGINT.

Scripting (per path, consumed in order, then the built-in default applies):
  POST /_control/script  {"path": "/slack/x", "responses": [
        {"status": 429, "headers": {"Retry-After": "1"}, "body": "rate_limited",
         "delay": 0.0}, ...]}
    "path" matches the raw path without query; a trailing "*" makes it a
    prefix. "body" may be a string or JSON value (sent as JSON). "delay"
    sleeps before answering (use a large one to simulate a hung server).
    "hold": "NAME" answers only once POST /_control/release {"name": "NAME"}
    arrives (or never): the request is logged first, so a test that sees it in
    the log knows the client is waiting mid-request, for as long as it likes.
  POST /_control/release {"name": "NAME"}  lets held requests answer.
  POST /_control/reset   drops all scripts and Matrix state (releases holds).
  --script FILE          a JSON list of such {"path", "responses"} objects.
  MVP_HTTP_SCRIPT env    same as --script, inline JSON.
  --delay SECONDS        sleep this long before answering every non-control
                         request that has no script (after logging it): a
                         slow receiver, so a test can kill a client mid-request.
  --echo PREFIX=STATUS   (repeatable) answer every unscripted request whose
                         path starts with PREFIX with STATUS and an HTML error
                         page that quotes the request back, as Apache, nginx
                         and Express do: the request target raw and
                         percent-decoded (HTML-escaped), inside a <script>, a
                         <style> and an attribute too, and the request headers
                         (a cut at 200 characters of text lands among them).

Built-in defaults:
  POST /slack/ok                 200 "ok"
  POST /slack/ratelimit-once     429 Retry-After: 1 "rate_limited" once, then 200 "ok"
  POST /slack/error-once         500 "internal_error" once, then 200 "ok"
  POST /slack/notfound           404 "no_service"
  POST /slack/<anything else>    200 "ok"
  PUT  /_matrix/client/v3/rooms/{roomId}/send/m.room.message/{txnId}
       needs "Authorization: Bearer <token>" (401 M_MISSING_TOKEN /
       M_UNKNOWN_TOKEN otherwise); returns {"event_id": "$..."}; the same
       (roomId, txnId) always returns the same event id.
  PUT  .../send/m.room.message/{txnId} on a room whose id contains
       "ratelimit-once": first call 429 M_LIMIT_EXCEEDED retry_after_ms=500.
  *    /hook...                      200 {"ok": true}
  anything else                  404 "not_found"
"""

import argparse
import base64
import html
import json
import os
import re
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from records import append_record

LOCK = threading.Lock()
STATE = {"scripts": {}, "events": {}, "seen": {}, "counter": 0, "holds": {}}
LOG_PATH = None
TOKEN = "TOKEN"
DELAY = 0.0
ECHO = []  # (prefix, status)

MATRIX_SEND = re.compile(r"^/_matrix/client/v3/rooms/([^/]+)/send/m\.room\.message/([^/]+)$")


def add_script(path, responses):
    with LOCK:
        STATE["scripts"][path] = list(responses)


def next_scripted(path):
    with LOCK:
        queue = STATE["scripts"].get(path)
        if not queue:
            for key, q in STATE["scripts"].items():
                if key.endswith("*") and path.startswith(key[:-1]) and q:
                    queue = q
                    break
        if queue:
            return queue.pop(0)
    return None


def hold(name):
    """The event a request held under `name` waits for."""
    with LOCK:
        return STATE["holds"].setdefault(name, threading.Event())


def first_time(key):
    """True the first time `key` is seen."""
    with LOCK:
        n = STATE["seen"].get(key, 0)
        STATE["seen"][key] = n + 1
        return n == 0


def record(entry):
    if not LOG_PATH:
        return
    with LOCK:
        append_record(LOG_PATH, entry)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "mvpipe-test-http/1"

    def log_message(self, fmt, *args):  # keep stderr quiet
        pass

    def read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def respond(self, status, headers=None, body=b""):
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            headers = dict(headers or {})
            headers.setdefault("Content-Type", "application/json")
        elif isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        items = headers.items() if isinstance(headers, dict) else (headers or [])
        for name, value in items:
            self.send_header(name, str(value))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()

    def handle_any(self):
        body = self.read_body()
        record({
            "method": self.command,
            "path": self.path,
            "headers": [[k, v] for k, v in self.headers.items()],
            "body": body.decode("utf-8", errors="replace"),
            "body_b64": base64.b64encode(body).decode(),
        })
        path = self.path.split("?", 1)[0]

        if path.startswith("/_control/"):
            return self.control(path, body)

        scripted = next_scripted(path)
        if scripted is not None:
            if scripted.get("hold"):
                hold(str(scripted["hold"])).wait()
            delay = float(scripted.get("delay", 0) or 0)
            if delay:
                time.sleep(delay)
            return self.respond(int(scripted.get("status", 200)), scripted.get("headers"),
                                scripted.get("body", ""))
        if DELAY:
            time.sleep(DELAY)
        for prefix, status in ECHO:
            if path.startswith(prefix):
                return self.echo(status)
        return self.default(path)

    def echo(self, status):
        """An HTML error page that quotes the request (target, decoded path, headers) back."""
        target = self.path
        decoded = urllib.parse.unquote(target)
        reason = self.responses.get(status, ("Error",))[0]
        esc = html.escape
        headers = "\n".join("%s: %s" % (k, v) for k, v in self.headers.items())
        padding = "The server could not complete the request. " * 5
        body = (
            '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n'
            "<html><head><title>%d %s</title>\n" % (status, esc(reason))
            + "<style>/* %s */ body { font-family: sans-serif }</style>\n" % esc(target)
            + '<script>var requested = "%s";</script></head>\n' % target.replace('"', "")
            + "<body><h1>%s</h1>\n" % esc(reason)
            + "<p>The requested URL %s was not found on this server.</p>\n" % esc(decoded)
            + "<p>Request headers:</p><pre>%s</pre>\n" % esc(headers)
            + "<p>%s</p>\n" % padding
            + '<pre>Cannot %s <a href="%s">%s</a></pre>\n' % (esc(self.command), esc(target), esc(target))
            + "<hr><address>Apache/2.4.57 (Debian) Server at 127.0.0.1</address>\n</body></html>\n"
        )
        return self.respond(status, {"Content-Type": "text/html; charset=iso-8859-1"}, body)

    def control(self, path, body):
        if path == "/_control/script" and self.command == "POST":
            spec = json.loads(body or b"{}")
            add_script(spec["path"], spec.get("responses", []))
            return self.respond(200, None, {"ok": True})
        if path == "/_control/release" and self.command == "POST":
            hold(str(json.loads(body or b"{}")["name"])).set()
            return self.respond(200, None, {"ok": True})
        if path == "/_control/reset" and self.command == "POST":
            with LOCK:
                for event in STATE["holds"].values():
                    event.set()
                STATE.update({"scripts": {}, "events": {}, "seen": {}, "holds": {}})
            return self.respond(200, None, {"ok": True})
        return self.respond(404, None, "unknown control endpoint")

    def default(self, path):
        if path.startswith("/slack/"):
            if path == "/slack/notfound":
                return self.respond(404, {"Content-Type": "text/plain"}, "no_service")
            if path == "/slack/ratelimit-once" and first_time(path):
                return self.respond(429, {"Retry-After": "1", "Content-Type": "text/plain"}, "rate_limited")
            if path == "/slack/error-once" and first_time(path):
                return self.respond(500, {"Content-Type": "text/plain"}, "internal_error")
            return self.respond(200, {"Content-Type": "text/plain"}, "ok")

        m = MATRIX_SEND.match(path)
        if m and self.command == "PUT":
            auth = self.headers.get("Authorization")
            if not auth:
                return self.respond(401, None, {"errcode": "M_MISSING_TOKEN", "error": "Missing access token"})
            if auth != "Bearer " + TOKEN:
                return self.respond(401, None, {"errcode": "M_UNKNOWN_TOKEN", "error": "Unknown access token"})
            room = urllib.parse.unquote(m.group(1))
            txn = urllib.parse.unquote(m.group(2))
            if "ratelimit-once" in room and first_time(("matrix429", room, txn)):
                return self.respond(429, None, {"errcode": "M_LIMIT_EXCEEDED",
                                                "error": "Too many requests", "retry_after_ms": 500})
            with LOCK:
                key = (room, txn)
                if key not in STATE["events"]:
                    STATE["counter"] += 1
                    STATE["events"][key] = "$event%d:%s" % (STATE["counter"], room.split(":", 1)[-1])
                event_id = STATE["events"][key]
            return self.respond(200, None, {"event_id": event_id})

        if path.startswith("/hook"):
            return self.respond(200, None, {"ok": True})
        return self.respond(404, {"Content-Type": "text/plain"}, "not_found")

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = handle_any


def watch_stdin():
    """Exit when the parent closes our stdin (or dies)."""
    try:
        while sys.stdin.buffer.read(4096):
            pass
    except Exception:
        pass
    os._exit(0)


def main():
    global LOG_PATH, TOKEN, DELAY, ECHO
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--log")
    ap.add_argument("--token", default=os.environ.get("MVP_MATRIX_TOKEN", "TOKEN"))
    ap.add_argument("--script")
    ap.add_argument("--delay", type=float, default=0.0)
    ap.add_argument("--no-stdin-watch", action="store_true")
    ap.add_argument("--echo", action="append", default=[])
    args = ap.parse_args()
    LOG_PATH = args.log
    TOKEN = args.token
    DELAY = args.delay
    for spec in args.echo:
        prefix, status = spec.rsplit("=", 1)
        ECHO.append((prefix, int(status)))
    scripts = []
    if args.script:
        with open(args.script) as f:
            scripts += json.load(f)
    if os.environ.get("MVP_HTTP_SCRIPT"):
        scripts += json.loads(os.environ["MVP_HTTP_SCRIPT"])
    for spec in scripts:
        add_script(spec["path"], spec.get("responses", []))

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    if not args.no_stdin_watch:
        threading.Thread(target=watch_stdin, daemon=True).start()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
