#!/usr/bin/env bash
# Benchmark (not a test): mvpipe's postfix-log source against the usual tools on one generated Postfix log.
#
#   Benchmarks/maillog.sh                 # about 3.5 million lines (~470 MB)
#   MAILLOG_LINES=500000 Benchmarks/maillog.sh   # smaller
#   MAILLOG_MIX=relay Benchmarks/maillog.sh      # an inbound-heavy relay: postscreen, TLS, lmtp, bounces
#                                                # around the submissions (maillog-generate.py --mix relay)
#
# Generates the log once (Benchmarks/maillog-generate.py, deterministic) under $MAILLOG_WORK, builds mvpipe in
# release mode, then times on the same (page-cached) file:
#   wc -l                      the floor: reading the bytes
#   awk one-liner              counts client= lines with sasl_username= per user (no days, recipients, dedup, state)
#   pflogsumm                  Debian's pflogsumm (skipped if not installed: apt-get install pflogsumm)
#   mtail --one_shot           with the stock postfix.mtail example (skipped if not installed: apt-get install mtail)
#   mvpipe counts              a postfix-log source on a fresh state: per user and day, recipients, dedup by
#                              queue ID, checkpoint and counts stored in SQLite
# and prints seconds, ratios and mvpipe's peak RSS (/usr/bin/time -v). mvpipe's counts are checked against what
# the generator wrote. Runs on 127.0.0.1 only; sends nothing anywhere.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(dirname "$HERE")"
LINES="${MAILLOG_LINES:-3500000}"
MIX="${MAILLOG_MIX:-submission}"
WORK="${MAILLOG_WORK:-/var/tmp/mvpipe-maillog-bench}"
SCRATCH="${MVPIPE_SCRATCH:-$REPO/.build-logs}"
LOG="$WORK/mail-$MIX-$LINES.log"
TRUTH="$WORK/truth-$MIX-$LINES.json"
mkdir -p "$WORK"

echo "== build (release)"
(cd "$REPO" && swift build -c release --static-swift-stdlib --scratch-path "$SCRATCH" 2>&1 | tail -n 1)
BIN="$SCRATCH/release/mvpipe"

if [ ! -s "$LOG" ] || [ ! -s "$TRUTH" ]; then
    echo "== generating $LINES lines"
    python3 "$HERE/maillog-generate.py" --lines "$LINES" --mix "$MIX" --out "$LOG" > "$TRUTH"
fi
SIZE=$(stat -L -c %s "$LOG")
echo "== log: $LOG, $(numfmt --to=iec "$SIZE"), $(wc -l < "$LOG") lines"
cat "$LOG" > /dev/null  # warm the page cache for every contender

# The generated day is "Nov 29" without a year: mvpipe reads it as this year unless November is more than
# one month ahead of today's month.
YEAR=$(date +%Y); MONTH=$((10#$(date +%m)))
if [ $((11 - MONTH)) -gt 1 ]; then YEAR=$((YEAR - 1)); fi
DAY="$YEAR-11-29"

. "$HERE/measure.sh"

echo "== timing"
measure wc wc -l "$LOG"
measure awk awk '/ client=/ && /sasl_username=/ { sub(/.*sasl_username=/, ""); n[$0]++ } END { for (u in n) print n[u], u }' "$LOG"
if command -v pflogsumm > /dev/null; then
    measure pflogsumm pflogsumm "$LOG"
else
    echo "   pflogsumm  not installed (apt-get install pflogsumm)"
fi
MTAIL_PROG=/usr/share/doc/mtail/examples/postfix.mtail
if command -v mtail > /dev/null && [ -f "$MTAIL_PROG" ]; then
    mkdir -p "$WORK/mtail-progs"; cp "$MTAIL_PROG" "$WORK/mtail-progs/"
    measure mtail mtail --one_shot --one_shot_format json --progs "$WORK/mtail-progs" --logs "$LOG" --logtostderr
else
    echo "   mtail      not installed (apt-get install mtail)"
fi
rm -f "$WORK/state.sqlite" "$WORK/state.sqlite-wal" "$WORK/state.sqlite-shm" "$WORK/state.sqlite.lock"
cat > "$WORK/pipeline.json" <<JSON
{ "timezone": "UTC", "state": "$WORK/state.sqlite",
  "sources": [ { "type": "postfix-log", "paths": ["$LOG"] } ],
  "notifiers": [ { "type": "console" } ] }
JSON
measure mvpipe "$BIN" counts --config "$WORK/pipeline.json" --day "$DAY" --json
# Again, nothing new to read (the incremental path), under `time -v` for the full resource report.
/usr/bin/time -v -o "$WORK/time-v-mvpipe2.txt" "$BIN" counts --config "$WORK/pipeline.json" --day "$DAY" --json > "$WORK/out-mvpipe2.txt"
AGAIN=$(awk -F': ' '/Elapsed/ {print $2}' "$WORK/time-v-mvpipe2.txt")

echo "== check: mvpipe's counts equal what the generator wrote"
python3 - "$TRUTH" "$WORK/out-mvpipe.txt" "$WORK/out-mvpipe2.txt" <<'PY'
import json, sys
truth = json.load(open(sys.argv[1]))["users"]
got = {}
for line in open(sys.argv[2]):
    o = json.loads(line); got[o["user"]] = {"messages": o["messages"], "recipients": o["recipients"]}
again = {}
for line in open(sys.argv[3]):
    o = json.loads(line); again[o["user"]] = {"messages": o["messages"], "recipients": o["recipients"]}
ok = got == truth and again == truth
print(f"   {'OK' if ok else 'MISMATCH'}: {len(got)} users, {sum(v['messages'] for v in got.values())} messages, "
      f"{sum(v['recipients'] for v in got.values())} recipients (second run, nothing new: {'same' if again == got else 'DIFFERENT'})")
sys.exit(0 if ok else 1)
PY

echo "== ratios of CPU seconds (lower is faster; wall-clock ratios in parentheses)"
M=${SECONDS_OF[mvpipe]:-0}
C=${CPU_OF[mvpipe]:-0}
printf "   mvpipe / wc        %s (%s)\n" "$(ratio "$C" "${CPU_OF[wc]:-0}")" "$(ratio "$M" "${SECONDS_OF[wc]:-0}")"
printf "   mvpipe / awk       %s (%s)   (target: at most 1.5)\n" "$(ratio "$C" "${CPU_OF[awk]:-0}")" "$(ratio "$M" "${SECONDS_OF[awk]:-0}")"
[ -n "${SECONDS_OF[pflogsumm]:-}" ] && printf "   pflogsumm / mvpipe %s (%s)   (target: at least 25)\n" "$(ratio "${CPU_OF[pflogsumm]}" "$C")" "$(ratio "${SECONDS_OF[pflogsumm]}" "$M")"
[ -n "${SECONDS_OF[mtail]:-}" ] && printf "   mtail / mvpipe     %s (%s)\n" "$(ratio "${CPU_OF[mtail]}" "$C")" "$(ratio "${SECONDS_OF[mtail]}" "$M")"
printf "   mvpipe throughput  %s MB/s, %s lines/s\n" "$(ratio "$((SIZE / 1000000))" "$M")" "$(ratio "$(wc -l < "$LOG")" "$M")"
echo "   mvpipe peak RSS    ${RSS_OF[mvpipe]:-?} KB (target: under 65536 KB; GNU time's Maximum resident set size)"
echo "   mvpipe second run  $AGAIN (nothing new to read)"
