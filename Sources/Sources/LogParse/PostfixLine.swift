/// One parsed Postfix log line: timestamp, host, syslog tag and the classified ``PostfixEvent``.
///
/// Layout: `TIMESTAMP HOST SYSLOG_NAME/PROGRAM[PID]: MESSAGE`, where TIMESTAMP is any layout of
/// ``LogTimestamp`` and SYSLOG_NAME may have several components (`postfix/submission/smtpd`,
/// `postfix-out/smtps/smtpd`). Lines of other programs (no `/` in the tag, e.g. `dovecot:`) are ``PostfixEvent/other``.
///
/// Parsing reads the line's bytes in place and copies nothing (queue IDs are stored inline).
struct PostfixLine: Sendable, Hashable {
    /// The leading timestamp; nil only for ``PostfixEvent/malformed`` lines.
    var timestamp: LogTimestamp?
    /// The daemon (last tag component) for Postfix tags; nil for non-Postfix and malformed lines.
    var program: PostfixProgram?
    /// Byte range of the whole syslog tag without the PID (`postfix/submission/smtpd`); empty if malformed.
    var tagRange: Range<Int>
    /// The PID in `[...]`, when present.
    var pid: Int?
    /// Byte offset of the message text after `]: `.
    var messageOffset: Int
    /// What the line says.
    var event: PostfixEvent

    /// Memberwise initialiser.
    init(timestamp: LogTimestamp?, program: PostfixProgram?, tagRange: Range<Int>, pid: Int?,
                messageOffset: Int, event: PostfixEvent) {
        self.timestamp = timestamp
        self.program = program
        self.tagRange = tagRange
        self.pid = pid
        self.messageOffset = messageOffset
        self.event = event
    }

    static let malformedLine = PostfixLine(timestamp: nil, program: nil, tagRange: 0..<0, pid: nil,
                                           messageOffset: 0, event: .malformed)

    /// Parses one line (without its newline) given as raw memory.
    static func parse(_ line: UnsafeRawBufferPointer) -> PostfixLine {
        parse(UnsafeBufferPointer(start: line.baseAddress?.assumingMemoryBound(to: UInt8.self), count: line.count))
    }

    /// Parses one line (without its newline); ranges in the result index `line`.
    static func parse(_ line: [UInt8]) -> PostfixLine {
        line.withUnsafeBufferPointer { parse($0) }
    }

    /// Parses one line (without its newline). Never fails: unusable lines give ``PostfixEvent/malformed``.
    static func parse(_ line: UnsafeBufferPointer<UInt8>) -> PostfixLine {
        guard let ts = LogTimestamp.parse(line) else { return malformedLine }
        // Syslog tag: bytes up to '[' or ':'; no spaces.
        let tagStart = ts.restOffset
        var i = ByteScan.firstIndex(of: 0x5B, ByteScan.colon, ByteScan.space, in: line, from: tagStart)
        guard i > tagStart, i < line.count else { return malformedLine }
        let tagEnd = i
        var lastSlash = tagEnd - 1
        while lastSlash >= tagStart && line[lastSlash] != 0x2F { lastSlash -= 1 }
        if lastSlash < tagStart { lastSlash = -1 }
        var pid: Int?
        if line[i] == 0x5B {
            guard let (v, e) = ByteScan.digits(line, at: i + 1), e < line.count, line[e] == 0x5D else {
                return malformedLine
            }
            pid = v
            i = e + 1
        }
        guard ByteScan.hasPrefix(line, ": ", at: i), i + 2 < line.count else { return malformedLine }
        let msg = i + 2
        var result = PostfixLine(timestamp: ts, program: nil, tagRange: tagStart..<tagEnd, pid: pid,
                                 messageOffset: msg, event: .other)
        guard lastSlash > tagStart, lastSlash + 1 < tagEnd else { return result }  // not a Postfix tag
        let program = PostfixProgram.classify(line, (lastSlash + 1)..<tagEnd)
        result.program = program
        switch program {
        case .smtpd, .qmgr, .pickup:
            result.event = classify(line, program: program, message: msg)
        default:
            break
        }
        return result
    }

    /// Classifies the message text of an smtpd, qmgr or pickup line.
    static func classify(_ line: UnsafeBufferPointer<UInt8>, program: PostfixProgram, message msg: Int) -> PostfixEvent {
        // "QUEUEID: ..." — the queue ID is at most 23 characters.
        let limit = min(line.count, msg + QueueID.maxLength + 1)
        var colon = msg
        while colon < limit && line[colon] != ByteScan.colon && line[colon] != ByteScan.space { colon += 1 }
        if colon == line.count || (colon < line.count && line[colon] == ByteScan.colon && colon + 1 == line.count) {
            // The message is just "QUEUEID" or "QUEUEID:" — cut short.
            return QueueID(line, msg..<colon) == nil ? .other : .malformed
        }
        guard colon < limit, line[colon] == ByteScan.colon, ByteScan.hasPrefix(line, ": ", at: colon),
              let qid = QueueID(line, msg..<colon)
        else { return .other }
        let p = colon + 2
        switch program {
        case .smtpd:
            return ByteScan.hasPrefix(line, "client=", at: p) ? parseClient(line, qid, at: p + 7) : .other
        case .qmgr:
            if ByteScan.hasPrefix(line, "from=", at: p) { return parseQueued(line, qid, at: p + 5) }
            if p + 7 == line.count && ByteScan.hasPrefix(line, "removed", at: p) { return .qmgrRemoved(queueID: qid) }
            return .other
        case .pickup:
            return ByteScan.hasPrefix(line, "uid=", at: p) ? parsePickup(line, qid, at: p + 4) : .other
        default:
            return .other
        }
    }

