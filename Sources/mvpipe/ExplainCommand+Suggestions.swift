import Pipeline

extension ExplainCommand {
    /// Up to `count` of `known` closest to `user` (edit distance, case ignored; names containing it first).
    static func closest(to user: String, in known: Set<String>, count: Int = 3) -> [String] {
        let wanted = Array(user.lowercased().unicodeScalars)
        let scored = known.map { name -> (String, Int) in
            let lower = name.lowercased()
            let contains = !wanted.isEmpty && (lower.contains(user.lowercased()) || user.lowercased().contains(lower))
            return (name, contains ? 0 : 1 + distance(wanted, Array(lower.unicodeScalars)))
        }
        return scored.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }.prefix(count).map(\.0)
    }

    /// Levenshtein distance, on at most 200 scalars of each (user names are untrusted and may be long).
    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        let a = Array(a.prefix(200)), b = Array(b.prefix(200))
        guard !a.isEmpty else { return b.count }
        guard !b.isEmpty else { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
