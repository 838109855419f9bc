#!/usr/bin/env python3
"""Lay out an ASSP archive for the benchmark: ROOT/YYYY/MM/DD/<sender>/<n>.eml.

Usage: gen_archive.py ROOT [--senders 200] [--days 20] [--mean 31] [--today YYYY-MM-DD]
Days are calendar days ending today (local time); weekends get a tenth of the volume.
Prints the number of files made.
"""
import argparse
import datetime
import os
import random

parser = argparse.ArgumentParser()
parser.add_argument("root")
parser.add_argument("--senders", type=int, default=200)
parser.add_argument("--days", type=int, default=20)
parser.add_argument("--mean", type=int, default=43)
parser.add_argument("--today", default=None)
args = parser.parse_args()

today = datetime.date.fromisoformat(args.today) if args.today else datetime.date.today()
rng = random.Random(2017)
files = 0
for s in range(args.senders):
    sender = f"user{s:03d}@example.org"
    usual = max(1, int(rng.gauss(args.mean, args.mean / 2)))
    for offset in range(args.days):
        day = today - datetime.timedelta(days=offset)
        n = usual if day.weekday() < 5 else usual // 10
        n = max(0, n + rng.randint(-usual // 5, usual // 5))
        if offset == 0 and s % 50 == 7:
            n = usual * 3 + 150  # planted anomalies
        if n == 0:
            continue
        folder = os.path.join(args.root, f"{day:%Y/%m/%d}", sender)
        os.makedirs(folder, exist_ok=True)
        for i in range(n):
            with open(os.path.join(folder, f"{i}.eml"), "wb") as f:
                f.write(b"Subject: x\r\n\r\nx\r\n")
        files += n
print(files)
