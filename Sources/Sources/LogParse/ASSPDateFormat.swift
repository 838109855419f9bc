import Pipeline

/// ASSP's `LogDateFormat`, compiled to read the stamps ASSP writes with it (`sub timestring`).
///
/// ASSP builds a stamp from the format by replacing, once each and in this order, `YYYY` (four-digit year), `YY`
/// (two digits), `MMM` (month name), `MM` (two digits), `DDD` (weekday name), `DD`, `hh`, `mm` and `ss`; any other
/// character stays as it is, after one leading and one trailing separator are dropped and runs of white space
/// became one space. Seen: `MMM-DD-YY hh:mm:ss` (the default, `Dec-02-26 15:56:51`), `DD.MMM.YYYY hh:mm:ss`
/// (`02.Dez.2026 16:01:45`), `YYYY-MM-DD hh:mm:ss`.
///
/// Month and weekday names are the first three letters of the name in ASSP's `LogDateLang` (14 languages), cut in
/// ISO-8859-1 and written as UTF-8 (`déc` is `64 c3 a9 63`). Every language's names are read, case-sensitively;
/// two are ambiguous: French `jui` (juin and juillet) and lower-case `mar` (March in French, Spanish, Portuguese and
/// the Nordic languages, November in Finnish). Such a stamp is read as the latest of its candidate dates that is not
/// after the run (``reference``, with a day's tolerance), or the earliest when both are later. A format without a
/// year gets the year the way syslog stamps do (``LogTimestamp/inferYear(month:day:secondOfDay:reference:)``).
struct ASSPDateFormat: Sendable, Equatable {
    /// One element of the compiled format.
    enum Part: Sendable, Hashable {
        case year4, year2, monthName, month2, weekdayName, day2, hour, minute, second
        /// A byte that must be there as it is.
        case literal(UInt8)
    }

    /// Why a format cannot be used.
    struct Invalid: Error, Sendable {
        /// What is wrong with it.
        let reason: String
    }

    /// ASSP's default, `MMM-DD-YY hh:mm:ss`.
    static let standard = try! ASSPDateFormat("MMM-DD-YY hh:mm:ss")

    /// The format as configured.
    let text: String
    /// The compiled parts.
    let parts: [Part]
    /// The run's local date and time: ambiguous month names and formats without a year are resolved against it;
    /// nil takes the later month and the stamp without a year.
    var reference: LogTimestamp.YearReference?

