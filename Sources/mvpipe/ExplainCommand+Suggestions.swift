import Pipeline

extension ExplainCommand {
    /// Up to `count` of `known` closest to `user` (edit distance on at most 200 scalars of each, as
    /// user names are untrusted and may be long; case ignored; names containing it first).
    static func closest(to user: String, in known: Set<String>, count: Int = 3) -> [String] {
        let wanted = Array(user.lowercased().unicodeScalars)
        let scored = known.map { name -> (String, Int) in
            let lower = name.lowercased()
            let contains = !wanted.isEmpty && (lower.contains(user.lowercased()) || user.lowercased().contains(lower))
            return (name, contains ? 0 : 1 + editDistance(Array(wanted.prefix(200)), Array(lower.unicodeScalars.prefix(200))))
        }
        return scored.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }.prefix(count).map(\.0)
    }
}
