/// One parsed line of ASSP's own log (`logs/maillog.txt`), as ASSP 2.4.5 and 1.10.1 write it (captured from real
/// runs: `Tests/Fixtures/assp/README.md`).
///
/// ## Layout (ASSP's `sub mlog`)
///
///     [BOM]STAMP[ MSGID][ [WORKER]][ [TLS-in]][ [TLS-out]][ [TAG]...][ IP[ [OIP: IP]][ <FROM>][ to: RCPT]] COMMENT[;]
///
/// - A UTF-8 byte-order mark starts every 2.x file (so its first line).
/// - `STAMP` is ASSP's `LogDateFormat` (``ASSPDateFormat``; default `MMM-DD-YY hh:mm:ss`, `Dec-02-26 15:56:51`).
/// - `MSGID` is the transaction's ID (`uniqeIDLogging`): `uniqueIDPrefix` (default `m1-` in 2.x, `m-` in 1.x, any
///   text) + 5 digits + `-` + at least 5 digits (`m1-27011-04993`). It is set at MAIL FROM, so AUTH lines and the
///   connection's own lines have none. Recognised by that shape, whatever the prefix.
/// - `[WORKER]` (2.x, `WorkerLogging`): `[Worker_1]`, `[Main_Thread]`, `[init]`, ...; 1.x has none.
/// - `[TAG]` is the connection's `prepend` (`[MessageOK]`, `[LocalOK]`, `[RelayAttempt]`, ...); 1.x can write two
///   without a space between (`[MessageScore][Over Lower Limit]`).
/// - `IP <FROM> to: RCPT`: the client, the envelope sender (no `<...>` at all for an empty sender in 2.x;
///   `<@assp.local>` in 1.x for an empty or unparsable one, read as no sender here) and the **first** recipient.
/// - 1.x ends every line with `;` (stripped here when the line has no worker tag, as 1.x lines never have).
/// - A comment with newlines continues on further lines that start with a TAB.
///
/// The comments read are listed in ``ASSPEvent``. This parser classifies single lines; ``ASSPFormat`` ties them
/// together by connection (worker and client IP) and transaction (message ID).
struct ASSPLine: Sendable, Hashable {
    /// The stamp; nil for continuation and malformed lines.
    var timestamp: LogTimestamp?
    /// Byte range of the message ID (`m1-27011-04993`), when present.
    var messageID: Range<Int>?
    /// Byte range of the worker name inside `[...]` (`Worker_1`), when present.
    var worker: Range<Int>?
    /// The bracketed tags seen before the IP.
    var tags: ASSPTags
    /// Byte range of the client IP, when present.
    var clientIP: Range<Int>?
    /// Byte range of the envelope sender inside `<...>`; nil when the line has none (empty sender) or 1.x's
    /// `<@assp.local>`.
    var from: Range<Int>?
    /// Byte range of the first recipient after `to: `, when present.
    var to: Range<Int>?
    /// Byte offset where the comment starts.
    var commentOffset: Int
    /// Byte offset where the comment ends (before 1.x's `;`).
    var commentEnd: Int
    /// Whether the line has 1.x's layout (no worker tag, a `;` at its end).
    var legacy: Bool
    /// What the line says.
    var event: ASSPEvent

    /// Memberwise initialiser.
    init(timestamp: LogTimestamp?, messageID: Range<Int>? = nil, worker: Range<Int>? = nil, tags: ASSPTags = [],
         clientIP: Range<Int>? = nil, from: Range<Int>? = nil, to: Range<Int>? = nil, commentOffset: Int = 0,
         commentEnd: Int = 0, legacy: Bool = false, event: ASSPEvent) {
        self.timestamp = timestamp
        self.messageID = messageID
        self.worker = worker
        self.tags = tags
        self.clientIP = clientIP
        self.from = from
        self.to = to
        self.commentOffset = commentOffset
        self.commentEnd = commentEnd
        self.legacy = legacy
        self.event = event
    }

    static func bare(_ event: ASSPEvent) -> ASSPLine {
        ASSPLine(timestamp: nil, event: event)
    }

    /// Parses one line (without its newline) given as raw memory.
    static func parse(_ line: UnsafeRawBufferPointer, format: ASSPDateFormat = .standard) -> ASSPLine {
        parse(UnsafeBufferPointer(start: line.baseAddress?.assumingMemoryBound(to: UInt8.self), count: line.count), format: format)
    }

    /// Parses one line (without its newline); ranges in the result index `line`.
    static func parse(_ line: [UInt8], format: ASSPDateFormat = .standard) -> ASSPLine {
        line.withUnsafeBufferPointer { parse($0, format: format) }
    }

