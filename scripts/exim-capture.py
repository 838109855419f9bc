#!/usr/bin/python3
"""Helper of scripts/exim-capture.sh (the Exim lab for the exim-log fixtures).

  exim-capture.py sink --port P --state FILE
      An aiosmtpd sink on 127.0.0.1:P standing in for the smarthost. It rejects RCPT of
      nosuch*@ with 550, answers 451 to slow@ the first two times and accepts it the third
      time, accepts everything else. FILE (JSON) tells the capture script how far it got.

  exim-capture.py send --truth FILE --run NAME ...
      Sends the scenario to the Exim daemon (swaks and smtplib over loopback, and local
      submissions with the Exim binary as the user www-data), and writes FILE: what was
      sent, written from the scenario, never from the log.

Debian 12's python3 and python3-aiosmtpd; the rest is the standard library.
"""
import argparse
import asyncio
import datetime
import json
import os
import signal
import smtplib
import ssl
import subprocess
import sys
import threading
import zoneinfo

PASSWORDS = {  # the lab's fixed test passwords (crypted into the passwd file by the shell script)
    "alice@example.org": "alice-pw",
    "bob@example.org": "bob-pw",
    "carol": "carol-pw",
    "dave smith": "dave-pw",       # a login with a space (Exim logs it as it is)
}
DOMAIN = "example.org"
# What the aliases file says (the capture script writes it from this table, too).
ALIASES = {
    "list": ["alice", "bob", "carol"],
    "team": ["t1@remote.test", "t2@remote.test", "alice"],
    "devnull": [":blackhole:"],
    "staff": ["list", "t3@remote.test"],
}
MAILBOXES = ["alice", "bob", "carol", "sales", "postmaster"]
# Recipients that fail for good, so that Exim sends a bounce (<= <>) to the sender.
BOUNCING = ["ghost@example.org", "nosuch@remote.test"]


# ---------------------------------------------------------------------------------------------
# sink

class SinkHandler:
    def __init__(self, state_path):
        self.state_path = state_path
        self.state = {"slowAttempts": 0, "nosuchRejects": 0, "messages": []}
        self.lock = threading.Lock()
        self.save()

    def save(self):
        tmp = self.state_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.state, f, indent=1)
        os.replace(tmp, self.state_path)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.rsplit("@", 1)[0].lower()
        with self.lock:
            if local.startswith("nosuch"):
                self.state["nosuchRejects"] += 1
                self.save()
                return "550 5.1.1 <%s>: Recipient address rejected: User unknown" % address
            if local == "slow":
                self.state["slowAttempts"] += 1
                self.save()
                if self.state["slowAttempts"] <= 2:
                    return "451 4.3.0 <%s>: Temporary lookup failure, try again later" % address
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            n = len(self.state["messages"]) + 1
            self.state["messages"].append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos)})
            self.save()
        return "250 2.0.0 Ok: queued as SINK%d" % n


def run_sink(args):
    from aiosmtpd.controller import Controller
    handler = SinkHandler(args.state)
    controller = Controller(handler, hostname="127.0.0.1", port=args.port, server_hostname="sink.remote.test")
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    controller.stop()


# ---------------------------------------------------------------------------------------------
# sender

