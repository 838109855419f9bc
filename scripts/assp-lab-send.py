#!/usr/bin/python3
"""Sends the fixed ASSP-lab mail scenario to one SMTP server and writes what was sent.

Used to make the real-ASSP fixtures in Tests/Fixtures/assp/ (see the README there). The
script knows nothing about ASSP: it talks SMTP (swaks for single-message sessions, Python's
smtplib for multi-message and interleaved sessions) to --server/--port, binding each session
to its own client address in 127.0.0.0/8, and writes a truth file built ONLY from what it sent
and the replies the server gave to this client. Nothing is sent outside 127.0.0.0/8.

Usage: assp-lab-send.py --server 127.0.0.1 --port 25 --truth truth.json [--password secret]
Needs: swaks, python3 (standard library only). Exit status 0 when every session ran.
"""
import argparse
import base64
import datetime
import email.utils
import json
import smtplib
import subprocess
import sys
import time

LOCAL_DOMAIN = "example.org"
INTERNAL_HOST = "127.0.0.50"  # the site lists this host in ASSP's acceptAllMail (may relay unauthenticated)


def b64(text):
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


class Recorder:
    def __init__(self):
        self.sessions = []
        self.messages = []

    def session(self, sid, ip, tool, note, auth_attempts):
        s = {"session": sid, "clientIP": ip, "tool": tool, "note": note, "auth": auth_attempts,
             "started": datetime.datetime.now().astimezone().isoformat(timespec="seconds")}
        self.sessions.append(s)
        return s

    def message(self, sid, ip, login, sender, rcpts, subject, accepted, reply, accepted_rcpts=None):
        relayed = login is not None or ip == INTERNAL_HOST
        local = [r for r in rcpts if r.lower().endswith("@" + LOCAL_DOMAIN)]
        if relayed:
            direction = "outgoing" if len(local) < len(rcpts) else "internal"
        else:
            direction = "incoming"
        m = {"session": sid, "seqInSession": 1 + sum(1 for x in self.messages if x["session"] == sid),
             "clientIP": ip, "authLogin": login, "envelopeSender": sender, "recipients": rcpts,
             "acceptedRecipients": rcpts if accepted_rcpts is None else accepted_rcpts,
             "direction": direction, "subject": subject, "accepted": accepted, "finalReply": reply,
             "day": datetime.date.today().isoformat()}
        self.messages.append(m)
        return m


def body_for(sender, rcpts, subject):
    msgid = email.utils.make_msgid(domain="lab.example.org")
    return (f"From: <{sender}>\r\nTo: " + ", ".join(f"<{r}>" for r in rcpts) +
            f"\r\nSubject: {subject}\r\nDate: {email.utils.formatdate(localtime=True)}\r\n"
            f"Message-ID: {msgid}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n"
            "This is a test message of the mvpipe ASSP lab.\r\nLine two.\r\n")


def swaks(rec, args, sid, ip, helo, login, mech, sender, rcpts, subject, password, note):
    """One session, one message, with swaks. Records the message as accepted iff swaks exits 0."""
    cmd = ["swaks", "--server", args.server, "--port", str(args.port), "--local-interface", ip,
           "--ehlo", helo, "--from", sender, "--to", ",".join(rcpts), "--timeout", "60",
           "--header", f"Subject: {subject}", "--header", f"Message-ID: {email.utils.make_msgid(domain='lab.example.org')}",
           "--body", "This is a test message of the mvpipe ASSP lab.\nLine two.\n"]
    auth = []
    if login is not None:
        cmd += ["--auth", mech, "--auth-user", login, "--auth-password", password]
        auth.append({"mechanism": mech, "login": login, "result": None})
    sess = rec.session(sid, ip, "swaks", note, auth)
    out = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    transcript = out.stdout
    if auth:
        auth[0]["result"] = "235" if "<~  235" in transcript or "<-  235" in transcript else "failed"
    last = [l for l in transcript.splitlines() if l.startswith(("<-", "<~", "<**", "<~*"))]
    reply = last[-2] if len(last) >= 2 else (last[-1] if last else "")
    accepted = out.returncode == 0
    if not accepted:
        reply = next((l for l in transcript.splitlines() if l.startswith(("<**", "<~*"))), reply)
    sess["swaksExit"] = out.returncode
    rec.message(sid, ip, login if (login is not None and auth[0]["result"] == "235") else None,
                sender, rcpts, subject, accepted, reply.strip())
    return accepted


