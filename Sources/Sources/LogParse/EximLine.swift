/// One parsed line of Exim's main log (`/var/log/exim4/mainlog`, `/var/log/exim/main.log`).
///
/// ## Layout (captured from Exim 4.96, see `Tests/Fixtures/exim/README.md`)
///
///     YYYY-MM-DD HH:MM:SS[.fff][ ±hhmm][ [pid]] [MESSAGE-ID ]TEXT
///
/// `.fff` comes with `log_selector = +millisec`, the offset with `log_timezone = true`, `[pid]` with `+pid`.
/// Lines about a message start with its ID (``EximMessageID``), then a flag:
///
/// - `<=` arrival: `<= SENDER FIELDS...`; the sender is `<>` for bounces, and its local part may be quoted and hold
///   spaces and field-like text (`"spoof A=plain_server:alice@example.org"@remote.test`), so it is read first and
///   fields are looked for only after it. `A=NAME:LOGIN` names the authenticator (its instance name in the
///   configuration: `plain_server`, `dovecot_login`, ...) and the login (`server_set_id` as is, spaces included),
///   which runs to the ` S=` that always follows it (Exim may put ` PRDR`, ` PRX=...` and ` K` in between: they
///   are dropped; with `+smtp_mailauth` Exim appends `:` and the MAIL command's `AUTH=` address: the login is
///   cut at its first colon). Quoted values (`T="subject"`, `DN="..."`, quoted local parts) are skipped whole,
///   escaped quotes (`\"`) included. With `+received_recipients` the last field is ` for ADDR ADDR ...`.
/// - `=>` delivered, `->` further address of the same delivery, `**` failed, `==` deferred:
///   `ADDRESS[ (PARENT)...][ <ENVELOPE>] FIELDS`, where the address field ends at the first field (` F=<`,
///   ` P=<`, ` R=`, ` T=`, ` routing defer`) or `: ` (the error of a failure). The envelope recipient is the
///   last `<...>` of that field, else the address itself (a delivered address may hold an unquoted space:
///   `-> team lead@remote.test <"team lead"@remote.test>`).
/// - `Completed`.
///
/// Lines without a message ID (daemon start, queue runs, rejections, failed logins with their client-chosen
/// `set_id=`, TLS errors, `SMTP connection from`, `cwd=`) are ``EximEvent/other``.
struct EximLine: Sendable, Hashable {
    /// The leading stamp; nil only for malformed lines.
    var timestamp: LogTimestamp?
    /// The message ID, for lines about a message.
    var messageID: EximMessageID?
    /// What the line says.
    var event: EximEvent

    static let malformedLine = EximLine(timestamp: nil, messageID: nil, event: .malformed)

    /// Parses one line (without its newline); ranges in the result index `line`.
    static func parse(_ line: [UInt8]) -> EximLine {
        line.withUnsafeBufferPointer { parse($0) }
    }

    /// Parses one line (without its newline). Never fails: unusable lines give ``EximEvent/malformed``.
    static func parse(_ line: UnsafeBufferPointer<UInt8>) -> EximLine {
        parse(line, deliveriesOf: { _ in true })
    }

    /// Parses one line; a delivery line (`=>`, `->`, `**`, `==`) of a message for which `deliveriesOf` says no is
    /// ``EximEvent/other`` without its address field being read (most delivery lines are of messages that do not
    /// count: this is where reading a large log spends its time).
    static func parse(_ line: UnsafeBufferPointer<UInt8>, deliveriesOf wanted: (EximMessageID) -> Bool) -> EximLine {
        guard let ts = LogTimestamp.parseExim(line) else { return malformedLine }
        let start = ts.restOffset
        guard let id = EximMessageID.at(start, in: line) else {
            return EximLine(timestamp: ts, messageID: nil, event: .other)
        }
        let p = start + Int(id.count) + 1
        if p + 2 < line.count, line[p + 2] == ByteScan.space, isDeliveryFlag(line[p], line[p + 1]), !wanted(id) {
            return EximLine(timestamp: ts, messageID: id, event: .other)
        }
        return EximLine(timestamp: ts, messageID: id, event: classify(line, at: p))
    }

    /// `=>`, `->`, `**` or `==`.
    @inline(__always)
    static func isDeliveryFlag(_ a: UInt8, _ b: UInt8) -> Bool {
        (a == 0x3D && (b == 0x3E || b == 0x3D)) || (a == 0x2D && b == 0x3E) || (a == 0x2A && b == 0x2A)
    }

    /// Classifies the text after a message ID and its space.
    static func classify(_ line: UnsafeBufferPointer<UInt8>, at p: Int) -> EximEvent {
        guard p + 2 < line.count, line[p + 2] == ByteScan.space else {
            return p + 9 == line.count && ByteScan.hasPrefix(line, "Completed", at: p) ? .completed : .other
        }
        switch (line[p], line[p + 1]) {
        case (0x3C, 0x3D): return arrival(line, at: p + 3)            // <=
        case (0x3D, 0x3E): return delivery(.delivered, line, at: p + 3)  // =>
        case (0x2D, 0x3E): return delivery(.alsoDelivered, line, at: p + 3)  // ->
        case (0x2A, 0x2A): return delivery(.failed, line, at: p + 3)  // **
        case (0x3D, 0x3D): return delivery(.deferred, line, at: p + 3)  // ==
        default: return .other
        }
    }

