#!/usr/bin/env bash
# Benchmark (not a test: it writes ~2.5 GB to disk and takes minutes): mvpipe's memory stays bounded
# on a 2 GB Postfix log and on a million distinct senders, because counts live in SQLite, not in RAM.
#
#   Benchmarks/resource-limits.sh
#   RL_LOG_MB=2048 RL_SENDERS=1000000 RL_WORK=/tmp/mvpipe-resource-limits Benchmarks/resource-limits.sh
#
# Builds mvpipe in release mode, generates (streaming, never in memory) a RL_LOG_MB log with
# Benchmarks/maillog-generate.py (2 000 users, interleaved sessions, deferred retries, noise) and a log in
# which RL_SENDERS distinct SASL users send one message each (Benchmarks/senders-generate.py), then measures
# each with GNU time (`/usr/bin/time -v`, Debian package `time`): elapsed seconds and peak RSS of
#   counts on the 2 GB log (fresh state), and again (nothing new: the incremental path);
#   run on the 1M-sender log (fresh state: read, store 1M rows, judge 1M users), and again.
# Prints a Markdown table for the README. The work folder is removed at the end unless RL_KEEP=1.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(dirname "$HERE")"
LOG_MB="${RL_LOG_MB:-2048}"
SENDERS="${RL_SENDERS:-1000000}"
WORK="${RL_WORK:-/tmp/mvpipe-resource-limits}"
SCRATCH="${MVPIPE_SCRATCH:-$REPO/.build-bench}"
[ -x /usr/bin/time ] || { echo "needs GNU time: apt-get install time (scripts/test-setup installs it)" >&2; exit 1; }
mkdir -p "$WORK"
[ "${RL_KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT

echo "== build (release)" >&2
(cd "$REPO" && swift build -c release --static-swift-stdlib --scratch-path "$SCRATCH" 2>&1 | tail -n 1) >&2
BIN="$SCRATCH/release/mvpipe"

# maillog-generate.py writes about 143 bytes per line.
LINES=$((LOG_MB * 1024 * 1024 / 143))
BIG="$WORK/big.log"
if [ ! -s "$BIG" ]; then
    echo "== generating a ${LOG_MB} MB log ($LINES lines)" >&2
    python3 "$HERE/maillog-generate.py" --lines "$LINES" --out "$BIG" > "$WORK/big-truth.json"
fi
MANY="$WORK/senders.log"
if [ ! -s "$MANY" ]; then
    echo "== generating a log of $SENDERS distinct senders" >&2
    python3 "$HERE/senders-generate.py" --users "$SENDERS" --out "$MANY"
fi

config() { # name, log
    cat > "$WORK/$1.json" <<JSON
{"timezone": "UTC", "state": "$WORK/$1.sqlite", "sources": [{"type": "postfix-log", "paths": ["$2"]}],
 "notifiers": [{"type": "console"}]}
JSON
    rm -f "$WORK/$1.sqlite" "$WORK/$1.sqlite.lock"
}

ROWS=()
measure() { # label, command...
    local label="$1"; shift
    /usr/bin/time -v -o "$WORK/time.txt" "$@" > "$WORK/out.txt"
    local rss secs
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$WORK/time.txt")
    secs=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$WORK/time.txt")
    echo "== $label: $secs, peak RSS $((rss / 1024)) MB" >&2
    ROWS+=("| $label | $secs | $((rss / 1024)) MB |")
}

config big "$BIG"
SIZE=$(stat -c %s "$BIG")
measure "counts, $(numfmt --to=iec "$SIZE") log ($(wc -l < "$BIG") lines, fresh state)" \
    "$BIN" counts --config "$WORK/big.json" --day 2026-11-29 --now 2026-11-29T23:00 --json
users=$(wc -l < "$WORK/out.txt")
python3 - "$WORK/big-truth.json" "$WORK/out.txt" <<'PY'
import json, sys
truth = {u: v["messages"] for u, v in json.load(open(sys.argv[1]))["users"].items()}
got = {o["user"]: o["messages"] for o in map(json.loads, open(sys.argv[2])) if "user" in o}
if got != truth:
    sys.exit(f"counts differ from what the generator wrote: {len(got)} users counted, {len(truth)} written")
PY
measure "counts again (nothing new)" "$BIN" counts --config "$WORK/big.json" --day 2026-11-29 --now 2026-11-29T23:30 --json

config many "$MANY"
measure "run, $SENDERS distinct senders ($(numfmt --to=iec "$(stat -c %s "$MANY")") log, fresh state)" \
    "$BIN" run --config "$WORK/many.json" --now 2026-11-29T23:00
rows=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from volume').fetchone()[0])" "$WORK/many.sqlite")
measure "run again (nothing new, $rows users judged)" "$BIN" run --config "$WORK/many.json" --now 2026-11-29T23:30
[ "$rows" -eq "$SENDERS" ] || { echo "expected $SENDERS users in the state, found $rows" >&2; exit 1; }

echo
echo "| workload | elapsed | peak RSS |"
echo "| --- | --- | --- |"
printf '%s\n' "${ROWS[@]}"
echo
echo "($users users in the big log, counts equal to what the generator wrote; $(nproc) cores, $(uname -m), $(date +%Y-%m-%d))"
