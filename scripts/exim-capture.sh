#!/usr/bin/env bash
# Captures real Exim mainlogs for the exim-log fixtures (Tests/Fixtures/exim).
#
# Runs Debian 12's Exim (exim4-daemon-light, fetched with `apt-get download` and unpacked
# with `dpkg -x` into a scratch folder; the machine's MTA, Postfix or none, is left alone)
# with the configuration Tests/Fixtures/exim/exim4.conf.in on 127.0.0.1, relaying to an
# aiosmtpd sink on 127.0.0.1 (scripts/exim-capture.py sink). scripts/exim-capture.py send
# sends the scenario and writes truth.json from what it sent. Nothing leaves 127.0.0.0/8.
#
# Debian's binary needs the user Debian-exim. Exim keeps root for a -C configuration only
# when root, or the Exim user with a file listed in /etc/exim4/trusted_configs, calls it, so a
# local user's submission (www-data, U=www-data P=local) must read the compiled-in
# /etc/exim4/exim4.conf. None of this is made on the machine: the capture runs in a private
# mount namespace (unshare -m) in which a copy of /etc with the user, trusted_configs and
# /etc/exim4/exim4.conf (the run's configuration) is bind-mounted over /etc. The daemon and
# the queue runs use -C with the same file.
#
# Three runs of the same scenario, each with a fresh spool and log:
#   default              Exim's default log_selector (Debian 12 sets none), machine time zone (TZ=UTC)
#   received_recipients  log_selector = +received_recipients
#   all                  log_selector = +all, log_timezone = true, timezone = America/New_York
# Results go to Tests/Fixtures/exim/<run>/. Not run in CI; must run as root. Stops only the
# processes it started (by PID). Scratch folder: $EXIM_LAB (default /var/tmp/mvpipe-exim-lab).
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
REPO="$(dirname "$HERE")"
OUT="$REPO/Tests/Fixtures/exim"
LAB="${EXIM_LAB:-/var/tmp/mvpipe-exim-lab}"
PY=/usr/bin/python3
HELPER="$HERE/exim-capture.py"
MX_PORT="${EXIM_MX_PORT:-10025}"
SUB_PORT="${EXIM_SUB_PORT:-10587}"
SMTPS_PORT="${EXIM_SMTPS_PORT:-10465}"
SINK_PORT="${EXIM_SINK_PORT:-10026}"
EXIM="$LAB/root/usr/sbin/exim4"
RUNS=(default received_recipients all)
export TZ=UTC

[ "$(id -u)" = 0 ] || { echo "run as root" >&2; exit 1; }

wait_port() { # port
    for _ in $(seq 1 200); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "port $1 did not open" >&2; return 1
}