class Client:
    """An smtplib session bound to one client address; every command's reply is kept."""

    def __init__(self, rec, args, sid, ip, helo, note):
        self.rec, self.sid, self.ip = rec, sid, ip
        self.smtp = smtplib.SMTP(args.server, args.port, local_hostname=helo, source_address=(ip, 0), timeout=60)
        self.smtp.ehlo()
        self.login = None
        self.auth = []
        self.sess = rec.session(sid, ip, "smtplib", note, self.auth)

    def auth_plain(self, login, password, authzid=""):
        code, msg = self.smtp.docmd("AUTH", "PLAIN " + b64(f"{authzid}\0{login}\0{password}"))
        self.auth.append({"mechanism": "PLAIN", "login": login, "authzid": authzid or None, "result": str(code)})
        if code == 235:
            self.login = login
        return code

    def auth_login(self, login, password):
        code, msg = self.smtp.docmd("AUTH", "LOGIN " + b64(login))
        if code == 334:
            code, msg = self.smtp.docmd(b64(password))
        self.auth.append({"mechanism": "LOGIN", "login": login, "result": str(code)})
        if code == 235:
            self.login = login
        return code

    def mail(self, sender, rcpts, subject):
        """MAIL, RCPT..., DATA as separate steps so sessions can interleave; returns a step generator."""
        code, msg = self.smtp.mail(sender)
        if code != 250:
            self.rec.message(self.sid, self.ip, self.login, sender, rcpts, subject, False, f"{code} {msg.decode(errors='replace')}", [])
            self.smtp.rset()
            return
        yield
        ok = []
        last = ""
        for r in rcpts:
            code, msg = self.smtp.rcpt(r)
            last = f"{code} {msg.decode(errors='replace')}"
            if code in (250, 251):
                ok.append(r)
        yield
        if not ok:
            self.rec.message(self.sid, self.ip, self.login, sender, rcpts, subject, False, last, [])
            self.smtp.rset()
            return
        code, msg = self.smtp.data(body_for(sender, ok, subject).encode("utf-8"))
        self.rec.message(self.sid, self.ip, self.login, sender, rcpts, subject, code == 250,
                         f"{code} {msg.decode(errors='replace')}", ok)

    def send(self, sender, rcpts, subject):
        for _ in self.mail(sender, rcpts, subject):
            pass

    def aborted(self, sender, rcpt):
        """A transaction abandoned with RSET before DATA: no message."""
        self.smtp.mail(sender)
        self.smtp.rcpt(rcpt)
        self.smtp.rset()
        self.sess.setdefault("abortedTransactions", []).append({"envelopeSender": sender, "recipients": [rcpt]})

    def quit(self):
        try:
            self.smtp.quit()
        except smtplib.SMTPServerDisconnected:
            pass


