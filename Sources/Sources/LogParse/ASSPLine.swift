/// One parsed line of ASSP's own log (`logs/maillog.txt`; ASSP V2 and its SPAMBOX fork write the same layout).
///
/// ## Layout (from ASSP's `sub mlog`)
///
/// Every line is built by `mlog($fh, $comment, $noprepend, $noipinfo)`:
///
///     TIMESTAMP[ MSGID][ [WORKER]][ [TLS-in]|[SSL-in]][ [TLS-out]|[SSL-out]][ [PREPEND]][ IP[ [OIP: IP]][ <FROM>][ to: RCPT]] COMMENT
///
/// - `TIMESTAMP` is `&timestring()` in the default `LogDateFormat` `MMM-DD-YY hh:mm:ss`: `Nov-29-26 14:46:22`.
/// - `MSGID` is the connection's `$this->{msgtime}` (e.g. `m1-78030-02340`); absent on lines without a connection.
/// - `[WORKER]` is `[$WorkerName]` when `WorkerLogging` is on: `[Worker_1]`, `[Main_Thread]`, ...
/// - The TLS tags show which side of the proxied connection is encrypted (STARTTLS gives `-in`/`-out` with
///   `oldfh`, implicit TLS gives `SSL-`).
/// - `[PREPEND]` is `$this->{prepend}` when `tagLogging` is on: `[MessageOK]`, `[RelayAttempt]`, `[Local]`, ...
/// - `IP <FROM> to: RCPT` is logged once per connection (`loggedIpFromTo`), and always with `$noipinfo >= 2`.
///   `to:` names only the first recipient.
/// - Lines without a connection are `TIMESTAMP[ [WORKER]] Comment` (first letter upper-cased).
/// - A comment with newlines continues on further lines that start with a TAB (`s/\n([^\n]+)/\n\t$1/`).
///
/// ## Which lines count
///
/// - ``ASSPEvent/authenticated(method:user:forUser:)``: the comment starts with
///   `info: authentication (PLAIN) realms - foruser:F, user:U` or `info: authentication (LOGIN) realms - user:U`
///   (ASSP `sub getline`, written only when the hidden setting `$AUTHLogUser = 1`; `, pass:P` follows when
///   `$AUTHLogPWD = 1`). The user is the bytes after `user:` up to `, pass:` or the end of the line.
/// - ``ASSPEvent/messageOK(from:to:)``: a line tagged `[MessageOK]` whose comment starts with `message ok`
///   (ASSP `sub sayMessageOK`, once per message: it sets `sayMessageOK = 'already'`; logged with `$noipinfo = 2`,
///   so IP, `<FROM>` and `to: RCPT` are present).
///
/// **An outgoing message** is a ``ASSPEvent/messageOK(from:to:)`` line that follows an
/// ``ASSPEvent/authenticated(method:user:forUser:)`` line of the same connection; the authenticated user is the
/// sender to charge. Lines of one connection share ``messageID`` (both are written through `mlog($fh, ...)`, which
/// prefixes `$this->{msgtime}`), so join on it; when a line has no message ID, fall back to (``worker``, client IP).
/// This parser classifies single lines only; the join is the caller's.
///
/// ## Sources
///
/// ASSP itself was not run here, and no captured `maillog.txt` was found in the public index searched, so the
/// test lines are built from the code that writes them:
/// - `sub main::mlog` (line layout, TLS tags, `[OIP: ]`, `to:`, TAB continuations) and `sub main::getline`
///   (AUTH lines) and `sub main::sayMessageOK` (`[MessageOK]`): ASSP V2 / SPAMBOX per-sub source files in the
///   public code index (`#line 1 "sub main::mlog"` etc.);
/// - `our $AUTHLogUser = 0; # (0/1) write the username for AUTH (PLAIN/LOGIN) to maillog.txt`: `assp.pl` 2.4.5
///   (build 15162) in github.com/jamesarems/docker-assp;
/// - the `Nov-29-26 14:46:22` stamp and `m1-78030-02340` message ID: the project brief.
struct ASSPLine: Sendable, Hashable {
    /// The `MMM-DD-YY hh:mm:ss` stamp; nil for continuation and malformed lines.
    var timestamp: LogTimestamp?
    /// Byte range of the message ID (`m1-78030-02340`), when present.
    var messageID: Range<Int>?
    /// Byte range of the worker name inside `[...]` (`Worker_1`), when present.
    var worker: Range<Int>?
    /// The bracketed tags seen before the IP.
    var tags: ASSPTags
    /// Byte range of the client IP, when present.
    var clientIP: Range<Int>?
    /// Byte offset where the comment starts.
    var commentOffset: Int
    /// What the line says.
    var event: ASSPEvent