    /// The index after the space-separated token that starts at `i`, skipping quoted parts (`"..."` with `\`
    /// escapes) whole: spaces inside quotes do not end a token. An unterminated quote runs to the end.
    static func tokenEnd(_ line: UnsafeBufferPointer<UInt8>, from i: Int) -> Int {
        var j = i
        while j < line.count {
            let b = line[j]
            if b == ByteScan.space { return j }
            if b == 0x22 {
                j += 1
                while j < line.count && line[j] != 0x22 {
                    j += line[j] == 0x5C ? 2 : 1
                }
            }
            j += 1
        }
        return line.count
    }

    /// `<= SENDER FIELDS...` from `p` (after `<= `).
    static func arrival(_ line: UnsafeBufferPointer<UInt8>, at p: Int) -> EximEvent {
        let end = line.count
        guard p < end else { return .malformed }
        var sender: Range<Int>?
        var i: Int
        if ByteScan.hasPrefix(line, "<>", at: p) && (p + 2 == end || line[p + 2] == ByteScan.space) {
            i = p + 2
        } else {
            i = tokenEnd(line, from: p)
            guard i > p else { return .malformed }
            sender = p..<i
        }
        var authenticator: Range<Int>?
        var login: Range<Int>?
        var forList: Int?
        while i < end {
            guard line[i] == ByteScan.space else { return .malformed }
            i += 1
            if authenticator == nil && ByteScan.hasPrefix(line, "A=", at: i) {
                let nameEnd = tokenEnd(line, from: i + 2)
                if let colon = ByteScan.index(of: ByteScan.colon, in: line, from: i + 2, end: nameEnd) {
                    authenticator = (i + 2)..<colon
                    let loginEnd = ByteScan.find(line, " S=", from: colon + 1) ?? nameEnd
                    login = trimLogin(line, (colon + 1)..<loginEnd)
                    i = loginEnd
                } else {
                    authenticator = (i + 2)..<nameEnd  // `server_set_id` unset: no login
                    i = nameEnd
                }
                continue
            }
            if ByteScan.hasPrefix(line, "for", at: i) && (i + 3 == end || line[i + 3] == ByteScan.space) {
                forList = i + 3  // the last `for` outside quotes is the real one: it is the last field
            }
            i = tokenEnd(line, from: i)
        }
        var recipients: Int?
        if let list = forList {
            var count = 0
            var j = list
            while j < end {
                j += 1  // the space
                let e = tokenEnd(line, from: j)
                if e > j { count += 1 }
                j = e
            }
            recipients = count
        }
        return .arrival(sender: sender, authenticator: authenticator, login: login, recipients: recipients)
    }

    /// The login without what Exim may write between it and ` S=` (` PRDR`, ` PRX=...`, ` K`) and without the
    /// `:AUTH=address` that `+smtp_mailauth` appends.
    static func trimLogin(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int> {
        var e = range.upperBound
        if e - range.lowerBound >= 2 && ByteScan.hasPrefix(line, " K", at: e - 2) { e -= 2 }
        if let prx = lastIndex(of: " PRX=", in: line, range.lowerBound..<e) { e = prx }
        if e - range.lowerBound >= 5 && ByteScan.hasPrefix(line, " PRDR", at: e - 5) { e -= 5 }
        if let colon = ByteScan.index(of: ByteScan.colon, in: line, from: range.lowerBound, end: e) { e = colon }
        return range.lowerBound..<e
    }

    private static func lastIndex(of literal: StaticString, in line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Int? {
        var found: Int?
        var from = range.lowerBound
        while let i = ByteScan.find(line, literal, from: from, end: range.upperBound) {
            found = i
            from = i + 1
        }
        return found
    }

    /// `ADDRESS[ (PARENT)...][ <ENVELOPE>] FIELDS` from `p` (after `=> `, `-> `, `** ` or `== `).
    static func delivery(_ kind: EximEvent.Delivery, _ line: UnsafeBufferPointer<UInt8>, at p: Int) -> EximEvent {
        var e = line.count
        for terminator in [" R=", " F=<", " P=<", " T=", " routing defer"] as [StaticString] {
            if let x = ByteScan.find(line, terminator, from: p, end: e) { e = x }
        }
        // `: ` starts a failure's error text; `:blackhole:` (an alias that discards) is an address of its own.
        let blackhole = ByteScan.hasPrefix(line, ":blackhole: ", at: p) ? 11 : 0
        if let x = ByteScan.find(line, ": ", from: p + blackhole, end: e) { e = x }
        if e > p && line[e - 1] == ByteScan.colon { e -= 1 }  // `addr:` at the end of a line
        guard e > p else { return .malformed }
        var address = p..<e
        var envelope = p..<e
        if line[e - 1] == 0x3E {
            var lt = e - 2
            while lt >= p && line[lt] != 0x3C { lt -= 1 }
            guard lt >= p else { return .malformed }
            envelope = (lt + 1)..<(e - 1)
            var a = lt
            if let paren = ByteScan.find(line, " (", from: p, end: lt) { a = paren + 1 }
            address = p..<max(p, a - 1)
            guard !envelope.isEmpty else { return .malformed }
        }
        return .delivery(kind, address: address, envelope: envelope)
    }
}
