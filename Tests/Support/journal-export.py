#!/usr/bin/env python3
"""Turn real Postfix log lines into systemd Journal Export Format entries.

The output is meant for systemd's own writer, so that tests read journal files that systemd made:

    journal-export.py Tests/Fixtures/postfix/postfix-rsyslog-rfc3339.log \\
        | /lib/systemd/systemd-journal-remote -o /tmp/t/postfix.journal -

Each Postfix line becomes the entry journald (systemd 252, Debian 12) stores for a syslog(3)
message of a Postfix daemon run by postfix@-.service: _TRANSPORT=syslog, SYSLOG_IDENTIFIER
(postfix/smtpd, postfix/submission/smtpd, ...), SYSLOG_PID, _PID, PRIORITY, SYSLOG_FACILITY=2,
SYSLOG_TIMESTAMP, MESSAGE (the text after "tag[pid]: "), __REALTIME_TIMESTAMP (the line's time),
__MONOTONIC_TIMESTAMP, _BOOT_ID, _MACHINE_ID, _HOSTNAME (the line's host), _SYSTEMD_UNIT=postfix@-.service
and the other trusted fields. _COMM, _EXE, _CMDLINE, _UID and the IDs are plausible values, not
captured ones; the text, identifiers, PIDs and times are the real log's.

Entries of unrelated services are interleaved (sshd, cron, the kernel, a service whose MESSAGE
quotes a Postfix line with sasl_username=, and a native-protocol entry whose MESSAGE needs the
binary field encoding). With --spoof, one more entry imitates Postfix: SYSLOG_IDENTIFIER=postfix/smtpd
written by a local user with logger(1), told apart only by the trusted fields (_UID, _SYSTEMD_UNIT).

Input formats: RFC 3339 syslog lines (rsyslog's default on Debian: exact to the microsecond),
traditional syslog lines and Postfix's own maillog_file lines ("Nov 29 15:26:58"; the year comes
from --year, and the time zone from TZ, as a syslog reader would take it).

Python 3 standard library only. Output is deterministic for the same arguments.
"""
import argparse
import datetime
import hashlib
import json
import re
import struct
import sys

RFC3339 = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) (\S+) (.*)$")
TRADITIONAL = re.compile(r"^([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) (\S+) (.*)$")
TAG = re.compile(r"^([^\s\[:]+)\[(\d+)\]: (.*)$")

POSTFIX_UID, POSTFIX_GID = 107, 114          # Debian allocates these at install time
FACILITY_MAIL, FACILITY_DAEMON, FACILITY_AUTH, FACILITY_CRON, FACILITY_AUTHPRIV = 2, 3, 4, 9, 10


def ident(seed, *parts):
    """A stable 128-bit ID (32 hex digits) from a seed and parts."""
    return hashlib.sha256("/".join((seed,) + parts).encode()).hexdigest()[:32]


# ------------------------------------------------------------------------------------------
# Export format

def field(name, value):
    """One field: NAME=value, or the binary form for values that are not single-line UTF-8 text."""
    if isinstance(value, int):
        value = str(value)
    data = value.encode("utf-8", "surrogateescape") if isinstance(value, str) else value
    try:
        text = data.decode("utf-8")
        plain = not any(ord(c) < 0x20 and c != "\t" or ord(c) == 0x7F for c in text)
    except UnicodeDecodeError:
        plain = False
    if plain:
        return name.encode() + b"=" + data + b"\n"
    return name.encode() + b"\n" + struct.pack("<Q", len(data)) + data + b"\n"


def entry(fields):
    return b"".join(field(k, v) for k, v in fields) + b"\n"


# ------------------------------------------------------------------------------------------
# Input

def parse_time(stamp, year, tz):
    if stamp[0].isdigit():
        t = datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    else:
        if year is None:
            sys.exit("journal-export: traditional syslog lines need --year")
        t = datetime.datetime.strptime("%d %s" % (year, stamp), "%Y %b %d %H:%M:%S").replace(tzinfo=tz)
    return t


def read_postfix(paths, year):
    tz = datetime.datetime.now().astimezone().tzinfo
    lines = []
    for path in paths:
        with open(path, "rb") as f:
            for n, raw in enumerate(f, 1):
                text = raw.rstrip(b"\n").decode("utf-8", "surrogateescape")
                m = RFC3339.match(text) or TRADITIONAL.match(text)
                t = m and TAG.match(m.group(3))
                if not m or not t or not t.group(1).startswith("postfix"):
                    sys.exit("journal-export: %s:%d: not a Postfix syslog line" % (path, n))
                when = parse_time(m.group(1), year, tz)
                lines.append({"time": when, "host": m.group(2), "tag": t.group(1),
                              "pid": int(t.group(2)), "message": t.group(3)})
    return lines


