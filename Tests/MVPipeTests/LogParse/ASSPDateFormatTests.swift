import Testing
@testable import Sources

/// ASSP's LogDateFormat and LogDateLang, as `sub timestring` (assp.pl 2.4.5) writes them; the stamps of the real
/// runs are in ASSPLineTests and the capture tests.
@Suite struct ASSPDateFormatTests {
    func stamp(_ text: String, _ format: ASSPDateFormat) -> LogTimestamp? {
        Array(text.utf8).withUnsafeBufferPointer { format.parse($0, at: 0) }
    }

    @Test func formatsASSPAccepts() throws {
        let cases: [(String, String, (Int?, Int, Int, Int, Int, Int))] = [
            ("MMM-DD-YY hh:mm:ss", "Dec-02-26 15:56:51 x", (2026, 12, 2, 15, 56, 51)),
            ("DD.MMM.YYYY hh:mm:ss", "02.Dez.2026 16:01:45 x", (2026, 12, 2, 16, 1, 45)),
            ("YYYY-MM-DD hh:mm:ss", "2026-12-02 16:02:42 x", (2026, 12, 2, 16, 2, 42)),
            ("DDD MMM DD YYYY hh:mm:ss", "Wed Dec 02 2026 16:02:42 x", (2026, 12, 2, 16, 2, 42)),
            ("YYYYMMDD hhmmss", "20261202 160242 x", (2026, 12, 2, 16, 2, 42)),
            // ASSP drops one leading and one trailing separator and squeezes white space.
            ("[MM/DD/YY  hh:mm:ss]", "12/02/26 16:02:42 x", (2026, 12, 2, 16, 2, 42)),
            // No year: the year is inferred like a syslog stamp's (the run is in December 2026).
            ("MMM DD hh:mm:ss", "Nov 30 23:59:59 x", (nil, 11, 30, 23, 59, 59)),
        ]
        for (text, line, want) in cases {
            let format = try ASSPDateFormat(text).reading(onYear: 2026, month: 12, day: 2)
            let ts = try #require(stamp(line, format), "\(text)")
            #expect(ts.year == want.0 && ts.month == want.1 && ts.day == want.2, "\(text)")
            #expect(ts.hour == want.3 && ts.minute == want.4 && ts.second == want.5, "\(text)")
            #expect(ts.restOffset == line.utf8.count - 1, "\(text)")
        }
    }

    @Test func monthNamesOfEveryLanguage() throws {
        let format = try ASSPDateFormat("DD MMM YYYY hh:mm:ss").reading(onYear: 2026, month: 12, day: 31)
        for (language, names) in ASSPMonthNames.languages.enumerated() {
            for (index, name) in names.enumerated() {
                let ts = try #require(stamp("15 \(name) 2026 10:00:00", format), "language \(language) \(name)")
                // French "jui" is June and July: resolved by date (both are past on 31 December: the later).
                let expected = name == "jui" ? 7 : name == "mar" ? 11 : index + 1
                #expect(ts.month == expected, "language \(language) \(name)")
            }
        }
        #expect(stamp("15 MAR 2026 10:00:00", format) == nil)  // case-sensitive, as ASSP writes them
        #expect(stamp("15 Foo 2026 10:00:00", format) == nil)
    }

    @Test func ambiguousNamesResolveToTheLatestDateNotInTheFuture() throws {
        let fr = try ASSPDateFormat("MMM-DD-YY hh:mm:ss")
        // Read in June: "jui" cannot be July yet.
        #expect(stamp("jui-10-26 10:00:00", fr.reading(onYear: 2026, month: 6, day: 20))?.month == 6)
        // Read on 15 July: the 10th is July's, the 20th still June's.
        #expect(stamp("jui-10-26 10:00:00", fr.reading(onYear: 2026, month: 7, day: 15))?.month == 7)
        #expect(stamp("jui-20-26 10:00:00", fr.reading(onYear: 2026, month: 7, day: 15))?.month == 6)
        // Finnish "mar" is November, French/Spanish/Nordic "mar" March: in March it is March.
        #expect(stamp("mar-05-26 10:00:00", fr.reading(onYear: 2026, month: 3, day: 6))?.month == 3)
        #expect(stamp("mar-05-26 10:00:00", fr.reading(onYear: 2026, month: 11, day: 6))?.month == 11)
        // Capitalised "Mar" is only ever March.
        #expect(stamp("Mar-05-26 10:00:00", fr.reading(onYear: 2026, month: 11, day: 6))?.month == 3)
    }

    @Test(arguments: ["", "hh:mm:ss", "MMM-DD-YY", "MMM-DD-YY hh:mm", "DD.MM.YYYY hh:mm:ss ü"])
    func unusableFormats(_ text: String) {
        #expect(throws: ASSPDateFormat.Invalid.self) { try ASSPDateFormat(text) }
    }

    @Test func impossibleFieldsAreRefused() throws {
        let format = try ASSPDateFormat("YYYY-MM-DD hh:mm:ss")
        for line in ["2026-13-02 16:02:42", "2026-12-00 16:02:42", "2026-12-02 24:02:42", "2026-12-02 16:60:42",
                     "2026-12-02T16:02:42", "2026-12-0216:02:42", "2026-12-02 16:02"] {
            #expect(stamp(line, format) == nil, "\(line)")
        }
    }
}
