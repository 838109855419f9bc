#!/usr/bin/env bash
# Benchmark (not a test): mvpipe's exim-log source against the tools an Exim admin would otherwise use, on one
# generated Exim 4.96 main log.
#
#   Benchmarks/exim.sh                       # about 3 million lines (~560 MB)
#   EXIM_LINES=500000 Benchmarks/exim.sh     # smaller
#   EXIM_SELECTOR=received_recipients Benchmarks/exim.sh   # arrival lines carry `for` lists
#
# Generates the log once (Benchmarks/exim-generate.py, deterministic, the line shapes of the real captures in
# Tests/Fixtures/exim/) under $EXIM_WORK, builds mvpipe in release mode, unpacks Debian's exim4-base (for
# exigrep and eximstats, Perl scripts; apt-get download + dpkg -x into the work folder, nothing installed), then
# times on the same (page-cached) file:
#   wc -l                the floor: reading the bytes
#   awk one-liner        counts arrival lines with A= per login (no recipients, days, state)
#   exigrep             `exigrep A=plain_server`: every line of the authenticated messages (piped to wc -l)
#   eximstats           `eximstats -ne -nr -nt -byemail`: Exim's own per-sender statistics
#   mvpipe counts       an exim-log source on a fresh state: per login and day, recipients, checkpoint, SQLite
# and prints seconds, ratios and mvpipe's peak RSS. mvpipe's counts are checked against what the generator wrote.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(dirname "$HERE")"
LINES="${EXIM_LINES:-3000000}"
SELECTOR="${EXIM_SELECTOR:-default}"
WORK="${EXIM_WORK:-/var/tmp/mvpipe-exim-bench}"
SCRATCH="${MVPIPE_SCRATCH:-$REPO/.build-logs}"
LOG="$WORK/mainlog-$SELECTOR-$LINES"
TRUTH="$WORK/truth-$SELECTOR-$LINES.json"
mkdir -p "$WORK"

echo "== build (release)"
(cd "$REPO" && swift build -c release --static-swift-stdlib --scratch-path "$SCRATCH" 2>&1 | tail -n 1)
BIN="$SCRATCH/release/mvpipe"

TOOLS="$WORK/exim4-base"
if [ ! -x "$TOOLS/usr/sbin/eximstats" ]; then
    echo "== unpacking Debian's exim4-base (exigrep, eximstats) into $TOOLS"
    (cd "$WORK" && rm -f exim4-base_*.deb && apt-get download exim4-base > /dev/null)
    dpkg -x "$WORK"/exim4-base_*.deb "$TOOLS"
fi

if [ ! -s "$LOG" ] || [ ! -s "$TRUTH" ]; then
    echo "== generating $LINES lines ($SELECTOR log_selector)"
    flag=()
    [ "$SELECTOR" = received_recipients ] && flag=(--received-recipients)
    python3 "$HERE/exim-generate.py" --lines "$LINES" --out "$LOG" "${flag[@]}" > "$TRUTH"
fi
SIZE=$(stat -L -c %s "$LOG")
echo "== log: $LOG, $(numfmt --to=iec "$SIZE"), $(wc -l < "$LOG") lines"
cat "$LOG" > /dev/null

. "$HERE/measure.sh"

echo "== timing"
measure wc wc -l "$LOG"
measure awk awk '/ <= / && / A=/ { sub(/.* A=[^:]*:/, ""); sub(/ S=.*/, ""); n[$0]++ } END { for (u in n) print n[u], u }' "$LOG"
measure exigrep sh -c "perl '$TOOLS/usr/sbin/exigrep' A=plain_server '$LOG' | wc -l"
measure eximstats perl "$TOOLS/usr/sbin/eximstats" -ne -nr -nt -byemail "$LOG"
rm -f "$WORK/state.sqlite" "$WORK/state.sqlite-wal" "$WORK/state.sqlite-shm" "$WORK/state.sqlite.lock"
cat > "$WORK/pipeline.json" <<JSON
{ "timezone": "UTC", "state": "$WORK/state.sqlite",
  "sources": [ { "type": "exim-log", "paths": ["$LOG"] } ],
  "notifiers": [ { "type": "console" } ] }
JSON
measure mvpipe "$BIN" counts --config "$WORK/pipeline.json" --day 2026-12-02 --now 2026-12-02T23:00 --json

echo "== check: mvpipe's counts equal what the generator wrote"
python3 - "$TRUTH" "$WORK/out-mvpipe.txt" <<'PY'
import json, sys
truth = json.load(open(sys.argv[1]))["users"]
got = {}
for line in open(sys.argv[2]):
    o = json.loads(line)
    if "user" in o: got[o["user"]] = {"messages": o["messages"], "recipients": o["recipients"]}
ok = got == truth
print(f"   {'OK' if ok else 'MISMATCH'}: {len(got)} logins, {sum(v['messages'] for v in got.values())} messages, "
      f"{sum(v['recipients'] for v in got.values())} recipients")
sys.exit(0 if ok else 1)
PY

echo "== ratios of CPU seconds (lower is faster)"
M=${CPU_OF[mvpipe]:-0}
printf "   mvpipe / wc          %s\n" "$(ratio "$M" "${CPU_OF[wc]:-0}")"
printf "   mvpipe / awk         %s\n" "$(ratio "$M" "${CPU_OF[awk]:-0}")"
printf "   exigrep / mvpipe     %s\n" "$(ratio "${CPU_OF[exigrep]:-0}" "$M")"
printf "   eximstats / mvpipe   %s\n" "$(ratio "${CPU_OF[eximstats]:-0}" "$M")"
echo "   mvpipe peak RSS      ${RSS_OF[mvpipe]:-?} KB"
