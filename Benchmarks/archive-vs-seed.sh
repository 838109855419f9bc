#!/usr/bin/env bash
# Benchmark: mvpipe against the seed script (mailvolumealert.sh) on the same generated ASSP archive.
# Usage: Benchmarks/archive-vs-seed.sh [SENDERS] [DAYS]    (default 200 senders, 20 days, about 125 000 files)
# Needs: a release build (made here), python3, the seed script in ../shared/seed or $SEED_SCRIPT.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
senders=${1:-200}
days=${2:-20}
seed=${SEED_SCRIPT:-$here/../shared/seed/mailvolumealert.sh}
[ -f "$seed" ] || { echo "seed script not found at $seed (set SEED_SCRIPT)" >&2; exit 1; }

work=$(mktemp -d /tmp/mvpipe-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
echo "building mvpipe (release)…" >&2
# Built as `make` builds it for installation (Swift runtime linked in).
swift build -c release --static-swift-stdlib --package-path "$here" >&2
bin=$(swift build -c release --static-swift-stdlib --package-path "$here" --show-bin-path)/mvpipe

echo "generating archive: $senders senders × $days days…" >&2
files=$(python3 "$here/Benchmarks/gen_archive.py" "$work/archive" --senders "$senders" --days "$days")

# The seed script, pointed at this archive, with a mailx that discards the mail.
mkdir -p "$work/bin" "$work/seedrun"
printf '#!/bin/sh\ncat > /dev/null\n' > "$work/bin/mailx"
chmod +x "$work/bin/mailx"
sed "s|^ARCHIVEDIR=.*|ARCHIVEDIR=\"$work/archive\"|" "$seed" > "$work/seed.sh"

tz=$(cat /etc/timezone 2>/dev/null || echo UTC)
cat > "$work/pipeline.json" <<JSON
{ "timezone": "$tz", "state": "$work/state.sqlite",
  "sources": [{ "type": "assp-archive", "path": "$work/archive" }],
  "detectors": [{ "type": "percent-over-average", "days": 10, "percent": 150, "floor": 100 },
                { "type": "hard-cap", "limit": 200 }],
  "notifiers": [{ "type": "mailx", "command": "$work/bin/mailx", "to": ["admin@example.org"] }] }
JSON

# Wall-clock seconds of one command, measured by bash itself (no helper process inside the interval).
timed() {
    local t0=$EPOCHREALTIME
    "$@" > /dev/null 2>&1 || true
    local t1=$EPOCHREALTIME
    python3 -c "print(f'{$t1-$t0:.4f}')"
}

sync
seed_s=$(cd "$work/seedrun" && PATH="$work/bin:$PATH" timed bash "$work/seed.sh")
first_s=$(timed "$bin" run --config "$work/pipeline.json")
# The second run: the median of five (each reads today's folder again).
second_s=$(for i in 1 2 3 4 5; do timed "$bin" run --config "$work/pipeline.json"; done | sort -n | sed -n 3p)
seed2_s=$(cd "$work/seedrun" && PATH="$work/bin:$PATH" timed bash "$work/seed.sh")

python3 - "$files" "$senders" "$days" "$seed_s" "$seed2_s" "$first_s" "$second_s" <<'PY'
import sys
files, senders, days = sys.argv[1:4]
seed, seed2, first, second = map(float, sys.argv[4:8])
print(f"archive: {files} files, {senders} senders, {days} days (2 cores)")
print(f"{'command':<40}{'seconds':>10}{'vs seed':>12}")
print(f"{'mailvolumealert.sh (first run)':<40}{seed:>10.3f}{'1.0x':>12}")
print(f"{'mailvolumealert.sh (second run)':<40}{seed2:>10.3f}{'1.0x':>12}")
print(f"{'mvpipe run (first run, empty state)':<40}{first:>10.3f}{seed/first:>11.0f}x")
print(f"{'mvpipe run (second run, same day)':<40}{second:>10.3f}{seed2/second:>11.0f}x")
PY