if [ "${1:-}" != --inside ]; then
    # --- 1. packages: the lab's tools, Exim's libraries, and Exim itself (not installed) -------
    need=()
    for p in swaks python3-aiosmtpd openssl util-linux \
             libgnutls-dane0 libgnutls30 libidn12 libidn2-0 libnsl2 libdb5.3 libpcre2-8-0 libcrypt1; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
    done
    if [ ${#need[@]} -gt 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}"
    fi
    for p in swaks python3-aiosmtpd; do
        dpkg-query -W -f='${Status}' "$p" | grep -q "install ok installed"
    done
    mkdir -p "$LAB/debs"
    chmod 755 "$LAB"
    if ! ls "$LAB"/debs/exim4-daemon-light_*.deb >/dev/null 2>&1; then
        (cd "$LAB/debs" && apt-get download exim4-daemon-light exim4-base exim4-config)
    fi
    rm -rf "$LAB/root"
    for d in "$LAB"/debs/*.deb; do dpkg -x "$d" "$LAB/root"; done
    if ldd "$EXIM" | grep -q 'not found'; then ldd "$EXIM" >&2; echo "Exim's libraries are missing" >&2; exit 1; fi
    exec unshare -m --propagation private "$0" --inside
fi

# --- 2. inside the private mount namespace ---------------------------------------------------
SINK_PID=""
EXIM_PID=""
cleanup() {
    if [ -n "$EXIM_PID" ]; then kill "$EXIM_PID" 2>/dev/null || true; wait "$EXIM_PID" 2>/dev/null || true; EXIM_PID=""; fi
    if [ -n "$SINK_PID" ]; then kill "$SINK_PID" 2>/dev/null || true; wait "$SINK_PID" 2>/dev/null || true; SINK_PID=""; fi
    rm -rf "$LAB/etc"   # the /etc copy (it holds a copy of /etc/shadow)
}
trap cleanup EXIT

# A copy of /etc with the user Debian-exim and /etc/exim4/trusted_configs, over /etc here only.
rm -rf "$LAB/etc"
mkdir -m 700 "$LAB/etc"
cp -a /etc/. "$LAB/etc/"
eximid=150
while getent passwd "$eximid" >/dev/null || getent group "$eximid" >/dev/null; do eximid=$((eximid + 1)); done
grep -q '^Debian-exim:' "$LAB/etc/passwd" || echo "Debian-exim:x:$eximid:$eximid:Exim lab:/nonexistent:/usr/sbin/nologin" >>"$LAB/etc/passwd"
grep -q '^Debian-exim:' "$LAB/etc/group" || echo "Debian-exim:x:$eximid:" >>"$LAB/etc/group"
chmod 755 "$LAB/etc"
mkdir -p "$LAB/etc/exim4"
# The daemon drops to the Exim user and re-executes itself with -C for each delivery; the Exim
# user keeps privilege for -C only with a file named in Debian's TRUSTED_CONFIG_LIST.
: >"$LAB/etc/exim4/trusted_configs"
for run in "${RUNS[@]}"; do echo "$LAB/run-$run/exim4.conf" >>"$LAB/etc/exim4/trusted_configs"; done
chmod 644 "$LAB/etc/exim4/trusted_configs"
mount --bind "$LAB/etc" /etc
getent passwd Debian-exim >/dev/null

# Lab data: TLS certificate, passwords (crypt SHA-512, Debian's passwd format), aliases, mailboxes.
mkdir -p "$LAB/tls"
if [ ! -f "$LAB/tls/cert.pem" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=mail.example.org" \
        -keyout "$LAB/tls/key.pem" -out "$LAB/tls/cert.pem" 2>/dev/null
fi
chown -R root:Debian-exim "$LAB/tls"; chmod 750 "$LAB/tls"; chmod 640 "$LAB/tls/key.pem"
"$PY" - "$LAB" "$HELPER" <<'EOF'
import importlib.util, subprocess, sys
lab, helper = sys.argv[1], sys.argv[2]
spec = importlib.util.spec_from_file_location("cap", helper); cap = importlib.util.module_from_spec(spec); spec.loader.exec_module(cap)
with open(lab + "/passwd", "w") as f:
    for user, pw in cap.PASSWORDS.items():
        h = subprocess.run(["openssl", "passwd", "-6", pw], capture_output=True, text=True, check=True).stdout.strip()
        f.write('"%s": %s\n' % (user, h))   # lsearch keys may hold spaces when quoted
with open(lab + "/aliases", "w") as f:
    for name, members in cap.ALIASES.items():
        f.write("%s: %s\n" % (name, ", ".join(members)))
with open(lab + "/mailboxes", "w") as f:
    f.write("".join("%s: %s\n" % (m, m) for m in cap.MAILBOXES))
EOF
chown root:Debian-exim "$LAB/passwd"; chmod 640 "$LAB/passwd"
chmod 644 "$LAB/aliases" "$LAB/mailboxes"

exim_as_root() { "$EXIM" -C "$CONF" "$@"; }
queue_count() { find "$RUN/spool/input" -name '*-H' | wc -l; }   # not exim -bpc: +arguments would log each poll
sink_value() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$RUN/sink.json" "$1"; }
wait_for() { # description, command...
    local what="$1"; shift
    for _ in $(seq 1 600); do "$@" && return 0; sleep 0.2; done
    echo "timed out waiting for: $what" >&2; exim_as_root -bp >&2 || true; return 1
}
only_slow_queued() { [ "$(queue_count)" = 1 ] && [ "$(sink_value slowAttempts)" = "$1" ]; }
queue_empty() { [ "$(queue_count)" = 0 ]; }

run_one() { # name
    local name="$1" selector tzline tzname
    case "$name" in
        default) selector="# log_selector: not set (Exim's default; Debian 12 sets none)"
                 tzline="# timezone: not set (TZ=UTC from the capture script)"; tzname=UTC ;;
        received_recipients) selector="log_selector = +received_recipients"
                 tzline="# timezone: not set (TZ=UTC from the capture script)"; tzname=UTC ;;
        all)     selector="log_selector = +all"
                 tzline=$'log_timezone = true\ntimezone = America/New_York'; tzname=America/New_York ;;
    esac
    RUN="$LAB/run-$name"
    CONF="$RUN/exim4.conf"
    rm -rf "$RUN"
    mkdir -p "$RUN/spool" "$RUN/log" "$RUN/mail"
    chown Debian-exim:Debian-exim "$RUN/spool" "$RUN/log" "$RUN/mail"
    chmod 750 "$RUN/spool" "$RUN/log"; chmod 770 "$RUN/mail"
    SEL_LINE="$selector" TZ_LINES="$tzline" "$PY" - "$OUT/exim4.conf.in" "$CONF" <<EOF
import os, re, sys
text = open(sys.argv[1]).read()
for k, v in {"@LAB@": "$LAB", "@RUN@": "$RUN", "@MX_PORT@": "$MX_PORT", "@SUB_PORT@": "$SUB_PORT",
             "@SMTPS_PORT@": "$SMTPS_PORT", "@SINK_PORT@": "$SINK_PORT",
             "@LOG_SELECTOR@": os.environ["SEL_LINE"], "@TIMEZONE@": os.environ["TZ_LINES"]}.items():
    text = text.replace(k, v)
assert not re.search(r"@[A-Z_]+@", text), "placeholder left"
open(sys.argv[2], "w").write(text)
EOF
    chown root:root "$CONF"; chmod 644 "$CONF"
    install -o root -g root -m 644 "$CONF" /etc/exim4/exim4.conf   # the namespace's /etc (see above)
    exim_as_root -bV >"$RUN/exim-bV.txt"

    "$PY" "$HELPER" sink --port "$SINK_PORT" --state "$RUN/sink.json" >"$RUN/sink.out" 2>&1 &
    SINK_PID=$!
    wait_port "$SINK_PORT"
    "$EXIM" -C "$CONF" -bdf >"$RUN/daemon.out" 2>&1 &
    EXIM_PID=$!
    wait_port "$MX_PORT"; wait_port "$SUB_PORT"; wait_port "$SMTPS_PORT"

    "$PY" "$HELPER" send --truth "$RUN/truth.json" --run "$name" --log-selector "${selector}" \
        --timezone "$tzname" --exim "$EXIM" \
        --mx-port "$MX_PORT" --sub-port "$SUB_PORT" --smtps-port "$SMTPS_PORT" --swaks-log "$RUN/swaks.log"

    # Everything delivered or bounced except slow@remote.test (451 once); then two forced queue runs.
    wait_for "first delivery attempts" only_slow_queued 1
    exim_as_root -qff
    wait_for "first queue run" only_slow_queued 2
    exim_as_root -qff
    wait_for "second queue run" queue_empty
    [ "$(sink_value slowAttempts)" = 3 ]

    kill "$EXIM_PID"; wait "$EXIM_PID" 2>/dev/null || true; EXIM_PID=""
    kill "$SINK_PID"; wait "$SINK_PID" 2>/dev/null || true; SINK_PID=""

    local dest="$OUT/$name"
    rm -rf "$dest"; mkdir -p "$dest"
    cp "$RUN/log/mainlog" "$dest/mainlog"
    for f in rejectlog paniclog; do
        if [ -s "$RUN/log/$f" ]; then cp "$RUN/log/$f" "$dest/$f"; fi
    done
    cp "$CONF" "$dest/exim4.conf"
    cp "$RUN/truth.json" "$dest/truth.json"
    chmod 644 "$dest"/*
    echo "run $name: $(wc -l <"$dest/mainlog") mainlog lines"
}

for run in "${RUNS[@]}"; do run_one "$run"; done
{
    head -n 1 "$LAB/run-default/exim-bV.txt"
    for d in "$LAB"/debs/*.deb; do dpkg-deb -f "$d" Package Version | paste -sd' '; done
} >"$OUT/exim-version.txt"
echo "captured into $OUT:"; ls -lR "$OUT"