class Scenario:
    def __init__(self, args):
        self.args = args
        self.tz = zoneinfo.ZoneInfo(args.timezone)
        self.messages = []
        self.failed_logins = []
        self.rejected = []
        self.swaks_log = open(args.swaks_log, "a")

    def now(self):
        return datetime.datetime.now(self.tz)

    def record(self, session, tool, port, tls, direction, sender, recipients, login=None,
               authenticator=None, mechanism=None, user=None, protocol=None, note=None, subject=None):
        t = self.now()
        m = {
            "id": "%s.%d" % (session, 1 + sum(1 for x in self.messages if x["session"] == session)),
            "session": session, "tool": tool, "port": port, "tls": tls, "direction": direction,
            "authLogin": login, "authenticator": authenticator, "mechanism": mechanism,
            "localUser": user, "protocol": protocol,
            "sender": sender, "recipients": recipients, "subject": subject,
            "day": t.strftime("%Y-%m-%d"), "sentAt": t.isoformat(timespec="seconds"),
        }
        if note:
            m["note"] = note
        self.messages.append(m)

    # --- swaks ---
    def swaks(self, argv, expect_ok=True):
        cmd = ["swaks", "--silent", "2", "--server", "127.0.0.1", "--helo", "client.remote.test"] + argv
        self.swaks_log.write("\n$ " + " ".join(cmd) + "\n")
        self.swaks_log.flush()
        r = subprocess.run(cmd, stdout=self.swaks_log, stderr=subprocess.STDOUT)
        if expect_ok and r.returncode != 0:
            sys.exit("swaks failed (%d): %s" % (r.returncode, " ".join(cmd)))
        if not expect_ok and r.returncode == 0:
            sys.exit("swaks unexpectedly succeeded: %s" % " ".join(cmd))

    def swaks_submit(self, session, port, tls, mech, login, sender, rcpts, subject):
        tlsarg = ["--tls"] if tls == "starttls" else ["--tls-on-connect"]
        self.swaks(["--port", str(port)] + tlsarg + [
            "--auth", mech, "--auth-user", login, "--auth-password", PASSWORDS[login],
            "--from", sender, "--to", ",".join(rcpts), "--header", "Subject: " + subject])
        self.record(session, "swaks", port, tls, "submission", sender, rcpts, login=login,
                    authenticator="plain_server" if mech == "PLAIN" else "login_server",
                    mechanism=mech, subject=subject)

    # --- smtplib ---
    def connect(self, port, tls):
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        if tls == "tls-on-connect":
            s = smtplib.SMTP_SSL("127.0.0.1", port, local_hostname="client.remote.test", context=ctx, timeout=60)
        else:
            s = smtplib.SMTP("127.0.0.1", port, local_hostname="client.remote.test", timeout=60)
        s.ehlo()
        if tls == "starttls":
            s.starttls(context=ctx)
            s.ehlo()
        return s

    @staticmethod
    def auth(s, mech, login, password):
        s.user, s.password = login, password
        if mech == "PLAIN":
            code, resp = s.auth("PLAIN", s.auth_plain, initial_response_ok=True)
        else:
            code, resp = s.auth("LOGIN", s.auth_login, initial_response_ok=False)
        return code, resp

    @staticmethod
    def transaction(s, sender, rcpts, subject, expect_rcpt=None):
        """One MAIL transaction with literal addresses (no re-quoting by smtplib)."""
        code, resp = s.docmd("MAIL FROM:<%s>" % sender)
        if code != 250:
            sys.exit("MAIL FROM <%s>: %d %s" % (sender, code, resp))
        accepted = []
        for r in rcpts:
            code, resp = s.docmd("RCPT TO:<%s>" % r)
            want = (expect_rcpt or {}).get(r, 250)
            if code != want:
                sys.exit("RCPT TO <%s>: %d %s (wanted %d)" % (r, code, resp, want))
            if code == 250:
                accepted.append(r)
        body = "From: <%s>\r\nTo: undisclosed-recipients:;\r\nSubject: %s\r\n\r\nTest message of the mvpipe Exim lab.\r\n" % (sender, subject)
        code, resp = s.data(body.encode())
        if code != 250:
            sys.exit("DATA: %d %s" % (code, resp))
        return accepted

    def smtplib_submissions(self, session, port, tls, mech, login, msgs):
        s = self.connect(port, tls)
        code, resp = self.auth(s, mech, login, PASSWORDS[login])
        if code != 235:
            sys.exit("AUTH %s %s: %d %s" % (mech, login, code, resp))
        for sender, rcpts, subject in msgs:
            self.transaction(s, sender, rcpts, subject)
            self.record(session, "smtplib", port, tls, "submission", sender, rcpts, login=login,
                        authenticator="plain_server" if mech == "PLAIN" else "login_server",
                        mechanism=mech, subject=subject)
        s.quit()

    # --- local submissions (Exim binary, as www-data) ---
    def exim_local(self, argv, stdin):
        # No -C: Exim would drop root for it (only root and the Exim user may use -C), so the
        # capture script puts the same configuration at the compiled-in /etc/exim4/exim4.conf.
        cmd = ["setpriv", "--reuid=www-data", "--regid=www-data", "--clear-groups", self.args.exim] + argv
        r = subprocess.run(cmd, input=stdin, capture_output=True)
        if r.returncode != 0:
            sys.exit("%s: exit %d: %s %s" % (" ".join(cmd), r.returncode, r.stdout, r.stderr))
        return r.stdout.decode(errors="replace")

    def local_bm(self, session, sender, rcpts, subject, set_sender):
        argv = (["-f", sender] if set_sender else []) + ["-bm"] + rcpts
        self.exim_local(argv, ("Subject: %s\n\nfrom a web application\n" % subject).encode())
        self.record(session, "exim -bm", None, None, "local", sender, rcpts, user="www-data",
                    protocol="local", subject=subject,
                    note="envelope sender set with -f (Debian: untrusted_set_sender = *)" if set_sender else None)

    def local_bs(self, session, sender, rcpts, subject):
        lines = ["EHLO localhost", "MAIL FROM:<%s>" % sender] + ["RCPT TO:<%s>" % r for r in rcpts] + [
            "DATA", "Subject: %s\r\n\r\nlocal SMTP on standard input\r\n." % subject, "QUIT"]
        out = self.exim_local(["-bs"], ("\r\n".join(lines) + "\r\n").encode())
        if out.count("\n250 ") + out.count("\n250-") < 3 or "\n221 " not in out:
            sys.exit("exim -bs dialogue failed:\n" + out)
        self.record(session, "exim -bs", None, None, "local", sender, rcpts, user="www-data",
                    protocol="local-esmtp", subject=subject)

    # --- the scenario ---
    def run(self):
        a = self.args
        # S1: alice, PLAIN after STARTTLS, three messages in one session (smtplib).
        self.smtplib_submissions("S1", a.sub_port, "starttls", "PLAIN", "alice@example.org", [
            ("alice@example.org", ["r1@remote.test", "r2@remote.test", "r3@remote.test"], "S1 three remote recipients, one host"),
            ("alice@example.org", ["r4@remote.test"], "S1 one remote recipient"),
            ("alice@example.org", ["bob@example.org", "r5@remote.test"], "S1 local and remote"),
        ])
        # S2: bob, LOGIN after STARTTLS (swaks); envelope sender differs from the login, and a quoted local part with a space.
        self.swaks_submit("S2", a.sub_port, "starttls", "LOGIN", "bob@example.org", "sales@example.org",
                          ["b1@remote.test", "b2@remote.test", '"team lead"@remote.test'],
                          "S2 sender differs from login")
        # S3: carol (a login without a domain), PLAIN on the TLS-on-connect port (swaks): an alias that expands
        # to three local mailboxes, and an unknown local address (routing fails after acceptance -> bounce).
        self.swaks_submit("S3", a.smtps_port, "tls-on-connect", "PLAIN", "carol", "carol@example.org",
                          ["list@example.org", "ghost@example.org"], "S3 alias and unknown local user")
        # S4: alice again, now with LOGIN (swaks): :blackhole:, a 550 at the smarthost (-> bounce),
        # a 451 twice (deferred, delivered on the second forced queue run), one plain remote recipient.
        self.swaks_submit("S4", a.sub_port, "starttls", "LOGIN", "alice@example.org", "alice@example.org",
                          ["devnull@example.org", "nosuch@remote.test", "slow@remote.test", "r6@remote.test"],
                          "S4 blackhole, reject, defer")
        # S5: bob, LOGIN on the TLS-on-connect port, two messages in one session (smtplib); one to an alias
        # that expands to two remote and one local address; a subject that imitates log fields.
        self.smtplib_submissions("S5", a.smtps_port, "tls-on-connect", "LOGIN", "bob@example.org", [
            ("bob@example.org", ["team@example.org"], "S5 alias with remote members"),
            ("bob@example.org", ["alice@example.org", "b3@remote.test", "b4@other.test"],
             'S5 "quoted" A=plain_server:carol for x@evil.test'),
            # staff -> list -> alice, bob, carol (and t3): alice twice, Exim delivers once
            ("bob@example.org", ["staff@example.org", "alice@example.org"], "S5 nested alias and a duplicate"),
            # an authenticated sender whose quoted local part imitates another login's A= field
            ('"bounces A=plain_server:carol"@remote.test', ["b5@remote.test"], "S5 sender imitates a field"),
        ])
        # S6: incoming mail without AUTH on the MX port (smtplib, no TLS), three messages in one session;
        # one unknown local recipient rejected at RCPT; a sender whose quoted local part imitates an A= field;
        # a forged local sender. None counts for anyone.
        s = self.connect(a.mx_port, None)
        acc = self.transaction(s, "sender@remote.test", ["alice@example.org", "carol@example.org", "nobody-here@example.org"],
                               "S6 inbound", expect_rcpt={"nobody-here@example.org": 550})
        self.record("S6", "smtplib", a.mx_port, None, "inbound", "sender@remote.test", acc, subject="S6 inbound",
                    note="RCPT nobody-here@example.org was rejected (550 Unrouteable address)")
        spoof = '"spoof A=plain_server:alice@example.org"@remote.test'
        acc = self.transaction(s, spoof, ["bob@example.org"], "S6 sender imitates a field")
        self.record("S6", "smtplib", a.mx_port, None, "inbound", spoof, acc, subject="S6 sender imitates a field")
        acc = self.transaction(s, "alice@example.org", ["bob@example.org"], "S6 forged local sender")
        self.record("S6", "smtplib", a.mx_port, None, "inbound", "alice@example.org", acc, subject="S6 forged local sender")
        s.quit()
        # S7: a login with a space in it, PLAIN after STARTTLS (smtplib).
        self.smtplib_submissions("S7", a.sub_port, "starttls", "PLAIN", "dave smith", [
            ("dave@example.org", ["r11@remote.test"], "S7 login with a space"),
        ])
        # L: local submissions by the web server's user.
        self.local_bm("L1", "www-data@example.org", ["r7@remote.test"], "L1 exim -bm", set_sender=False)
        self.local_bm("L2", "alice@example.org", ["r8@remote.test", "r9@remote.test"], "L2 exim -f -bm", set_sender=True)
        self.local_bs("L3", "www-data@example.org", ["r10@remote.test", "carol@example.org"], "L3 exim -bs")
        # F: failed logins (wrong password), neither counts.
        self.swaks(["--port", str(a.sub_port), "--tls", "--auth", "PLAIN", "--auth-user", "alice@example.org",
                    "--auth-password", "wrong", "--from", "alice@example.org", "--to", "x@remote.test"], expect_ok=False)
        self.failed_logins.append({"session": "F1", "tool": "swaks", "port": a.sub_port, "mechanism": "PLAIN",
                                   "authenticator": "plain_server", "login": "alice@example.org", "day": self.now().strftime("%Y-%m-%d")})
        s = self.connect(a.smtps_port, "tls-on-connect")
        fake = "mallory A=plain_server:bob@example.org"
        try:
            self.auth(s, "LOGIN", fake, "wrong")
            sys.exit("failed login unexpectedly succeeded")
        except smtplib.SMTPAuthenticationError:
            pass
        s.quit()
        self.failed_logins.append({"session": "F2", "tool": "smtplib", "port": a.smtps_port, "mechanism": "LOGIN",
                                   "authenticator": "login_server", "login": fake, "day": self.now().strftime("%Y-%m-%d")})
        # R: a relay attempt without AUTH, rejected at RCPT.
        self.swaks(["--port", str(a.mx_port), "--from", "spammer@remote.test", "--to", "victim@remote.test"], expect_ok=False)
        self.rejected.append({"session": "R1", "tool": "swaks", "port": a.mx_port, "sender": "spammer@remote.test",
                              "recipient": "victim@remote.test", "reply": "550 relay not permitted"})

    def truth(self):
        per_login, per_sender = {}, {}
        for m in self.messages:
            if m["authLogin"] is None:
                continue
            for table, key in ((per_login, m["authLogin"]), (per_sender, m["sender"])):
                day = table.setdefault(key, {}).setdefault(m["day"], {"messages": 0, "recipients": 0})
                day["messages"] += 1
                day["recipients"] += len(m["recipients"])
        return {
            "description": "What scripts/exim-capture.sh sent in this run, written by scripts/exim-capture.py from the "
                           "scenario (not from the log). recipients = envelope recipients accepted at RCPT (an alias "
                           "counts once, as sent). Days are in the run's log timezone.",
            "run": self.args.run,
            "logSelector": self.args.log_selector,
            "timezone": self.args.timezone,
            "expected": {
                "byLogin": per_login,
                "bySender": per_sender,
                "countForNobody": {
                    "inbound": sum(1 for m in self.messages if m["direction"] == "inbound"),
                    "local": sum(1 for m in self.messages if m["direction"] == "local"),
                    "bouncesGeneratedByExim": sum(1 for m in self.messages for r in m["recipients"] if r in BOUNCING),
                    "failedLogins": len(self.failed_logins),
                    "rejectedRelay": len(self.rejected),
                },
            },
            "outcomes": {
                "devnull@example.org": "alias to :blackhole: (accepted, discarded)",
                "list@example.org": "alias to alice, bob, carol (local mailboxes)",
                "team@example.org": "alias to t1@remote.test, t2@remote.test, alice",
                "staff@example.org": "alias to list (alice, bob, carol) and t3@remote.test",
                "S5.3": "staff@example.org and alice@example.org in one message: alice is reached twice and delivered "
                         "once, so one of the two envelope recipients leaves no delivery line of its own; only the "
                         "<= line's 'for' list (+received_recipients) shows both",
                "ghost@example.org": "accepted at RCPT (authenticated), fails routing: bounce to carol@example.org",
                "nosuch@remote.test": "smarthost answers 550 at RCPT: bounce to alice@example.org",
                "slow@remote.test": "smarthost answers 451 twice (first attempt, first forced queue run), accepted on the second forced queue run",
            },
            "aliases": ALIASES,
            "mailboxes": MAILBOXES,
            "messages": self.messages,
            "failedLogins": self.failed_logins,
            "rejectedRelay": self.rejected,
        }


def run_send(args):
    sc = Scenario(args)
    sc.run()
    with open(args.truth, "w") as f:
        json.dump(sc.truth(), f, indent=2, ensure_ascii=False)
        f.write("\n")


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sink")
    s.add_argument("--port", type=int, required=True)
    s.add_argument("--state", required=True)
    t = sub.add_parser("send")
    t.add_argument("--truth", required=True)
    t.add_argument("--run", required=True)
    t.add_argument("--log-selector", required=True)
    t.add_argument("--timezone", required=True)
    t.add_argument("--exim", required=True)
    t.add_argument("--mx-port", type=int, required=True)
    t.add_argument("--sub-port", type=int, required=True)
    t.add_argument("--smtps-port", type=int, required=True)
    t.add_argument("--swaks-log", required=True)
    args = p.parse_args()
    run_sink(args) if args.cmd == "sink" else run_send(args)


if __name__ == "__main__":
    main()
