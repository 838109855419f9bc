#!/usr/bin/env bash
# Benchmark (not a test): the state stores, SQLite (embedded) against PostgreSQL on loopback, through `mvpipe run`.
#
#   eval "$(scripts/test-postgres start)"        # or any PostgreSQL: MVPIPE_TEST_POSTGRES_URL, a role with CREATEDB
#   Benchmarks/state-stores.sh                   # 3.5 million lines (~470 MB), fleet of 3 × 100 000 users
#   STATE_LINES=1000000 FLEET_USERS=100000 Benchmarks/state-stores.sh
#   MVPIPE_BIN=.build-release/release/mvpipe Benchmarks/state-stores.sh   # skip the release build
#
# 1. One relay, one generated Postfix log (Benchmarks/maillog-generate.py): a first `run` over 99 % of it on a
#    fresh state, then the last 1 % is appended and an incremental `run` reads it (about what cron's 5 minutes add).
#    Once with a SQLite state, once with PostgreSQL (a new database).
# 2. A fleet: 3 relays, each with its own log of 100 000 users sending one message each (the same users on every
#    relay: Benchmarks/senders-generate.py), all three `run` at once: first runs, then an incremental round with
#    nothing new. SQLite: three relays with a state each (no fleet sums); PostgreSQL: one shared database.
# Prints wall-clock and CPU seconds (GNU time) and the PostgreSQL / SQLite ratios. The database URL (a secret) is
# never printed. Runs on 127.0.0.1 only; sends nothing anywhere.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(dirname "$HERE")"
LINES="${STATE_LINES:-3500000}"
USERS="${FLEET_USERS:-100000}"
WORK="${STATE_WORK:-/var/tmp/mvpipe-state-bench}"
URL="${MVPIPE_TEST_POSTGRES_URL:?set MVPIPE_TEST_POSTGRES_URL (eval \"\$(scripts/test-postgres start)\")}"
mkdir -p "$WORK"

if [ -n "${MVPIPE_BIN:-}" ]; then
    BIN="$MVPIPE_BIN"
else
    echo "== build (release)"
    (cd "$REPO" && swift build -c release --scratch-path "$REPO/.build-release" 2>&1 | tail -n 1)
    BIN="$REPO/.build-release/release/mvpipe"
fi
PSQL=$(ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | head -n 1)
PSQL=${PSQL:-psql}
# A new, empty database in the cluster; prints its URL.
new_database() {
    local name="mvpipe_bench_$1_$$"
    PGOPTIONS="-c client_min_messages=warning" "$PSQL" -q "$URL" -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name" > /dev/null
    python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$URL" "$name"
}

. "$HERE/measure.sh"

# --- 1. one relay, a first and an incremental run ----------------------------------------------------------
LOG="$WORK/mail-$LINES.log"
if [ ! -s "$LOG" ]; then
    echo "== generating $LINES lines"
    python3 "$HERE/maillog-generate.py" --lines "$LINES" --out "$LOG" > "$WORK/truth-$LINES.json"
fi
HEAD=$((LINES - LINES / 100))
echo "== log: $(numfmt --to=iec "$(stat -c %s "$LOG")"), $LINES lines; first run over $HEAD, incremental over $((LINES - HEAD))"
# Nov 29 without a year: --now on that day makes it this year's.
NOW_FIRST="2026-11-29T23:50"; NOW_NEXT="2026-11-29T23:55"

config() { # file, state JSON, log path, host
    cat > "$1" <<JSON
{ "timezone": "UTC", "host": "$4", "state": $2,
  "sources": [ { "type": "postfix-log", "paths": ["$3"] } ],
  "detectors": [ { "type": "hard-cap", "limit": 1000000 } ],
  "notifiers": [ { "type": "console" } ] }
JSON
}

