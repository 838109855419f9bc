#!/usr/bin/env bash
# Captures real Postfix logs for the postfix-log fixtures (Tests/Fixtures/postfix).
#
# Runs a real Postfix (Debian 12, 3.7) on loopback with SASL submission (587 STARTTLS, 465 smtps)
# relaying to an aiosmtpd sink on 127.0.0.1:2525, following shared/postfix-lab/README.md.
# Nothing leaves 127.0.0.0/8.
#
# The same scenario runs twice:
#   run 1: Postfix logs to syslog; rsyslog writes RFC 3339 (Debian default) and traditional format;
#   run 2: Postfix's own log writer (maillog_file, zero-padded day), with long queue IDs.
# Results go to Tests/Fixtures/postfix/ of this repository, with expected.json; the tests
# (Tests/MVPipeTests/LogParse and Tests/MVPipeTests/Logs) check `mvpipe counts` against it.
#
# Idempotent; must run as root. Stops only the processes it started (by PID / postfix stop).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(dirname "$HERE")"
LAB="${POSTFIX_LAB:-$REPO/../shared/postfix-lab}"
[ -d "$LAB" ] || LAB=/work/shared/postfix-lab
OUT="$REPO/Tests/Fixtures/postfix"
WORK=/var/tmp/mvpipe-postfix-lab
PY=/usr/bin/python3
PASS=secret
DOMAIN=example.org

[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }
mkdir -p "$WORK" "$OUT"

SINK_PID=""
RSYSLOG_PID=""
POSTFIX_STARTED=0
cleanup() {
    if [ "$POSTFIX_STARTED" = 1 ]; then postfix stop >/dev/null 2>&1 || true; POSTFIX_STARTED=0; fi
    if [ -n "$SINK_PID" ]; then kill "$SINK_PID" 2>/dev/null || true; wait "$SINK_PID" 2>/dev/null || true; SINK_PID=""; fi
    if [ -n "$RSYSLOG_PID" ]; then kill "$RSYSLOG_PID" 2>/dev/null || true; RSYSLOG_PID=""; fi
}
trap cleanup EXIT

# --- 1. packages ---------------------------------------------------------------------------
need=()
for p in postfix libsasl2-modules sasl2-bin swaks ssl-cert python3-aiosmtpd rsyslog; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
    # Someone else may be using apt: wait for their log to say "done" if that log exists.
    if [ -f /tmp/apt.log ]; then
        for _ in $(seq 1 360); do [ "$(tail -n 1 /tmp/apt.log)" = done ] && break; sleep 5; done
    fi
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    echo "postfix postfix/mailname string mail.$DOMAIN" | debconf-set-selections
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}"
fi

# --- 2. configuration ----------------------------------------------------------------------
[ -f /etc/ssl/certs/ssl-cert-snakeoil.pem ] || make-ssl-cert generate-default-snakeoil
adduser postfix sasl >/dev/null 2>&1 || true
adduser postfix ssl-cert >/dev/null 2>&1 || true
install -m 644 "$LAB/main.cf" /etc/postfix/main.cf
install -m 644 "$LAB/master.cf" /etc/postfix/master.cf
mkdir -p /etc/postfix/sasl
install -m 644 "$LAB/smtpd.conf" /etc/postfix/sasl/smtpd.conf
echo "mail.$DOMAIN" > /etc/mailname
[ -f /etc/aliases ] || echo "postmaster: root" > /etc/aliases
newaliases
for u in alice bob carol; do echo "$PASS" | saslpasswd2 -p -c -u "$DOMAIN" "$u"; done
chown root:postfix /etc/sasldb2; chmod 640 /etc/sasldb2

# Postfix may still run from an earlier, interrupted run of this script: stop it.
postfix status >/dev/null 2>&1 && postfix stop >/dev/null 2>&1 || true
sleep 1