    /// Compiles `text` as ASSP does; throws ``Invalid`` when it lacks a month, day, hour, minute or second, or holds
    /// characters other than ASCII.
    init(_ text: String) throws(Invalid) {
        self.text = text
        var chars = Array(text.utf8)
        guard chars.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
            throw Invalid(reason: "only ASCII letters, digits, separators and spaces can be part of it")
        }
        func isToken(_ b: UInt8) -> Bool { "YMDhms".utf8.contains(b) }
        if let first = chars.first, !isToken(first) { chars.removeFirst() }
        if let last = chars.last, !isToken(last) { chars.removeLast() }
        var collapsed: [UInt8] = []
        for c in chars where !(c == 0x20 && collapsed.last == 0x20) { collapsed.append(c) }
        // ASSP's replacement order, first occurrence each; placeholders 1...9 stand for the replaced tokens.
        let tokens: [(String, UInt8)] = [("YYYY", 1), ("YY", 2), ("MMM", 3), ("MM", 4), ("DDD", 5), ("DD", 6),
                                         ("hh", 7), ("mm", 8), ("ss", 9)]
        for (token, mark) in tokens {
            let t = Array(token.utf8)
            guard collapsed.count >= t.count else { continue }
            if let at = (0...(collapsed.count - t.count)).first(where: { Array(collapsed[$0..<($0 + t.count)]) == t }) {
                collapsed.replaceSubrange(at..<(at + t.count), with: [mark])
            }
        }
        let byMark: [UInt8: Part] = [1: .year4, 2: .year2, 3: .monthName, 4: .month2, 5: .weekdayName, 6: .day2,
                                     7: .hour, 8: .minute, 9: .second]
        parts = collapsed.map { byMark[$0] ?? .literal($0) }
        let has = Set(parts)
        guard has.contains(.monthName) || has.contains(.month2), has.contains(.day2), has.contains(.hour),
              has.contains(.minute), has.contains(.second)
        else { throw Invalid(reason: "it needs MMM or MM, DD, hh, mm and ss") }
    }

    /// This format, resolving ambiguous month names against a run at `reference`.
    func reading(at reference: LogTimestamp.YearReference) -> ASSPDateFormat {
        var copy = self
        copy.reference = reference
        return copy
    }

    /// This format, resolving ambiguous month names against a run at noon on `year`-`month`-`day`.
    func reading(onYear year: Int, month: Int, day: Int) -> ASSPDateFormat {
        let noon = Int64(Day(year: year, month: month, day: day)!.dayNumber) * 86_400 + 43_200
        return reading(at: LogTimestamp.YearReference(wallSeconds: noon))
    }

    /// Parses the stamp at `start` of `line`; `restOffset` is after the space that follows it (or the line's end).
    func parse(_ line: UnsafeBufferPointer<UInt8>, at start: Int) -> LogTimestamp? {
        var i = start
        var year: Int?
        var months: MonthCandidates = .none
        var day = 0, hour = 0, minute = 0, second = 0
        for part in parts {
            switch part {
            case .year4:
                guard let v = ByteScan.fixedDigits(line, at: i, count: 4) else { return nil }
                year = v
                i += 4
            case .year2:
                guard let v = ByteScan.fixedDigits(line, at: i, count: 2) else { return nil }
                year = 2000 + v
                i += 2
            case .month2:
                guard let v = ByteScan.fixedDigits(line, at: i, count: 2), (1...12).contains(v) else { return nil }
                months = .one(v)
                i += 2
            case .monthName:
                guard let (candidates, end) = ASSPMonthNames.match(line, at: i) else { return nil }
                months = candidates
                i = end
            case .weekdayName:
                guard let end = Self.threeLetters(line, at: i) else { return nil }
                i = end
            case .day2:
                guard let v = ByteScan.fixedDigits(line, at: i, count: 2), (1...31).contains(v) else { return nil }
                day = v
                i += 2
            case .hour:
                guard let v = ByteScan.fixedDigits(line, at: i, count: 2), v < 24 else { return nil }
                hour = v
                i += 2
            case .minute:
                guard let v = ByteScan.fixedDigits(line, at: i, count: 2), v < 60 else { return nil }
                minute = v
                i += 2
            case .second:
                guard let v = ByteScan.fixedDigits(line, at: i, count: 2), v <= 60 else { return nil }
                second = v
                i += 2
            case .literal(let b):
                guard i < line.count, line[i] == b else { return nil }
                i += 1
            }
        }
        if i < line.count {
            guard line[i] == ByteScan.space else { return nil }
            i += 1
        }
        let month: Int
        switch months {
        case .none: return nil
        case .one(let m): month = m
        case .two(let a, let b): month = resolve(a, b, year: year, day: day, secondOfDay: hour * 3600 + minute * 60 + second)
        }
        return LogTimestamp(year: year, month: month, day: day, hour: hour, minute: minute, second: second,
                            utcOffsetSeconds: nil, style: .assp, hostRange: start..<start, restOffset: i)
    }

    /// The month of `a` and `b` whose date is the latest not after the run (give or take
    /// ``LogTimestamp/futureToleranceSeconds``), else the earlier one.
    private func resolve(_ a: Int, _ b: Int, year: Int?, day: Int, secondOfDay: Int) -> Int {
        guard let reference else { return max(a, b) }
        func wall(_ m: Int) -> Int64 {
            let y = year ?? LogTimestamp.inferYear(month: m, day: day, secondOfDay: secondOfDay, reference: reference)
            let first = Day(year: y, month: m, day: 1)?.dayNumber ?? 0
            return Int64(first + day - 1) * 86_400 + Int64(secondOfDay)
        }
        let limit = reference.wallSeconds + LogTimestamp.futureToleranceSeconds
        let (wa, wb) = (wall(a), wall(b))
        let early = wa <= wb ? a : b, late = wa <= wb ? b : a
        return max(wa, wb) <= limit ? late : early
    }

    /// The end of three UTF-8 characters (a weekday name) at `i`: letters, not spaces, digits or controls.
    private static func threeLetters(_ line: UnsafeBufferPointer<UInt8>, at i: Int) -> Int? {
        var j = i
        for _ in 0..<3 {
            guard j < line.count else { return nil }
            let b = line[j]
            if b < 0x80 {
                guard (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) else { return nil }
                j += 1
            } else {
                let n = LogBytes.validSequenceLength(line, at: j)
                guard n > 0 else { return nil }
                j += n
            }
        }
        return j
    }
}

/// What a month field can mean: nothing yet, one month, or one of two (an ambiguous name).
enum MonthCandidates: Sendable, Hashable {
    case none
    case one(Int)
    case two(Int, Int)
}