    /// Parses one line (without its newline). Never fails: unusable lines give ``ASSPEvent/malformed``.
    static func parse(_ line: UnsafeBufferPointer<UInt8>, format: ASSPDateFormat = .standard) -> ASSPLine {
        if line.count > 0 && line[0] == 0x09 { return bare(.continuation) }
        let start = line.count >= 3 && line[0] == 0xEF && line[1] == 0xBB && line[2] == 0xBF ? 3 : 0
        guard let ts = format.parse(line, at: start), ts.restOffset < line.count else {
            return isSuppressionSummary(line) ? bare(.other) : bare(.malformed)
        }
        var result = ASSPLine(timestamp: ts, event: .other)
        var end = line.count
        var i = ts.restOffset
        if let e = messageIDEnd(line, at: i) {
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
            if i < end && line[i] == ByteScan.space { i += 1 } else if !(i < end && line[i] == 0x5B) { break }
        }
        if result.worker == nil && end > i && line[end - 1] == 0x3B {
            result.legacy = true
            end -= 1
        }
        if let ipEnd = ipEnd(line, at: i, end: end) {
            result.clientIP = i..<ipEnd
            i = ipEnd < end ? ipEnd + 1 : ipEnd
            if ByteScan.hasPrefix(line, "[OIP: ", at: i) {
                guard let rb = ByteScan.index(of: 0x5D, in: line, from: i + 6, end: end) else { return bare(.malformed) }
                i = rb + 1 < end ? rb + 2 : rb + 1
            }
            if i < end && line[i] == 0x3C {
                guard let gt = ByteScan.index(of: 0x3E, in: line, from: i + 1, end: end) else { return bare(.malformed) }
                let r = (i + 1)..<gt
                if !(r.count == 11 && ByteScan.hasPrefix(line, "@assp.local", at: r.lowerBound)) { result.from = r }
                i = gt + 1 < end ? gt + 2 : gt + 1
            }
            if ByteScan.hasPrefix(line, "to: ", at: i) && i + 4 <= end {
                let s = i + 4
                let e = ByteScan.index(of: ByteScan.space, in: line, from: s, end: end) ?? end
                result.to = s..<e
                i = e < end ? e + 1 : e
            }
        }
        result.commentOffset = min(i, end)
        result.commentEnd = end
        result.event = result.clientIP != nil ? clientEvent(line, result) : connectionEvent(line, result)
        if result.event == .malformed { return bare(.malformed) }
        return result
    }

    /// The event of a line about a client (it names the client's IP).
    private static func clientEvent(_ line: UnsafeBufferPointer<UInt8>, _ parsed: ASSPLine) -> ASSPEvent {
        let i = parsed.commentOffset, end = parsed.commentEnd
        func word(_ literal: StaticString) -> Bool {
            let e = i + literal.utf8CodeUnitCount
            return ByteScan.hasPrefix(line, literal, at: i) && e <= end && (e == end || line[e] == ByteScan.space)
        }
        if ByteScan.hasPrefix(line, "info: authentication ", at: i) {
            let p = i + 21
            if ByteScan.hasPrefix(line, "(", at: p) { return parseAuth(line, at: p + 1, end: end) }
            if ByteScan.hasPrefix(line, "- plain is used", at: p) { return .authAttempt(method: .plain) }
            if ByteScan.hasPrefix(line, "- login is used", at: p) { return .authAttempt(method: .login) }
            return .other
        }
        if ByteScan.hasPrefix(line, "authenticated to ", at: i) || (i + 13 == end && ByteScan.hasPrefix(line, "authenticated", at: i)) {
            return .authSucceeded
        }
        if ByteScan.hasPrefix(line, "warning: SMTP authentication failed", at: i) {
            return ByteScan.find(line, "was not the last command", from: i + 35, end: end) == nil ? .authFailed : .other
        }
        if ByteScan.hasPrefix(line, "max sender authentication errors", at: i) { return .authFailed }
        if ByteScan.hasPrefix(line, "[SMTP Error] ", at: i), let code = ByteScan.fixedDigits(line, at: i + 13, count: 3) {
            return .replyError(code: code)
        }
        if ByteScan.hasPrefix(line, "recipient accepted: ", at: i) { return .recipientAccepted }
        if !parsed.tags.isDisjoint(with: .accepted)
            && (word("message ok") || word("local") || word("whitelisted") || word("noprocessing")) {
            return .messageAccepted(relayed: parsed.tags.contains(.localOK) ? true : parsed.legacy ? false : nil)
        }
        if ByteScan.hasPrefix(line, "[spam found] and passing because ", at: i)
            || ByteScan.hasPrefix(line, "[spam found] and possibly passing because ", at: i) {
            return .messageAccepted(relayed: nil)  // scored, but let through (warning range, spam lover, test mode)
        }
        if parsed.tags.contains(.done) && ByteScan.hasPrefix(line, "disconnected (", at: i) {
            return .disconnected(session: nil, ip: nil)
        }
        return .other
    }