    /// `NAME[IP][:PORT]` then `, key=value` fields, from `p` (after `client=`).
    static func parseClient(_ line: UnsafeBufferPointer<UInt8>, _ qid: QueueID, at p: Int) -> PostfixEvent {
        let end = line.count
        guard let lb = ByteScan.index(of: 0x5B, in: line, from: p),
              let rb = ByteScan.index(of: 0x5D, in: line, from: lb + 1), rb > lb + 1
        else { return .malformed }
        // The name must not run into a following field (a cut-short "client=host, sasl..." line).
        if ByteScan.find(line, ", ", from: p, end: lb) != nil { return .malformed }
        var i = rb + 1
        if i < end && line[i] == ByteScan.colon {
            guard let (_, e) = ByteScan.digits(line, at: i + 1) else { return .malformed }
            i = e
        }
        var method: Range<Int>?
        var user: Range<Int>?
        while i < end {
            guard ByteScan.hasPrefix(line, ", ", at: i) else { return .malformed }
            let k = i + 2
            if ByteScan.hasPrefix(line, "sasl_method=", at: k) {
                let v = k + 12
                let e = ByteScan.find(line, ", ", from: v) ?? end
                method = v..<e
                i = e
            } else if ByteScan.hasPrefix(line, "sasl_username=", at: k) {
                // A user name may contain ", ": it ends only where a field Postfix writes after it begins.
                let v = k + 14
                var e = end
                if let x = ByteScan.find(line, ", sasl_sender=", from: v) { e = x }
                if let x = ByteScan.find(line, ", orig_queue_id=", from: v, end: e) { e = x }
                if let x = ByteScan.find(line, ", orig_client=", from: v, end: e) { e = x }
                user = v..<e
                i = e
            } else if ByteScan.hasPrefix(line, "sasl_sender=", at: k) {
                let v = k + 12
                var e = end
                if let x = ByteScan.find(line, ", orig_queue_id=", from: v) { e = x }
                if let x = ByteScan.find(line, ", orig_client=", from: v, end: e) { e = x }
                i = e
            } else if ByteScan.hasPrefix(line, "orig_client=", at: k) {
                i = end
            } else {
                // orig_queue_id= or a field of a later Postfix: `[a-z_]+=` up to the next ", ".
                var j = k
                while j < end && ((line[j] &- 0x61) < 26 || line[j] == 0x5F) { j += 1 }
                guard j > k, j < end, line[j] == 0x3D else { return .malformed }
                i = ByteScan.find(line, ", ", from: j + 1) ?? end
            }
        }
        return .smtpdClient(queueID: qid, clientName: p..<lb, clientIP: (lb + 1)..<rb,
                            saslMethod: method, saslUsername: user)
    }

    /// `<ADDR>, size=N, nrcpt=N (queue active)` from `p` (after `from=`).
    static func parseQueued(_ line: UnsafeBufferPointer<UInt8>, _ qid: QueueID, at p: Int) -> PostfixEvent {
        guard p < line.count, line[p] == 0x3C else { return .malformed }
        guard let gt = ByteScan.find(line, ">, size=", from: p + 1) else {
            // e.g. "from=<a@b>, status=expired, returned to sender"
            return ByteScan.find(line, ">, status=", from: p + 1) != nil ? .other : .malformed
        }
        guard let (size, e1) = ByteScan.digits(line, at: gt + 8),
              ByteScan.hasPrefix(line, ", nrcpt=", at: e1),
              let (nrcpt, e2) = ByteScan.digits(line, at: e1 + 8),
              ByteScan.hasPrefix(line, " (queue active)", at: e2), e2 + 15 == line.count
        else { return .malformed }
        return .qmgrQueued(queueID: qid, from: (p + 1)..<gt, size: size, nrcpt: nrcpt)
    }

    /// `N from=<ADDR>` from `p` (after `uid=`); the line must end with `>`.
    static func parsePickup(_ line: UnsafeBufferPointer<UInt8>, _ qid: QueueID, at p: Int) -> PostfixEvent {
        guard let (uid, e) = ByteScan.digits(line, at: p),
              ByteScan.hasPrefix(line, " from=<", at: e), line[line.count - 1] == 0x3E, e + 7 < line.count
        else { return .malformed }
        return .pickup(queueID: qid, uid: uid, from: (e + 7)..<(line.count - 1))
    }
}