def run(args):
    rec = Recorder()
    pw = args.password
    bad = "wrong-" + pw

    # S01 alice, AUTH PLAIN (swaks), outgoing, one recipient
    swaks(rec, args, "S01", "127.0.0.21", "alice-laptop.example.org", "alice", "PLAIN",
          "alice@example.org", ["r1@remote.example.com"], "Quarterly report", pw, "alice PLAIN, 1 rcpt")
    # S02 alice, AUTH LOGIN (swaks), outgoing, three recipients, mixed-case envelope sender
    swaks(rec, args, "S02", "127.0.0.21", "alice-laptop.example.org", "alice", "LOGIN",
          "Alice@Example.org", ["r2@remote.example.com", "r3@other.example.net", "r4@remote.example.com"],
          "Re: ../../etc/passwd & more", pw, "alice LOGIN, 3 rcpts, mixed-case sender")
    # S03 alice, one session: message, aborted transaction (RSET), message as info@
    c = Client(rec, args, "S03", "127.0.0.21", "alice-laptop.example.org", "alice PLAIN, two messages in one session, RSET between")
    c.auth_plain("alice", pw)
    c.send("alice@example.org", ["r5@remote.example.com"], "First of two in one session")
    c.aborted("alice@example.org", "never@remote.example.com")
    c.send("info@example.org", ["r6@remote.example.com", "r7@remote.example.com"], "Newsletter from info")
    c.quit()
    # S04..S06 three authenticated sessions from ONE address, interleaved command by command
    p = [Client(rec, args, "S04", "127.0.0.25", "nat-gw.example.org", "parallel 1 of 3 from 127.0.0.25 (alice)"),
         Client(rec, args, "S05", "127.0.0.25", "nat-gw.example.org", "parallel 2 of 3 from 127.0.0.25 (bob)"),
         Client(rec, args, "S06", "127.0.0.25", "nat-gw.example.org", "parallel 3 of 3 from 127.0.0.25 (carol)")]
    p[0].auth_plain("alice", pw)
    p[1].auth_login("bob@example.org", pw)
    p[2].auth_plain("carol", pw)
    steps = [p[0].mail("alice@example.org", ["p1@remote.example.com"], "Parallel alice"),
             p[1].mail("bob@example.org", ["p2@remote.example.com", "p3@remote.example.com"], "Parallel bob"),
             p[2].mail("carol@example.org", ["p4@remote.example.com"], "Parallel carol")]
    live = list(steps)
    while live:
        for g in list(live):
            try:
                next(g)
            except StopIteration:
                live.remove(g)
    for x in p:
        x.quit()
    # S07 alice, PLAIN with an authorization identity, outgoing + one local recipient
    c = Client(rec, args, "S07", "127.0.0.21", "alice-laptop.example.org", "alice PLAIN with authzid, remote + local rcpt")
    c.auth_plain("alice", pw, authzid="alice")
    c.send("alice@example.org", ["r9@remote.example.com", "carol@example.org"], "Grüße & \"quotes\" / slash")
    c.quit()
    # S08 bob, AUTH LOGIN (swaks), two recipients
    swaks(rec, args, "S08", "127.0.0.22", "bob-pc.example.org", "bob@example.org", "LOGIN",
          "bob@example.org", ["b1@remote.example.com", "b2@other.example.net"], "Invoice 2024-11", pw, "bob LOGIN, 2 rcpts")
    # S09 bob mistypes his password, then logs in and sends
    c = Client(rec, args, "S09", "127.0.0.22", "bob-pc.example.org", "bob: failed PLAIN, then PLAIN ok, 1 message")
    c.auth_plain("bob@example.org", bad)
    c.auth_plain("bob@example.org", pw)
    c.send("bob@example.org", ["b3@remote.example.com"], "Second try")
    c.quit()
    # S10 carol, AUTH PLAIN (swaks), five recipients
    swaks(rec, args, "S10", "127.0.0.23", "carol-pc.example.org", "carol", "PLAIN",
          "carol@example.org", ["c1@remote.example.com", "c2@remote.example.com", "c3@other.example.net", "c4@other.example.net", "c5@remote.example.com"],
          "Team lunch", pw, "carol PLAIN, 5 rcpts")
    # S11 a login with a space and a quote (PLAIN), quoted local part in the envelope sender
    c = Client(rec, args, "S11", "127.0.0.24", "ws24.example.org", "hostile login: space and quote, PLAIN")
    c.auth_plain("o'brien x", pw)
    c.send("\"o'brien x\"@example.org", ["ob1@remote.example.com"], "From O'Brien")
    c.quit()
    # S12 a login with a non-ASCII letter (AUTH LOGIN via swaks)
    swaks(rec, args, "S12", "127.0.0.24", "ws24.example.org", "jörg", "LOGIN",
          "joerg@example.org", ["j1@remote.example.com"], "Unicode login", pw, "hostile login: UTF-8, LOGIN")
    # S13 internal host in acceptAllMail relays without AUTH
    swaks(rec, args, "S13", INTERNAL_HOST, "webapp.example.org", None, None,
          "webapp@example.org", ["customer@remote.example.com"], "Your order", pw, "unauthenticated outgoing from acceptAllMail host")
    # S14 internal host sends a bounce (empty envelope sender) outward
    swaks(rec, args, "S14", INTERNAL_HOST, "webapp.example.org", None, None,
          "", ["bounced-user@remote.example.com"], "Undelivered Mail Returned to Sender", pw, "outgoing bounce, MAIL FROM:<>")
    # S15 external MTA, incoming, one local recipient
    swaks(rec, args, "S15", "127.0.0.30", "mx.remote.example.com", None, None,
          "partner@remote.example.com", ["alice@example.org"], "Meeting tomorrow", pw, "incoming, 1 rcpt")
    # S16 external MTA, two incoming messages in one session, first to three local recipients
    c = Client(rec, args, "S16", "127.0.0.31", "mx.other.example.net", "incoming, two messages in one session")
    c.send("news@other.example.net", ["alice@example.org", "bob@example.org", "carol@example.org"], "Weekly news")
    c.send("news@other.example.net", ["bob@example.org"], "Weekly news (bob only)")
    c.quit()
    # S17 incoming bounce: empty envelope sender to a local user
    swaks(rec, args, "S17", "127.0.0.30", "mx.remote.example.com", None, None,
          "", ["alice@example.org"], "Delivery Status Notification (Failure)", pw, "incoming bounce, MAIL FROM:<>")
    # S18 relay attempt: unauthenticated, remote recipient (must be refused)
    swaks(rec, args, "S18", "127.0.0.30", "mx.remote.example.com", None, None,
          "spammer@remote.example.com", ["victim@remote.example.com"], "Relay me", pw, "unauthenticated relay attempt")
    # S19 password guessing on alice (AUTH LOGIN), then QUIT: no message
    c = Client(rec, args, "S19", "127.0.0.40", "attacker.remote.example.com", "failed LOGIN for alice, no message")
    c.auth_login("alice", bad)
    c.quit()
    # S20 failed AUTH PLAIN as mallory, then the same session delivers unauthenticated incoming mail
    c = Client(rec, args, "S20", "127.0.0.40", "attacker.remote.example.com", "failed PLAIN as mallory, then unauthenticated incoming message")
    c.auth_plain("mallory", bad)
    c.send("mallory@remote.example.com", ["bob@example.org"], "Hello after failed login")
    c.quit()
    return rec