    /// The event of a line without a client: 2.x `Connected: session:ID IP:PORT > ...` and
    /// `Disconnected: session:ID IP - ...`, 1.x `Connected: IP:PORT -> ...`.
    private static func connectionEvent(_ line: UnsafeBufferPointer<UInt8>, _ parsed: ASSPLine) -> ASSPEvent {
        var i = parsed.commentOffset
        let end = parsed.commentEnd
        let opening: Bool
        if ByteScan.hasPrefix(line, "Connected: ", at: i) {
            opening = true
            i += 11
        } else if ByteScan.hasPrefix(line, "Disconnected: ", at: i) {
            opening = false
            i += 14
        } else {
            return .other
        }
        var session: Range<Int>?
        if ByteScan.hasPrefix(line, "session:", at: i) {
            let s = i + 8
            guard let e = ByteScan.index(of: ByteScan.space, in: line, from: s, end: end), e > s else { return .other }
            session = s..<e
            i = e + 1
        } else if !opening {
            return .other
        }
        let tokenEnd = ByteScan.index(of: ByteScan.space, in: line, from: i, end: end) ?? end
        var ipRange = i..<tokenEnd
        if opening {
            // IP:PORT; the IP is everything before the last colon (IPv6 addresses hold colons too).
            var colon = tokenEnd - 1
            while colon > i && line[colon] != ByteScan.colon { colon -= 1 }
            guard colon > i else { return .other }
            ipRange = i..<colon
        }
        if ipRange.count > 2 && line[ipRange.lowerBound] == 0x5B && line[ipRange.upperBound - 1] == 0x5D {
            ipRange = (ipRange.lowerBound + 1)..<(ipRange.upperBound - 1)
        }
        guard let e = ipEnd(line, at: ipRange.lowerBound, end: ipRange.upperBound), e == ipRange.upperBound else { return .other }
        return opening ? .connected(session: session, ip: ipRange) : .disconnected(session: session, ip: ipRange)
    }

    /// ASSP 2's summary of repeated lines, written without a stamp:
    /// `Warning: ... (suppressed 6 concurrent equal 'Warning' loglines from all Workers[ in the last N seconds])`.
    static func isSuppressionSummary(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        guard line.count > 40, line[line.count - 1] == 0x29, let at = ByteScan.find(line, " (suppressed ", from: 0) else { return false }
        return ByteScan.find(line, " concurrent equal '", from: at) != nil && ByteScan.find(line, "' loglines from all Workers", from: at) != nil
    }

    /// `PLAIN) realms - foruser:F, user:U[, pass:P]` or `LOGIN) realms - user:U[, pass:P]`, ending at `end`.
    static func parseAuth(_ line: UnsafeBufferPointer<UInt8>, at p: Int, end: Int) -> ASSPEvent {
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
                  let comma = ByteScan.find(line, ", user:", from: i + 8, end: end)
            else { return .malformed }
            forUser = (i + 8)..<comma
            i = comma + 2
        }
        guard i + 5 <= end, ByteScan.hasPrefix(line, "user:", at: i) else { return .malformed }
        let s = i + 5
        let e = ByteScan.find(line, ", pass:", from: s, end: end) ?? end
        return .authUser(method: method, user: LogBytes(line, s..<e), forUser: forUser)
    }

    /// End of a message ID at `i` (any prefix without spaces, then 5 digits, `-`, 5 or more digits) when followed
    /// by a space or the end of the line.
    static func messageIDEnd(_ line: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
        guard i < line.count, line[i] != 0x5B, line[i] != 0x3C else { return nil }
        let e = ByteScan.index(of: ByteScan.space, in: line, from: i) ?? line.count
        guard e - i >= 11, e - i <= 64 else { return nil }
        var j = e - 1
        while j >= i && (line[j] &- 0x30) < 10 { j -= 1 }
        guard e - 1 - j >= 5, j - 6 >= i - 1, line[j] == 0x2D else { return nil }
        for k in (j - 5)..<j where (line[k] &- 0x30) >= 10 { return nil }
        for k in i..<(j - 5) where line[k] < 0x21 || line[k] == 0x7F { return nil }
        return e
    }

    /// `Worker_N` and ASSP 2's other thread names (`Main_Thread`, `init`, `startup`, `Shutdown`).
    static func isWorkerName(_ line: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Bool {
        guard !r.isEmpty else { return false }
        if ByteScan.hasPrefix(line, "Worker_", at: r.lowerBound) {
            guard r.count > 7 else { return false }
            for k in (r.lowerBound + 7)..<r.upperBound where !(ByteScan.isAlnum(line[k]) || line[k] == 0x5F) { return false }
            return true
        }
        func eq(_ lit: StaticString) -> Bool { r.count == lit.utf8CodeUnitCount && ByteScan.hasPrefix(line, lit, at: r.lowerBound) }
        return eq("Main_Thread") || eq("init") || eq("startup") || eq("Shutdown")
    }

    /// End of an IPv4/IPv6 address at `i` when followed by a space or `end`.
    static func ipEnd(_ line: UnsafeBufferPointer<UInt8>, at i: Int, end: Int) -> Int? {
        var j = i
        var dots = 0
        var colons = 0
        while j < end {
            let b = line[j]
            if b == 0x2E { dots += 1 } else if b == ByteScan.colon { colons += 1 }
            else if !((b &- 0x30) < 10 || (b &- 0x61) < 6 || (b &- 0x41) < 6) { break }
            j += 1
        }
        guard j > i, (dots == 3 && colons == 0) || (colons >= 2 && dots <= 3), j == end || line[j] == ByteScan.space
        else { return nil }
        return j
    }
}