    /// Memberwise initialiser.
    init(timestamp: LogTimestamp?, messageID: Range<Int>?, worker: Range<Int>?, tags: ASSPTags,
                clientIP: Range<Int>?, commentOffset: Int, event: ASSPEvent) {
        self.timestamp = timestamp
        self.messageID = messageID
        self.worker = worker
        self.tags = tags
        self.clientIP = clientIP
        self.commentOffset = commentOffset
        self.event = event
    }

    /// Whether this line is a candidate outgoing message (see the type's documentation for the join).
    var isMessageOK: Bool {
        if case .messageOK = event { return true }
        return false
    }

    static func bare(_ event: ASSPEvent) -> ASSPLine {
        ASSPLine(timestamp: nil, messageID: nil, worker: nil, tags: [], clientIP: nil, commentOffset: 0, event: event)
    }

    /// Parses one line (without its newline) given as raw memory.
    static func parse(_ line: UnsafeRawBufferPointer) -> ASSPLine {
        parse(UnsafeBufferPointer(start: line.baseAddress?.assumingMemoryBound(to: UInt8.self), count: line.count))
    }

    /// Parses one line (without its newline); ranges in the result index `line`.
    static func parse(_ line: [UInt8]) -> ASSPLine {
        line.withUnsafeBufferPointer { parse($0) }
    }

    /// Parses one line (without its newline). Never fails: unusable lines give ``ASSPEvent/malformed``.
    static func parse(_ line: UnsafeBufferPointer<UInt8>) -> ASSPLine {
        if line.count > 0 && line[0] == 0x09 { return bare(.continuation) }
        guard let ts = LogTimestamp.parseASSP(line), ts.restOffset < line.count else { return bare(.malformed) }
        var result = ASSPLine(timestamp: ts, messageID: nil, worker: nil, tags: [], clientIP: nil,
                              commentOffset: ts.restOffset, event: .other)
        let end = line.count
        var i = ts.restOffset
        // Message ID: m<digits>-<digits>-<digits>
        if line[i] == 0x6D, let e = messageIDEnd(line, at: i) {
            result.messageID = i..<e
            i = e < end ? e + 1 : e
        }
        // Bracketed worker and tags, before the IP.
        while i < end && line[i] == 0x5B {
            guard let rb = ByteScan.index(of: 0x5D, in: line, from: i + 1) else { return bare(.malformed) }
            let r = (i + 1)..<rb
            if result.worker == nil && result.tags.isEmpty && isWorkerName(line, r) {
                result.worker = r
            } else {
                result.tags.insert(ASSPTags.classify(line, r))
            }
            i = rb + 1
            guard i < end else { return bare(.malformed) }
            guard line[i] == ByteScan.space else { break }
            i += 1
        }
        var from: Range<Int>?
        var to: Range<Int>?
        if let ipEnd = ipEnd(line, at: i) {
            result.clientIP = i..<ipEnd
            i = ipEnd < end ? ipEnd + 1 : ipEnd
            if ByteScan.hasPrefix(line, "[OIP: ", at: i) {
                guard let rb = ByteScan.index(of: 0x5D, in: line, from: i + 6) else { return bare(.malformed) }
                i = rb + 1 < end ? rb + 2 : rb + 1
            }
            if i < end && line[i] == 0x3C {
                guard let gt = ByteScan.index(of: 0x3E, in: line, from: i + 1) else { return bare(.malformed) }
                from = (i + 1)..<gt
                i = gt + 1 < end ? gt + 2 : gt + 1
            }
            if ByteScan.hasPrefix(line, "to: ", at: i) {
                let s = i + 4
                let e = ByteScan.index(of: ByteScan.space, in: line, from: s) ?? end
                to = s..<e
                i = e < end ? e + 1 : e
            }
        }
        result.commentOffset = i
        if ByteScan.hasPrefix(line, "info: authentication (", at: i) {
            result.event = parseAuth(line, at: i + 22)
        } else if result.tags.contains(.messageOK) && ByteScan.hasPrefix(line, "message ok", at: i) {
            result.event = .messageOK(from: from, to: to)
        }
        if result.event == .malformed { return bare(.malformed) }
        return result
    }