for store in sqlite postgresql; do
    rm -f "$WORK/single-$store".*
    head -n "$HEAD" "$LOG" > "$WORK/single-$store.log"
    if [ "$store" = sqlite ]; then
        config "$WORK/single-$store.json" "\"$WORK/single-$store.sqlite\"" "$WORK/single-$store.log" mx1
    else
        export MVPIPE_BENCH_STATE_URL; MVPIPE_BENCH_STATE_URL=$(new_database single)
        config "$WORK/single-$store.json" '{"type": "postgresql", "url_env": "MVPIPE_BENCH_STATE_URL", "timeout_seconds": 600}' "$WORK/single-$store.log" mx1
    fi
    measure "first-$store" "$BIN" run --config "$WORK/single-$store.json" --now "$NOW_FIRST"
    tail -n "+$((HEAD + 1))" "$LOG" >> "$WORK/single-$store.log"
    measure "next-$store" "$BIN" run --config "$WORK/single-$store.json" --now "$NOW_NEXT"
done

for store in sqlite postgresql; do
    "$BIN" counts --config "$WORK/single-$store.json" --day 2026-11-29 --json --now "$NOW_NEXT" > "$WORK/counts-$store.txt"
done
python3 - "$WORK/truth-$LINES.json" "$WORK/counts-sqlite.txt" "$WORK/counts-postgresql.txt" <<'PY'
import json, sys
truth = {u: v["messages"] for u, v in json.load(open(sys.argv[1]))["users"].items()}
for name, path in (("SQLite", sys.argv[2]), ("PostgreSQL", sys.argv[3])):
    got = {o["user"]: o["messages"] for o in map(json.loads, open(path))}
    print(f"   {name}: {'OK' if got == truth else 'MISMATCH'}, {len(got)} users, {sum(got.values())} messages (generator: {sum(truth.values())})")
PY

# --- 2. a fleet of three relays ----------------------------------------------------------------------------
echo "== fleet: 3 relays × $USERS users"
for r in 1 2 3; do
    [ -s "$WORK/senders-$USERS-$r.log" ] || python3 "$HERE/senders-generate.py" --users "$USERS" --day 2026-11-29 --out "$WORK/senders-$USERS-$r.log"
done
export MVPIPE_BENCH_FLEET_URL; MVPIPE_BENCH_FLEET_URL=$(new_database fleet)
for r in 1 2 3; do
    rm -f "$WORK/fleet-sqlite-$r".sqlite*
    config "$WORK/fleet-sqlite-$r.json" "\"$WORK/fleet-sqlite-$r.sqlite\"" "$WORK/senders-$USERS-$r.log" "mx$r"
    config "$WORK/fleet-postgresql-$r.json" '{"type": "postgresql", "url_env": "MVPIPE_BENCH_FLEET_URL", "timeout_seconds": 600}' "$WORK/senders-$USERS-$r.log" "mx$r"
done
# Runs the three relays at once; fails when any of them failed.
fleet_round() { # store, now
    local pids=() r status=0
    for r in 1 2 3; do "$BIN" run --config "$WORK/fleet-$1-$r.json" --now "$2" > /dev/null & pids+=($!); done
    for r in "${pids[@]}"; do wait "$r" || status=1; done
    return $status
}
export -f fleet_round; export BIN WORK
for store in sqlite postgresql; do
    measure "fleet-first-$store" bash -c "fleet_round $store $NOW_FIRST"
    measure "fleet-next-$store" bash -c "fleet_round $store $NOW_NEXT"
done
SUMS=$(MVPIPE_BENCH_FLEET_URL=$MVPIPE_BENCH_FLEET_URL "$BIN" counts --config "$WORK/fleet-postgresql-1.json" --day 2026-11-29 --json --now "$NOW_NEXT" | python3 -c '
import json, sys
c = [json.loads(l)["messages"] for l in sys.stdin]
print(f"{len(c)} users, {sum(c)} messages, each {min(c)}..{max(c)}")')
echo "   fleet sums (PostgreSQL): $SUMS (expected $USERS users, each 3)"

echo "== PostgreSQL / SQLite (CPU of mvpipe; wall clock in parentheses; PostgreSQL's own CPU is not included)"
for name in first next fleet-first fleet-next; do
    printf "   %-12s %s (%s)\n" "$name" "$(ratio "${CPU_OF[$name-postgresql]:-0}" "${CPU_OF[$name-sqlite]:-0}")" \
        "$(ratio "${SECONDS_OF[$name-postgresql]:-0}" "${SECONDS_OF[$name-sqlite]:-0}")"
done