# ------------------------------------------------------------------------------------------
# Entries

class Journal:
    def __init__(self, args, first_usec):
        self.seed = args.seed
        self.boot_id = args.boot_id or ident(self.seed, "boot")
        self.machine_id = args.machine_id or ident(self.seed, "machine")
        self.boot_usec = first_usec - 3600 * 1_000_000    # booted an hour before the first line
        self.hostname = args.hostname
        self.last = 0

    def stamp(self, usec):
        usec = max(usec, self.last + 1)                   # the journal's order is the input's order
        self.last = usec
        return usec

    def header(self, usec, host):
        usec = self.stamp(usec)
        return [("__REALTIME_TIMESTAMP", usec), ("__MONOTONIC_TIMESTAMP", usec - self.boot_usec),
                ("_BOOT_ID", self.boot_id)], usec

    def trusted(self, host, unit, slice_, pid, uid, gid, comm, exe, cmdline, cap="0"):
        fields = [("_PID", pid), ("_UID", uid), ("_GID", gid), ("_COMM", comm), ("_EXE", exe),
                  ("_CMDLINE", cmdline), ("_CAP_EFFECTIVE", cap)]
        fields += [("_SYSTEMD_CGROUP", "/%s/%s" % (slice_, unit)), ("_SYSTEMD_UNIT", unit),
                   ("_SYSTEMD_SLICE", slice_.split("/")[-1])]
        if unit.endswith(".scope"):                       # a login session (user-1000.slice/session-N.scope)
            session = unit[len("session-"):-len(".scope")]
            fields += [("_AUDIT_SESSION", session), ("_AUDIT_LOGINUID", uid),
                       ("_SYSTEMD_SESSION", session), ("_SYSTEMD_OWNER_UID", uid)]
        else:
            fields += [("_SYSTEMD_INVOCATION_ID", ident(self.seed, "invocation", unit))]
        return fields + [("_MACHINE_ID", self.machine_id), ("_HOSTNAME", host)]

    @staticmethod
    def syslog_timestamp(usec):
        t = datetime.datetime.fromtimestamp(usec / 1e6).astimezone()
        return t.strftime("%b ") + ("%2d" % t.day) + t.strftime(" %H:%M:%S ")

    def syslog_entry(self, usec, host, identifier, pid, facility, priority, message, trusted):
        head, usec = self.header(usec, host)
        return entry(head + [("_TRANSPORT", "syslog"), ("PRIORITY", priority),
                             ("SYSLOG_FACILITY", facility), ("SYSLOG_IDENTIFIER", identifier),
                             ("SYSLOG_PID", pid), ("SYSLOG_TIMESTAMP", self.syslog_timestamp(usec)),
                             ("MESSAGE", message)]
                     # sent a little before journald received it, within the same second
                     + trusted + [("_SOURCE_REALTIME_TIMESTAMP", usec - min(41, usec % 1_000_000))])

    def postfix(self, line):
        host = self.hostname or line["host"]
        usec = int(line["time"].timestamp() * 1_000_000)
        daemon = line["tag"].rsplit("/", 1)[-1]
        service = line["tag"].split("/")[1] if line["tag"].count("/") == 2 else daemon
        msg = line["message"]
        priority = 4 if msg.startswith("warning:") else 3 if msg.startswith("error:") else \
            2 if msg.startswith(("fatal:", "panic:")) else 6
        if daemon == "master":
            who = (0, 0, "master", "/usr/lib/postfix/sbin/master", "/usr/lib/postfix/sbin/master -w", "1ffffffffff")
        elif daemon == "postfix-script":       # postfix-script logs through postlog
            who = (0, 0, "postlog", "/usr/sbin/postlog",
                   "postlog -p info -t postfix/postfix-script starting the Postfix mail system", "1ffffffffff")
        else:
            kind = "inet" if daemon == "smtpd" else "unix"
            who = (POSTFIX_UID, POSTFIX_GID, daemon, "/usr/lib/postfix/sbin/" + daemon,
                   "%s -n %s -t %s -u" % (daemon, service, kind), "0")
        uid, gid, comm, exe, cmdline, cap = who
        trusted = self.trusted(host, "postfix@-.service", "system.slice/system-postfix.slice", line["pid"],
                               uid, gid, comm, exe, cmdline, cap)
        return self.syslog_entry(usec, host, line["tag"], line["pid"], FACILITY_MAIL, priority, msg, trusted)

    # --- unrelated services -------------------------------------------------------------------

    def sshd(self, usec, host, k):
        pid = 20000 + k
        trusted = self.trusted(host, "ssh.service", "system.slice", pid, 0, 0, "sshd", "/usr/sbin/sshd",
                               "sshd: admin [priv]", "1ffffffffff")
        port = 50000 + k
        return (self.syslog_entry(usec, host, "sshd", pid, FACILITY_AUTH, 6,
                                  "Accepted publickey for admin from 127.0.0.1 port %d ssh2: ED25519 "
                                  "SHA256:Wm8cQ0Wq0a1nRZ2n2oK7n6YkVZl3b0rWQk3m3y9xJ1c" % port, trusted)
                + self.syslog_entry(usec + 3, host, "sshd", pid, FACILITY_AUTHPRIV, 6,
                                    "pam_unix(sshd:session): session opened for user admin(uid=1000) by (uid=0)",
                                    trusted))

    def cron(self, usec, host, k):
        pid = 30000 + k
        trusted = self.trusted(host, "cron.service", "system.slice", pid, 0, 0, "cron", "/usr/sbin/cron",
                               "/usr/sbin/CRON -f", "1ffffffffff")
        return (self.syslog_entry(usec, host, "CRON", pid, FACILITY_AUTHPRIV, 6,
                                  "pam_unix(cron:session): session opened for user root(uid=0) by (uid=0)", trusted)
                + self.syslog_entry(usec + 2, host, "CRON", pid, FACILITY_CRON, 6,
                                    "(root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)", trusted))

    def kernel(self, usec, host):
        head, usec = self.header(usec, host)
        return entry(head + [("_SOURCE_MONOTONIC_TIMESTAMP", usec - self.boot_usec - 5), ("_TRANSPORT", "kernel"),
                             ("PRIORITY", 6), ("SYSLOG_FACILITY", 0), ("SYSLOG_IDENTIFIER", "kernel"),
                             ("MESSAGE", "EXT4-fs (vda1): re-mounted. Quota mode: none."),
                             ("_MACHINE_ID", self.machine_id), ("_HOSTNAME", host)])

    def exporter(self, usec, host, quoted):
        """A service that quotes a Postfix line (with sasl_username=) on its standard output."""
        head, usec = self.header(usec, host)
        trusted = self.trusted(host, "prometheus-postfix-exporter.service", "system.slice", 811, 65534, 65534,
                               "prometheus-post", "/usr/bin/prometheus-postfix-exporter",
                               "/usr/bin/prometheus-postfix-exporter --systemd.enable", "0")
        return entry(head + [("PRIORITY", 4), ("SYSLOG_FACILITY", FACILITY_DAEMON),
                             ("SYSLOG_IDENTIFIER", "prometheus-postfix-exporter"),
                             ("MESSAGE", 'level=warn msg="Unsupported Line" line="%s"' % quoted),
                             ("_TRANSPORT", "stdout"), ("_STREAM_ID", ident(self.seed, "stream", "exporter"))]
                     + trusted)

    def binary(self, usec, host):
        """A native-protocol entry whose MESSAGE has a newline and a byte that is not UTF-8."""
        head, usec = self.header(usec, host)
        trusted = self.trusted(host, "backup.service", "system.slice", 4711, 0, 0, "backup", "/usr/bin/python3.11",
                               "/usr/bin/python3 /usr/local/sbin/backup", "1ffffffffff")
        message = b"backup of /srv/caf\xe9 finished\nfiles: 1204, errors: 0"
        return entry(head + [("_TRANSPORT", "journal"), ("PRIORITY", 6), ("SYSLOG_IDENTIFIER", "backup"),
                             ("CODE_FILE", "/usr/local/sbin/backup"), ("CODE_LINE", 88), ("CODE_FUNC", "main"),
                             ("MESSAGE", message), ("BACKUP_PATH", b"/srv/caf\xe9")] + trusted)

    def spoof(self, usec, host):
        """logger -t postfix/smtpd by a logged-in user: SYSLOG_IDENTIFIER says Postfix, _SYSTEMD_UNIT does not."""
        trusted = self.trusted(host, "session-3.scope", "user.slice/user-1000.slice", 4242, 1000, 1000, "logger",
                               "/usr/bin/logger", "logger -p mail.info -t postfix/smtpd[4242] "
                               "4F2A1FA29B: client=localhost[127.0.0.1], sasl_method=PLAIN, "
                               "sasl_username=victim@example.org")
        return self.syslog_entry(usec, host, "postfix/smtpd", 4242, FACILITY_MAIL, 6,
                                 "4F2A1FA29B: client=localhost[127.0.0.1], sasl_method=PLAIN, "
                                 "sasl_username=victim@example.org", trusted)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("logs", nargs="+", help="Postfix log files (e.g. Tests/Fixtures/postfix/*.log)")
    p.add_argument("--lines", default=None, metavar="FIRST:LAST",
                   help="only Postfix lines FIRST..LAST (1-based, inclusive, over all inputs in order; "
                        "either side may be empty); the unrelated entries between them come along")
    p.add_argument("--year", type=int, help="year of traditional syslog timestamps")
    p.add_argument("--hostname", help="_HOSTNAME of every entry (default: the host of each log line)")
    p.add_argument("--seed", default="mvpipe", help="seed of the boot, machine, invocation and stream IDs")
    p.add_argument("--boot-id", help="_BOOT_ID (32 hex digits; default derived from --seed)")
    p.add_argument("--machine-id", help="_MACHINE_ID (32 hex digits; default derived from --seed)")
    p.add_argument("--no-noise", action="store_true", help="Postfix entries only")
    p.add_argument("--spoof", action="store_true",
                   help="add one entry by a local user that imitates postfix/smtpd (sasl_username=victim@example.org)")
    p.add_argument("--summary", metavar="FILE", help="write what was generated as JSON to FILE")
    p.add_argument("-o", "--output", default="-", help="output file (default: standard output)")
    args = p.parse_args()

    lines = read_postfix(args.logs, args.year)
    if not lines:
        sys.exit("journal-export: no Postfix lines")
    first, last = 1, len(lines)
    if args.lines:
        a, _, b = args.lines.partition(":")
        first, last = int(a) if a else 1, int(b) if b else len(lines)
    journal = Journal(args, int(lines[0]["time"].timestamp() * 1_000_000))

    out = []
    summary = {"postfixEntries": 0, "unrelatedEntries": 0, "spoofEntries": 0, "binaryEntries": 0,
               "identifiers": {}, "firstRealtimeUsec": None, "lastRealtimeUsec": None,
               "bootId": journal.boot_id, "machineId": journal.machine_id}
    sasl_lines = [l for l in lines if "sasl_username=" in l["message"] and "client=" in l["message"]]
    quoted = sasl_lines[0] if sasl_lines else lines[0]
    quoted_text = "%s[%d]: %s" % (quoted["tag"], quoted["pid"], quoted["message"])
    quoted_text = quoted_text.replace("sasl_username=", "sasl_username=mallory-").replace('"', "'")

    for i, line in enumerate(lines, 1):
        usec = int(line["time"].timestamp() * 1_000_000)
        host = args.hostname or line["host"]
        # Unrelated entries are made for every position (so --lines slices agree with a full run),
        # and kept when the Postfix line after them is kept.
        noise = []
        if not args.no_noise:
            if i == 1:
                noise.append(("unrelated", journal.kernel(usec - 900, host)))
            if i % 9 == 4:
                noise.append(("unrelated", journal.sshd(usec - 700, host, i)))
            if i % 9 == 8:
                noise.append(("unrelated", journal.cron(usec - 500, host, i)))
            if i in (12, len(lines) - 3):
                noise.append(("unrelated", journal.exporter(usec - 300, host, quoted_text)))
            if i == 20:
                noise.append(("binary", journal.binary(usec - 200, host)))
        if args.spoof and i == 30:
            noise.append(("spoof", journal.spoof(usec - 100, host)))
        pf = journal.postfix(line)
        if first <= i <= last:
            for kind, data in noise:
                n = data.count(b"\n\n") if kind == "unrelated" else 1
                if kind == "spoof":
                    summary["spoofEntries"] += 1
                else:
                    summary["unrelatedEntries"] += n
                    summary["binaryEntries"] += kind == "binary"
                out.append(data)
            out.append(pf)
            summary["postfixEntries"] += 1
            summary["identifiers"][line["tag"]] = summary["identifiers"].get(line["tag"], 0) + 1
            summary["firstRealtimeUsec"] = summary["firstRealtimeUsec"] or journal.last
            summary["lastRealtimeUsec"] = journal.last
    summary["firstPostfixLine"], summary["lastPostfixLine"] = first, min(last, len(lines))

    data = b"".join(out)
    if args.output == "-":
        sys.stdout.buffer.write(data)
    else:
        with open(args.output, "wb") as f:
            f.write(data)
    if args.summary:
        with open(args.summary, "w") as f:
            json.dump(summary, f, indent=2, sort_keys=True)
            f.write("\n")


if __name__ == "__main__":
    main()