wait_port() { # port
    for _ in $(seq 1 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "port $1 did not open" >&2; return 1
}

start_sink() {
    "$PY" -m aiosmtpd -n -l 127.0.0.1:2525 -c aiosmtpd.handlers.Sink >"$WORK/sink.log" 2>&1 &
    SINK_PID=$!
    wait_port 2525
}

swaks_q() { swaks --silent 2 --server 127.0.0.1 "$@" >>"$WORK/swaks.log" 2>&1; }
sub587() { swaks_q --port 587 --tls --auth PLAIN --auth-user "$1@$DOMAIN" --auth-password "$2" --from "$1@$DOMAIN" --to "$3" --header "Subject: test from $1"; }
sub465() { swaks_q --port 465 --tls-on-connect --auth LOGIN --auth-user "$1@$DOMAIN" --auth-password "$2" --from "$1@$DOMAIN" --to "$3" --header "Subject: test from $1"; }

# The scenario; must match expected.json below.
send_all() {
    # alice: 5 messages, 1 recipient each; 3 via 587, 2 via 465. Some run concurrently so lines interleave.
    sub587 alice "$PASS" r1@remote.test & a=$!
    sub465 alice "$PASS" r2@remote.test & b=$!
    sub587 bob "$PASS" b1@remote.test,b2@remote.test & c=$!
    wait $a $b $c
    sub587 alice "$PASS" r3@remote.test & a=$!
    sub465 bob "$PASS" b3@remote.test,b4@remote.test & b=$!
    sub465 alice "$PASS" r4@remote.test & c=$!
    wait $a $b $c
    sub587 alice "$PASS" r5@remote.test & a=$!
    sub587 bob "$PASS" b5@remote.test,b6@remote.test & b=$!
    sub465 carol "$PASS" c1@remote.test & c=$!
    wait $a $b $c
    # 2 failed logins (wrong password): swaks fails, which is expected.
    sub587 alice wrong x@remote.test || true
    sub465 bob wrong x@remote.test || true
    # 1 local submission through sendmail -> pickup (uid 0).
    printf 'Subject: local pickup\n\nhello from cron\n' | sendmail -f "root@$DOMAIN" "ops@remote.test"
    # 1 unauthenticated inbound message on port 25.
    swaks_q --port 25 --from sender@remote.test --to "postmaster@$DOMAIN" --header "Subject: inbound"
}

wait_drain() {
    for _ in $(seq 1 120); do
        if postqueue -p 2>/dev/null | grep -q "Mail queue is empty"; then sleep 2; return 0; fi
        sleep 1
    done
    echo "queue did not drain" >&2; postqueue -p >&2; return 1
}

run_postfix() {
    postfix check
    postfix start
    POSTFIX_STARTED=1
    wait_port 25; wait_port 587; wait_port 465
    send_all
    wait_drain
    postfix stop
    POSTFIX_STARTED=0
    sleep 1
}

: >"$WORK/swaks.log"

# --- 3. run 1: syslog via rsyslog ----------------------------------------------------------
RSYS_OK=0
mkdir -p "$WORK/rsyslog"
rm -f "$WORK/rfc3339.log" "$WORK/traditional.log"
cat >"$WORK/rsyslog.conf" <<EOF
global(workDirectory="$WORK/rsyslog")
module(load="imuxsock" SysSock.Use="on" SysSock.Name="/dev/log")
mail.* action(type="omfile" file="$WORK/rfc3339.log" template="RSYSLOG_FileFormat")
mail.* action(type="omfile" file="$WORK/traditional.log" template="RSYSLOG_TraditionalFileFormat")
EOF
if [ -S /dev/log ] && ! pgrep -x rsyslogd >/dev/null; then rm -f /dev/log; fi
if [ ! -e /dev/log ]; then
    rsyslogd -n -f "$WORK/rsyslog.conf" -i "$WORK/rsyslog.pid" >"$WORK/rsyslogd.out" 2>&1 &
    RSYSLOG_PID=$!
    for _ in $(seq 1 50); do [ -S /dev/log ] && break; sleep 0.1; done
    [ -S /dev/log ] && RSYS_OK=1
else
    echo "warning: /dev/log is owned by another syslog daemon; skipping the rsyslog run" >&2
fi
if [ "$RSYS_OK" = 1 ]; then
    postconf -e "maillog_file =" "enable_long_queue_ids = no"
    start_sink
    run_postfix
    sleep 1
    kill "$SINK_PID"; wait "$SINK_PID" 2>/dev/null || true; SINK_PID=""
    kill "$RSYSLOG_PID"; wait "$RSYSLOG_PID" 2>/dev/null || true; RSYSLOG_PID=""
    rm -f /dev/log
    cp "$WORK/rfc3339.log" "$OUT/postfix-rsyslog-rfc3339.log"
    cp "$WORK/traditional.log" "$OUT/postfix-rsyslog-traditional.log"
else
    echo "warning: rsyslog could not run; only the maillog_file capture is made" >&2
fi

# --- 4. run 2: Postfix's own maillog_file, long queue IDs ----------------------------------
rm -f /var/log/postfix.log
postconf -e "maillog_file = /var/log/postfix.log" "enable_long_queue_ids = yes"
start_sink
run_postfix
kill "$SINK_PID"; wait "$SINK_PID" 2>/dev/null || true; SINK_PID=""
cp /var/log/postfix.log "$OUT/postfix-maillog_file.log"
postconf -e "maillog_file =" "enable_long_queue_ids = no"

# --- 5. what was sent ----------------------------------------------------------------------
cat >"$OUT/expected.json" <<'EOF'
{
  "description": "What scripts/postfix-lab-capture.sh sent in each run. Counted per SASL user: messages = distinct queue IDs on smtpd client= lines with sasl_username; recipients = nrcpt of the first qmgr line of each such queue ID.",
  "users": {
    "alice@example.org": { "messages": 5, "recipients": 5 },
    "bob@example.org": { "messages": 3, "recipients": 6 },
    "carol@example.org": { "messages": 1, "recipients": 1 }
  },
  "failedLogins": 2,
  "pickupMessages": 1,
  "unauthenticatedInbound": 1,
  "files": [
    "postfix-maillog_file.log",
    "postfix-rsyslog-rfc3339.log",
    "postfix-rsyslog-traditional.log"
  ]
}
EOF
echo "captured:"; ls -l "$OUT"
