#!/usr/bin/env python3
"""Writes a synthetic Postfix mail log for Benchmarks/maillog.sh.

Interleaved sessions of four kinds, in the classic syslog format (`Nov 29 14:46:22 host ...`):
authenticated submissions (port 587/465, 1-4 recipients, some deferred and retried), inbound MX mail
(no SASL), rejected relay attempts (NOQUEUE) and failed SASL logins. Deterministic (fixed seed).
About 143 bytes per line: 3.5 million lines are about 500 MB.

--mix relay writes an inbound-heavy relay instead: about one session in ten is an authenticated submission;
the rest is inbound mail through postscreen (CONNECT, PASS, DNSBL), TLS, lmtp deliveries to mailboxes,
bounces (non-delivery notifications) and postscreen rejects, so most lines are not submissions.

usage: maillog-generate.py --lines N --out FILE [--users N] [--mix submission|relay]
Prints one JSON line: lines, bytes, and per-user messages/recipients actually written (the truth).
"""
import argparse, json, random, sys

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=3_500_000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--users", type=int, default=2000)
    ap.add_argument("--month", default="Nov")
    ap.add_argument("--day", type=int, default=29)
    ap.add_argument("--mix", choices=["submission", "relay"], default="submission")
    a = ap.parse_args()
    rnd = random.Random(20261129)
    users = [f"user{i:04d}@example.org" for i in range(a.users)]
    services = ["postfix/submission/smtpd", "postfix/smtps/smtpd", "postfix/submission/smtpd", "postfix-out/submission/smtpd"]
    truth = {}
    out = open(a.out, "w", buffering=1 << 20)
    written = 0
    nbytes = 0
    qseq = 0x10000000
    second = 0
    active = []  # sessions: list of pending lines (generators as lists)

    def stamp():
        h, m, s = (second // 3600) % 24, (second // 60) % 60, second % 60
        return f"{a.month} {a.day:2d} {h:02d}:{m:02d}:{s:02d} mx1"

    def new_session():
        nonlocal qseq
        kind = rnd.random()
        if a.mix == "relay":
            return relay_session(kind)
        pid = rnd.randint(1000, 65000)
        ip = f"198.51.{rnd.randint(0, 255)}.{rnd.randint(1, 254)}"
        qseq += rnd.randint(1, 5000)
        q = f"{qseq:010X}"
        if kind < 0.40:  # authenticated submission
            return new_submission(pid, ip, q)
        return other_session(kind, pid, ip, q)

    def new_submission(pid=None, ip=None, q=None):
        nonlocal qseq
        if pid is None:
            pid = rnd.randint(1000, 65000)
            ip = f"198.51.{rnd.randint(0, 255)}.{rnd.randint(1, 254)}"
            qseq += rnd.randint(1, 5000)
            q = f"{qseq:010X}"
        user = users[int(rnd.paretovariate(1.2)) % len(users)]
        svc = rnd.choice(services)
        n = rnd.randint(1, 4)
        t = truth.setdefault(user, [0, 0])
        t[0] += 1
        t[1] += n
        lines = [
            f"{svc}[{pid}]: connect from mua{pid}.example.net[{ip}]",
            f"{svc}[{pid}]: Anonymous TLS connection established from mua{pid}.example.net[{ip}]: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)",
            f"{svc}[{pid}]: {q}: client=mua{pid}.example.net[{ip}], sasl_method=PLAIN, sasl_username={user}",
            f"postfix/cleanup[{pid + 1}]: {q}: message-id=<{q}.{pid}@example.org>",
            f"postfix/qmgr[999]: {q}: from=<{user}>, size={rnd.randint(900, 90000)}, nrcpt={n} (queue active)",
            f"{svc}[{pid}]: disconnect from mua{pid}.example.net[{ip}] ehlo=2 starttls=1 auth=1 mail=1 rcpt={n} data=1 quit=1 commands={7 + n}",
        ]
        for r in range(n):
            lines.append(f"postfix/smtp[{pid + 2}]: {q}: to=<rcpt{r}@remote{rnd.randint(1, 999)}.test>, relay=mx.remote.test[203.0.113.{rnd.randint(1, 254)}]:25, delay=0.4, delays=0.1/0/0.1/0.2, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued)")
        if rnd.random() < 0.03:  # deferred once, retried: qmgr repeats its line
            lines.insert(-1, f"postfix/smtp[{pid + 2}]: {q}: to=<late@remote.test>, relay=none, delay=300, delays=0/0/300/0, dsn=4.4.1, status=deferred (connect to mx.remote.test[203.0.113.9]:25: Connection timed out)")
            lines.insert(-1, f"postfix/qmgr[999]: {q}: from=<{user}>, size=1234, nrcpt={n} (queue active)")
        lines.append(f"postfix/qmgr[999]: {q}: removed")
        lines.reverse()
        return lines

    def other_session(kind, pid, ip, q):
        if kind < 0.75:  # inbound MX mail
            lines = [
                f"postfix/smtpd[{pid}]: connect from mail{pid}.remote.test[{ip}]",
                f"postfix/smtpd[{pid}]: {q}: client=mail{pid}.remote.test[{ip}]",
                f"postfix/cleanup[{pid + 1}]: {q}: message-id=<{pid}.{q}@remote.test>",
                f"postfix/qmgr[999]: {q}: from=<news{pid % 97}@remote.test>, size={rnd.randint(2000, 200000)}, nrcpt=1 (queue active)",
                f"postfix/smtpd[{pid}]: disconnect from mail{pid}.remote.test[{ip}] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5",
                f"postfix/lmtp[{pid + 3}]: {q}: to=<{users[pid % len(users)]}>, relay=mailbox.example.org[private/dovecot-lmtp], delay=0.05, delays=0.01/0/0/0.04, dsn=2.0.0, status=sent (250 2.0.0 Saved)",
                f"postfix/qmgr[999]: {q}: removed",
            ]
        elif kind < 0.90:  # rejected
            lines = [
                f"postfix/smtpd[{pid}]: connect from unknown[{ip}]",
                f"postfix/smtpd[{pid}]: NOQUEUE: reject: RCPT from unknown[{ip}]: 554 5.7.1 <victim{pid}@remote.test>: Relay access denied; from=<spam{pid}@spam.test> to=<victim{pid}@remote.test> proto=ESMTP helo=<spam.test>",
                f"postfix/smtpd[{pid}]: disconnect from unknown[{ip}] ehlo=1 mail=1 rcpt=0/1 quit=1 commands=3/4",
            ]
        else:  # failed login
            user = users[rnd.randrange(len(users))]
            lines = [
                f"postfix/submission/smtpd[{pid}]: connect from unknown[{ip}]",
                f"postfix/submission/smtpd[{pid}]: warning: unknown[{ip}]: SASL LOGIN authentication failed: UGFzc3dvcmQ6, sasl_username={user}",
                f"postfix/submission/smtpd[{pid}]: disconnect from unknown[{ip}] ehlo=1 auth=0/1 quit=1 commands=2/3",
            ]
        lines.reverse()
        return lines

    def relay_session(kind):
        """An inbound-heavy relay: 10 % submissions, the rest inbound, bounces and postscreen rejects."""
        if kind < 0.10:
            return new_submission()
        nonlocal qseq
        pid = rnd.randint(1000, 65000)
        ip = f"203.0.{rnd.randint(0, 255)}.{rnd.randint(1, 254)}"
        qseq += rnd.randint(1, 5000)
        q = f"{qseq:010X}"
        host = f"mail{pid}.remote{pid % 313}.test"
        ps = [
            f"postfix/postscreen[{pid - 1}]: CONNECT from [{ip}]:{rnd.randint(1024, 65535)} to [192.0.2.25]:25",
            f"postfix/dnsblog[{pid - 2}]: addr {ip} listed by domain zen.spamhaus.org as 127.0.0.{rnd.choice([2, 4, 10, 11])}" if kind > 0.95 else f"postfix/postscreen[{pid - 1}]: PASS OLD [{ip}]:{rnd.randint(1024, 65535)}",
        ]
        if kind < 0.80:  # inbound over TLS, delivered by lmtp
            n = rnd.randint(1, 3)
            lines = ps + [
                f"postfix/smtpd[{pid}]: connect from {host}[{ip}]",
                f"postfix/smtpd[{pid}]: Anonymous TLS connection established from {host}[{ip}]: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256",
                f"postfix/smtpd[{pid}]: {q}: client={host}[{ip}]",
                f"postfix/cleanup[{pid + 1}]: {q}: message-id=<{pid}.{q}@remote{pid % 313}.test>",
                f"postfix/qmgr[999]: {q}: from=<news{pid % 97}@remote{pid % 313}.test>, size={rnd.randint(2000, 200000)}, nrcpt={n} (queue active)",
                f"postfix/smtpd[{pid}]: disconnect from {host}[{ip}] ehlo=2 starttls=1 mail=1 rcpt={n} data=1 quit=1 commands={6 + n}",
            ]
            for r in range(n):
                lines.append(f"postfix/lmtp[{pid + 3}]: {q}: to=<{users[(pid + r) % len(users)]}>, relay=mailbox.example.org[private/dovecot-lmtp], delay=0.05, delays=0.01/0/0/0.04, dsn=2.0.0, status=sent (250 2.0.0 <{users[(pid + r) % len(users)]}> Ok: Saved)")
            lines.append(f"postfix/qmgr[999]: {q}: removed")
        elif kind < 0.88:  # inbound to an unknown mailbox: a bounce
            b = f"{qseq + 7:010X}"
            lines = ps + [
                f"postfix/smtpd[{pid}]: connect from {host}[{ip}]",
                f"postfix/smtpd[{pid}]: {q}: client={host}[{ip}]",
                f"postfix/cleanup[{pid + 1}]: {q}: message-id=<{pid}.{q}@remote{pid % 313}.test>",
                f"postfix/qmgr[999]: {q}: from=<list{pid % 53}@remote{pid % 313}.test>, size={rnd.randint(2000, 20000)}, nrcpt=1 (queue active)",
                f"postfix/smtpd[{pid}]: disconnect from {host}[{ip}] ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5",
                f"postfix/lmtp[{pid + 3}]: {q}: to=<gone{pid % 29}@example.org>, relay=mailbox.example.org[private/dovecot-lmtp], delay=0.03, delays=0.01/0/0/0.02, dsn=5.1.1, status=bounced (host mailbox.example.org[private/dovecot-lmtp] said: 550 5.1.1 <gone{pid % 29}@example.org> User doesn't exist (in reply to RCPT TO command))",
                f"postfix/cleanup[{pid + 1}]: {b}: message-id=<{b}.{pid}@mx.example.org>",
                f"postfix/bounce[{pid + 4}]: {q}: sender non-delivery notification: {b}",
                f"postfix/qmgr[999]: {b}: from=<>, size={rnd.randint(3000, 9000)}, nrcpt=1 (queue active)",
                f"postfix/qmgr[999]: {q}: removed",
                f"postfix/smtp[{pid + 5}]: {b}: to=<list{pid % 53}@remote{pid % 313}.test>, relay=mx.remote{pid % 313}.test[198.51.100.{pid % 250 + 1}]:25, delay=0.2, delays=0/0/0.1/0.1, dsn=2.0.0, status=sent (250 2.0.0 Ok)",
                f"postfix/qmgr[999]: {b}: removed",
            ]
        else:  # postscreen rejects before smtpd
            lines = [
                f"postfix/postscreen[{pid - 1}]: CONNECT from [{ip}]:{rnd.randint(1024, 65535)} to [192.0.2.25]:25",
                f"postfix/dnsblog[{pid - 2}]: addr {ip} listed by domain zen.spamhaus.org as 127.0.0.4",
                f"postfix/postscreen[{pid - 1}]: PREGREET 11 after 0.15 from [{ip}]:{rnd.randint(1024, 65535)}: EHLO spam.test\\r\\n",
                f"postfix/postscreen[{pid - 1}]: DNSBL rank 3 for [{ip}]:{rnd.randint(1024, 65535)}",
                f"postfix/postscreen[{pid - 1}]: NOQUEUE: reject: RCPT from [{ip}]:{rnd.randint(1024, 65535)}: 550 5.7.1 Service unavailable; client [{ip}] blocked using zen.spamhaus.org; from=<x@spam.test>, to=<y@example.org>, proto=ESMTP, helo=<spam.test>",
                f"postfix/postscreen[{pid - 1}]: DISCONNECT [{ip}]:{rnd.randint(1024, 65535)}",
            ]
        lines.reverse()
        return lines

    target = a.lines
    while written < target:
        while len(active) < 24:
            active.append(new_session())
        i = rnd.randrange(len(active))
        session = active[i]
        line = f"{stamp()} {session.pop()}\n"
        if not session:
            active[i] = active[-1]
            active.pop()
        out.write(line)
        nbytes += len(line)
        written += 1
        if written % 41 == 0:
            second += 1
    # Finish open sessions so every counted message is complete.
    for session in active:
        while session:
            line = f"{stamp()} {session.pop()}\n"
            out.write(line)
            nbytes += len(line)
            written += 1
    out.close()
    print(json.dumps({"lines": written, "bytes": nbytes, "users": {u: {"messages": v[0], "recipients": v[1]} for u, v in truth.items()}}))

if __name__ == "__main__":
    main()
