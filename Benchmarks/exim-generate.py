#!/usr/bin/env python3
"""Writes a synthetic Exim 4.96 main log for Benchmarks/exim.sh, in the line shapes of the real captures in
Tests/Fixtures/exim/ (Exim 4.96, Debian's exim4-daemon-light).

Interleaved sessions: authenticated submissions (A=plain_server:LOGIN, 1-4 recipients delivered by the
smarthost, some deferred once and delivered on the next queue run), inbound mail delivered to local mailboxes,
rejected relay attempts and failed logins, with queue-run and TLS lines. Deterministic (fixed seed).

usage: exim-generate.py --lines N --out FILE [--users N] [--received-recipients]
Prints one JSON line: lines, bytes, and per-login messages/recipients written (the truth).
"""
import argparse, json, random, string

ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase

def b62(value, width):
    out = []
    for _ in range(width):
        out.append(ALPHABET[value % 62])
        value //= 62
    return "".join(reversed(out))

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=3_000_000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--users", type=int, default=2000)
    ap.add_argument("--received-recipients", action="store_true", help="log_selector = +received_recipients")
    a = ap.parse_args()
    rnd = random.Random(20261202)
    users = [f"user{i:04d}@example.org" for i in range(a.users)]
    truth = {}
    out = open(a.out, "w", buffering=1 << 20)
    written = nbytes = 0
    second = 0
    seq = 0
    active = []
    tls = "X=TLS1.3:ECDHE_X25519__RSA_PSS_RSAE_SHA256__AES_256_GCM:256 CV=no"

    def stamp():
        h, m, s = (second // 3600) % 24, (second // 60) % 60, second % 60
        return f"2026-12-02 {h:02d}:{m:02d}:{s:02d}"

    def message_id():
        nonlocal seq
        seq += 1
        return f"1xYm{b62(second, 2)}-{b62(seq, 6)}-{b62(seq % 3844, 2)}"

    def new_session():
        kind = rnd.random()
        mid = message_id()
        ip = f"198.51.{rnd.randint(0, 255)}.{rnd.randint(1, 254)}"
        if kind < 0.40:  # authenticated submission
            user = users[int(rnd.paretovariate(1.2)) % len(users)]
            n = rnd.randint(1, 4)
            t = truth.setdefault(user, [0, 0])
            t[0] += 1
            t[1] += n
            rcpts = [f"r{r}.{rnd.randint(1, 99999)}@remote{rnd.randint(1, 999)}.test" for r in range(n)]
            arrival = (f"{mid} <= {user} H=(mua.example.net) [{ip}] P=esmtpsa {tls} "
                       f"A=plain_server:{user} S={rnd.randint(400, 90000)} id={mid}@mua.example.net")
            if a.received_recipients:
                arrival += " for " + " ".join(rcpts)
            lines = [arrival]
            deferred = rnd.random() < 0.03
            for i, r in enumerate(rcpts):
                flag = "=>" if i == 0 else "->"
                if deferred and i == n - 1:
                    lines.append(f"{mid} == {r} R=smarthost T=remote_smtp_smarthost defer (-44) H=smarthost.example.net [192.0.2.26]: SMTP error from remote mail server after RCPT TO:<{r}>: 451 4.3.0 Temporary lookup failure")
                    lines.append(f"{mid} => {r} R=smarthost T=remote_smtp_smarthost H=smarthost.example.net [192.0.2.26] C=\"250 2.0.0 Ok: queued as {rnd.randint(10**9, 10**10)}\"")
                else:
                    lines.append(f"{mid} {flag} {r} R=smarthost T=remote_smtp_smarthost H=smarthost.example.net [192.0.2.26] C=\"250 2.0.0 Ok: queued as {rnd.randint(10**9, 10**10)}\"")
            lines.append(f"{mid} Completed")
        elif kind < 0.75:  # inbound to local mailboxes
            n = rnd.randint(1, 2)
            local = [users[(seq + r) % len(users)] for r in range(n)]
            lines = [f"{mid} <= news{seq % 97}@remote{seq % 313}.test H=mail{seq % 313}.remote.test [{ip}] P=esmtps {tls} S={rnd.randint(2000, 200000)} id={mid}@remote.test"
                     + (" for " + " ".join(local) if a.received_recipients else "")]
            for r in local:
                lines.append(f"{mid} => {r.split('@')[0]} <{r}> R=local_user T=mail_spool")
            lines.append(f"{mid} Completed")
        elif kind < 0.88:  # rejected relay attempt
            lines = [f"H=(spam.test) [{ip}] F=<spam{seq}@spam.test> rejected RCPT <victim{seq}@remote.test>: relay not permitted"]
        elif kind < 0.96:  # failed login
            lines = [f"plain_server authenticator failed for (spam.test) [{ip}]: 535 Incorrect authentication data (set_id={users[seq % len(users)]})"]
        else:
            lines = [f"TLS error on connection from [{ip}] (gnutls_handshake): The TLS connection was non-properly terminated."]
        lines.reverse()
        return lines

    while written < a.lines:
        while len(active) < 16:
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
    for session in active:
        while session:
            line = f"{stamp()} {session.pop()}\n"
            out.write(line)
            nbytes += len(line)
            written += 1
    out.close()
    print(json.dumps({"lines": written, "bytes": nbytes,
                      "users": {u: {"messages": v[0], "recipients": v[1]} for u, v in truth.items()}}))

if __name__ == "__main__":
    main()
