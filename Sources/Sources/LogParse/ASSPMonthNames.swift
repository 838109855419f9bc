/// The month names ASSP writes for `MMM` in its 14 `LogDateLang` languages: the first three letters of each
/// month's name (cut in ISO-8859-1, written as UTF-8), as `timestring` makes them.
///
/// Matching is case-sensitive, as ASSP writes them: `Mar` is March in every language that capitalises it, while
/// lower-case `mar` is March in French, Spanish, Portuguese, Norwegian, Swedish and Danish but November
/// (`marraskuu`) in Finnish, and French `jui` is both `juin` and `juillet`. Those two give two candidates, which
/// ``ASSPDateFormat`` resolves by date.
enum ASSPMonthNames {
    /// Per language (ASSP's `LogDateLang` order: English, Français, Deutsch, Español, Português, Nederlands,
    /// Italiano, Norsk, Svenska, Dansk, suomi, Magyar, polski, Romaneste), January to December.
    static let languages: [[String]] = [
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
        ["jan", "fév", "mar", "avr", "mai", "jui", "jui", "aoû", "sep", "oct", "nov", "déc"],
        ["Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"],
        ["ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"],
        ["jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez"],
        ["jan", "feb", "maa", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
        ["Gen", "Feb", "Mar", "Apr", "Mag", "Giu", "Lug", "Ago", "Set", "Ott", "Nov", "Dic"],
        ["jan", "feb", "mar", "apr", "mai", "jun", "jul", "aug", "sep", "okt", "nov", "des"],
        ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
        ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"],
        ["tam", "hel", "maa", "huh", "tou", "kes", "hei", "elo", "syy", "lok", "mar", "jou"],
        ["Jan", "Feb", "Már", "Ápr", "Máj", "Jún", "Júl", "Aug", "Sze", "Okt", "Nov", "Dec"],
        ["Sty", "Lut", "Mar", "Kwi", "Maj", "Cze", "Lip", "Sie", "Wrz", "Paz", "Lis", "Gru"],
        ["Ian", "Feb", "Mar", "Apr", "Mai", "Iun", "Iul", "Aug", "Sep", "Oct", "Noi", "Dec"],
    ]

    /// Every distinct name as bytes with its months, longest first (UTF-8 names are 3 to 5 bytes).
    static let table: [(name: [UInt8], months: MonthCandidates)] = {
        var months: [[UInt8]: [Int]] = [:]
        for language in languages {
            for (index, name) in language.enumerated() where !(months[Array(name.utf8)] ?? []).contains(index + 1) {
                months[Array(name.utf8), default: []].append(index + 1)
            }
        }
        return months.map { name, list in
            (name, list.count == 1 ? MonthCandidates.one(list[0]) : .two(list.min()!, list.max()!))
        }.sorted { $0.name.count != $1.name.count ? $0.name.count > $1.name.count : $0.name.lexicographicallyPrecedes($1.name) }
    }()

    /// The months the name at `i` of `line` can stand for, and the index after it; nil when none matches.
    static func match(_ line: UnsafeBufferPointer<UInt8>, at i: Int) -> (MonthCandidates, Int)? {
        guard i < line.count else { return nil }
        let first = line[i]
        for (name, months) in table where name[0] == first && i + name.count <= line.count {
            var k = 1
            while k < name.count && line[i + k] == name[k] { k += 1 }
            if k == name.count { return (months, i + k) }
        }
        return nil
    }
}