def expectations(rec):
    acc = [m for m in rec.messages if m["accepted"]]
    per_login, per_sender = {}, {}
    for m in acc:
        day = m["day"]
        if m["authLogin"] is not None:
            e = per_login.setdefault(m["authLogin"], {}).setdefault(day, {"messages": 0, "recipients": 0})
            e["messages"] += 1
            e["recipients"] += len(m["acceptedRecipients"])
        key = m["envelopeSender"].lower() if m["envelopeSender"] else "<>"
        e = per_sender.setdefault(key, {}).setdefault(day, {"messages": 0, "recipients": 0,
                                                             "directions": {}})
        e["messages"] += 1
        e["recipients"] += len(m["acceptedRecipients"])
        e["directions"][m["direction"]] = e["directions"].get(m["direction"], 0) + 1
    failed_auth = [dict(session=s["session"], clientIP=s["clientIP"], **a) for s in rec.sessions
                   for a in s["auth"] if a["result"] != "235"]
    return {
        "acceptedMessages": len(acc),
        "refusedMessages": len(rec.messages) - len(acc),
        "perLogin": per_login,
        "perEnvelopeSender": per_sender,
        "failedAuth": failed_auth,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=25)
    ap.add_argument("--password", default="secret")
    ap.add_argument("--truth", required=True)
    ap.add_argument("--label", default="")
    args = ap.parse_args()
    if not args.server.startswith("127."):
        sys.exit("refusing: --server must be in 127.0.0.0/8")
    started = time.time()
    rec = run(args)
    truth = {
        "description": "Written by scripts/assp-lab-send.py from what it sent and the replies it got; not from any log.",
        "run": args.label,
        "localDomain": LOCAL_DOMAIN,
        "relayWithoutAuth": [INTERNAL_HOST],
        "direction": "outgoing = relayed (authenticated or from relayWithoutAuth) with a non-local recipient; internal = relayed, all recipients local; incoming = not relayed",
        "sessions": rec.sessions,
        "messages": rec.messages,
        "expected": expectations(rec),
        "secondsTaken": round(time.time() - started, 1),
    }
    with open(args.truth, "w", encoding="utf-8") as f:
        json.dump(truth, f, indent=2, ensure_ascii=False)
        f.write("\n")


if __name__ == "__main__":
    main()
