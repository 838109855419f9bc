#!/usr/bin/env bash
# Benchmark (not a test): mvpipe's postfix-journal source against `journalctl | grep -c`, on one journal file
# that systemd-journal-remote writes from a generated Postfix log.
#
#   Benchmarks/journal.sh                        # 1 million Postfix entries
#   JOURNAL_LINES=200000 Benchmarks/journal.sh   # smaller
#
# Generates the Postfix log (Benchmarks/maillog-generate.py), turns it into Journal Export Format entries with
# unrelated services' entries between them (Tests/Support/journal-export.py) and has systemd-journal-remote write
# the journal file (needs the package systemd-journal-remote: scripts/test-setup), once, under $JOURNAL_WORK;
# builds mvpipe in release mode; then times on the same (page-cached) file:
#   journalctl | grep -c       `journalctl -D DIR | grep -c sasl_username=` (what an admin types first)
#   journalctl -u | grep -c    `journalctl -D DIR _SYSTEMD_UNIT=postfix@-.service -o cat | grep -c 'client=.*sasl_username='`
# (systemd-journal-remote starts a new file every ~60 MB, so the folder holds several files, read by both.)
#   mvpipe counts              a postfix-journal source on the folder, fresh state
# and prints seconds, ratios and mvpipe's peak RSS; mvpipe's counts are checked against the generator's.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(dirname "$HERE")"
LINES="${JOURNAL_LINES:-1000000}"
WORK="${JOURNAL_WORK:-/var/tmp/mvpipe-journal-bench}"
SCRATCH="${MVPIPE_SCRATCH:-$REPO/.build-logs}"
REMOTE="${MVPIPE_JOURNAL_REMOTE:-/lib/systemd/systemd-journal-remote}"
DIR="$WORK/journal-$LINES"
TRUTH="$WORK/truth-$LINES.json"
mkdir -p "$WORK"
[ -x "$REMOTE" ] || { echo "needs $REMOTE (apt-get install systemd-journal-remote, or scripts/test-setup)" >&2; exit 1; }
command -v journalctl > /dev/null || { echo "needs journalctl (package systemd)" >&2; exit 1; }

echo "== build (release)"
(cd "$REPO" && swift build -c release --static-swift-stdlib --scratch-path "$SCRATCH" 2>&1 | tail -n 1)
BIN="$SCRATCH/release/mvpipe"

if [ ! -s "$DIR/postfix.journal" ] || [ ! -s "$TRUTH" ]; then
    echo "== generating $LINES Postfix lines and their journal file"
    rm -rf "$DIR"; mkdir -p "$DIR"
    python3 "$HERE/maillog-generate.py" --lines "$LINES" --out "$WORK/mail-$LINES.log" > "$TRUTH"
    TZ=UTC python3 "$REPO/Tests/Support/journal-export.py" --year 2026 "$WORK/mail-$LINES.log" \
        | "$REMOTE" -o "$DIR/postfix.journal" - 2> /dev/null
    rm -f "$WORK/mail-$LINES.log"
fi
echo "== journal: $DIR, $(ls "$DIR" | wc -l) files, $(du -sh "$DIR" | cut -f1), $(journalctl -D "$DIR" -q | wc -l) entries"
cat "$DIR"/*.journal > /dev/null

. "$HERE/measure.sh"

echo "== timing"
measure grep sh -c "journalctl -D '$DIR' -q | grep -c sasl_username="
measure unitgrep sh -c "journalctl -D '$DIR' -q _SYSTEMD_UNIT=postfix@-.service -o cat | grep -c 'client=.*sasl_username='"
rm -f "$WORK/state.sqlite" "$WORK/state.sqlite-wal" "$WORK/state.sqlite-shm" "$WORK/state.sqlite.lock"
cat > "$WORK/pipeline.json" <<JSON
{ "timezone": "UTC", "state": "$WORK/state.sqlite",
  "sources": [ { "type": "postfix-journal", "directory": "$DIR" } ],
  "notifiers": [ { "type": "console" } ] }
JSON
measure mvpipe "$BIN" counts --config "$WORK/pipeline.json" --day 2026-11-29 --now 2026-11-29T23:00 --json

echo "== check: mvpipe's counts equal what the generator wrote"
python3 - "$TRUTH" "$WORK/out-mvpipe.txt" <<'PY'
import json, sys
truth = json.load(open(sys.argv[1]))["users"]
got = {}
for line in open(sys.argv[2]):
    o = json.loads(line)
    if "user" in o: got[o["user"]] = {"messages": o["messages"], "recipients": o["recipients"]}
ok = got == truth
print(f"   {'OK' if ok else 'MISMATCH'}: {len(got)} users, {sum(v['messages'] for v in got.values())} messages")
sys.exit(0 if ok else 1)
PY

echo "== ratios of CPU seconds (lower is faster)"
M=${CPU_OF[mvpipe]:-0}
printf "   journalctl|grep / mvpipe     %s\n" "$(ratio "${CPU_OF[grep]:-0}" "$M")"
printf "   journalctl -u|grep / mvpipe  %s\n" "$(ratio "${CPU_OF[unitgrep]:-0}" "$M")"
echo "   mvpipe peak RSS              ${RSS_OF[mvpipe]:-?} KB (sd-journal maps the journal files: most of it is page cache)"
