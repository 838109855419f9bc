#!/usr/bin/env python3
"""Writes a Postfix log in which N distinct SASL users each send one message (Benchmarks/resource-limits.sh).

Three lines per message (smtpd client= with sasl_username, qmgr queue active, qmgr removed), RFC 3339
stamps on one day, streamed to the file (nothing is kept in memory). About 330 bytes per user.

usage: senders-generate.py --users N --out FILE [--day 2026-11-29]
"""
import argparse


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--users", type=int, default=1_000_000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--day", default="2026-11-29")
    a = ap.parse_args()
    with open(a.out, "w", buffering=1 << 20) as out:
        for n in range(a.users):
            second = n * 86000 // a.users
            stamp = f"{a.day}T{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}.000000+00:00 mx1"
            q = f"{0x10000000 + n:X}"
            user = f"u{n:07d}@example.org"
            out.write(f"{stamp} postfix/submission/smtpd[2001]: {q}: client=mua.example.net[192.0.2.10], "
                      f"sasl_method=PLAIN, sasl_username={user}\n"
                      f"{stamp} postfix/qmgr[1999]: {q}: from=<{user}>, size=1234, nrcpt=1 (queue active)\n"
                      f"{stamp} postfix/qmgr[1999]: {q}: removed\n")


if __name__ == "__main__":
    main()