    /// `PLAIN) realms - foruser:F, user:U[, pass:P]` or `LOGIN) realms - user:U[, pass:P]`.
    static func parseAuth(_ line: UnsafeBufferPointer<UInt8>, at p: Int) -> ASSPEvent {
        let method: ASSPEvent.AuthMethod
        var i: Int
        if ByteScan.hasPrefix(line, "PLAIN) realms - ", at: p) {
            method = .plain
            i = p + 16
        } else if ByteScan.hasPrefix(line, "LOGIN) realms - ", at: p) {
            method = .login
            i = p + 16
        } else {
            return .other
        }
        var forUser: Range<Int>?
        if method == .plain {
            guard ByteScan.hasPrefix(line, "foruser:", at: i),
                  let comma = ByteScan.find(line, ", user:", from: i + 8)
            else { return .malformed }
            forUser = (i + 8)..<comma
            i = comma + 2
        }
        guard ByteScan.hasPrefix(line, "user:", at: i) else { return .malformed }
        let s = i + 5
        let e = ByteScan.find(line, ", pass:", from: s) ?? line.count
        return .authenticated(method: method, user: LogBytes(line, s..<e), forUser: forUser)
    }

    /// End of `m<digits>-<digits>-<digits>` at `i` when followed by a space or the end of the line.
    static func messageIDEnd(_ line: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
        guard let (_, e1) = ByteScan.digits(line, at: i + 1), e1 < line.count, line[e1] == 0x2D,
              let (_, e2) = ByteScan.digits(line, at: e1 + 1), e2 < line.count, line[e2] == 0x2D,
              let (_, e3) = ByteScan.digits(line, at: e2 + 1),
              e3 == line.count || line[e3] == ByteScan.space
        else { return nil }
        return e3
    }

    /// `Worker_N`, `Main_Thread` or another single word made of letters, digits and `_`.
    static func isWorkerName(_ line: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Bool {
        guard !r.isEmpty else { return false }
        if ByteScan.hasPrefix(line, "Worker_", at: r.lowerBound) || ByteScan.hasPrefix(line, "Main_", at: r.lowerBound) {
            for k in r where !(ByteScan.isAlnum(line[k]) || line[k] == 0x5F) { return false }
            return true
        }
        return false
    }

    /// End of an IPv4/IPv6 address at `i` when followed by a space or the end of the line.
    static func ipEnd(_ line: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
        var j = i
        var dots = 0
        var colons = 0
        while j < line.count {
            let b = line[j]
            if b == 0x2E { dots += 1 } else if b == ByteScan.colon { colons += 1 }
            else if !((b &- 0x30) < 10 || (b &- 0x61) < 6 || (b &- 0x41) < 6) { break }
            j += 1
        }
        guard j > i, (dots == 3 && colons == 0) || colons >= 2, j == line.count || line[j] == ByteScan.space
        else { return nil }
        return j
    }
}
