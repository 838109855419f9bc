#!/usr/bin/env python3
"""aiosmtpd-based SMTP test server for mvpipe tests.
Needs Debian's python3-aiosmtpd (run with /usr/bin/python3).

Usage:
  smtp_server.py [--port N] [--log FILE] [--cert PEM --key PEM]
                 [--user U --password P] [--reject-rcpt CODE] [--reject-data CODE]

  --port 0 (default) binds a free port on 127.0.0.1; the bound port is
  printed as the first stdout line once the server accepts connections.
  --cert/--key      enable STARTTLS (mandatory before MAIL/AUTH when given).
                    Without them the server offers no STARTTLS at all.
  --implicit-tls    with --cert/--key: TLS from the first byte (smtps://)
                    instead of STARTTLS.
  --user/--password enable AUTH PLAIN/LOGIN and require it before MAIL.
                    With STARTTLS, AUTH is only offered after STARTTLS.
  --reject-rcpt 450 answer every RCPT TO with that code (4xx or 5xx).
  --reject-data 554 answer the end of DATA with that code.
  Each accepted message is appended to the JSON-lines --log file as one whole
  line (records.py), before the server answers the end of DATA:
    {"mail_from", "rcpt_tos": [...], "data" (UTF-8, replaced),
     "data_b64", "tls": bool, "auth_user"}
  Exits on stdin EOF (parent died) or SIGTERM/SIGINT.
"""

import argparse
import asyncio
import base64
import os
import signal
import ssl
import sys
import threading

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

from records import append_record


class Handler:
    def __init__(self, args):
        self.args = args

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        code = self.args.reject_rcpt
        if code:
            kind = "temporarily" if code < 500 else "permanently"
            return "%d Recipient <%s> %s rejected by test server" % (code, address, kind)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        code = self.args.reject_data
        if code:
            return "%d Message rejected by test server" % code
        raw = envelope.original_content if envelope.original_content is not None else envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", errors="surrogateescape")
        auth = session.auth_data
        entry = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "data": raw.decode("utf-8", errors="replace"),
            "data_b64": base64.b64encode(raw).decode(),
            "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
            "auth_user": auth.login.decode() if isinstance(auth, LoginPassword) else None,
        }
        if self.args.log:
            append_record(self.args.log, entry)
        return "250 Message accepted for delivery"


def make_authenticator(user, password):
    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login == user.encode()
              and auth_data.password == password.encode())
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)
    return authenticator


def watch_stdin(loop, stop):
    try:
        while sys.stdin.buffer.read(4096):
            pass
    except Exception:
        pass
    loop.call_soon_threadsafe(stop.set)


async def amain(args):
    loop = asyncio.get_running_loop()
    tls_context = None
    if args.cert:
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(args.cert, args.key)
    auth = bool(args.user)
    handler = Handler(args)

    def factory():
        return SMTP(
            handler,
            hostname="localhost",
            tls_context=None if args.implicit_tls else tls_context,
            require_starttls=tls_context is not None and not args.implicit_tls,
            authenticator=make_authenticator(args.user, args.password) if auth else None,
            auth_required=auth,
            # aiosmtpd only counts STARTTLS as TLS for this check; with
            # implicit TLS the whole session is encrypted anyway.
            auth_require_tls=tls_context is not None and not args.implicit_tls,
        )

    server = await loop.create_server(factory, host="127.0.0.1", port=args.port,
                                      ssl=tls_context if args.implicit_tls else None)
    port = server.sockets[0].getsockname()[1]
    print(port, flush=True)

    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if not args.no_stdin_watch:
        threading.Thread(target=watch_stdin, args=(loop, stop), daemon=True).start()
    await stop.wait()
    server.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--log")
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--user")
    ap.add_argument("--password", default="")
    ap.add_argument("--reject-rcpt", type=int, default=0)
    ap.add_argument("--reject-data", type=int, default=0)
    ap.add_argument("--implicit-tls", action="store_true")
    ap.add_argument("--no-stdin-watch", action="store_true")
    args = ap.parse_args()
    if bool(args.cert) != bool(args.key):
        ap.error("--cert and --key go together")
    if args.implicit_tls and not args.cert:
        ap.error("--implicit-tls needs --cert/--key")
    asyncio.run(amain(args))
    os._exit(0)


if __name__ == "__main__":
    main()
