/// A user name pattern from the config: exact, or with `*` (any run of characters) and `?` (one
/// character). Matching ignores ASCII case; every other character is literal.
public struct UserPattern: Sendable, Equatable, CustomStringConvertible {
    /// The pattern as written.
    public let text: String
    private let scalars: [Unicode.Scalar]

    /// Creates a pattern.
    public init(_ text: String) {
        self.text = text
        self.scalars = Array(text.lowercased().unicodeScalars)
    }

    public var description: String { text }

    /// Whether `user` matches.
    public func matches(_ user: String) -> Bool {
        let name = Array(user.lowercased().unicodeScalars)
        // Iterative wildcard matching with backtracking to the last `*`.
        var p = 0, n = 0
        var star = -1, mark = 0
        while n < name.count {
            if p < scalars.count && (scalars[p] == "?" || scalars[p] == name[n]) {
                p += 1
                n += 1
            } else if p < scalars.count && scalars[p] == "*" {
                star = p
                mark = n
                p += 1
            } else if star >= 0 {
                p = star + 1
                mark += 1
                n = mark
            } else {
                return false
            }
        }
        while p < scalars.count && scalars[p] == "*" { p += 1 }
        return p == scalars.count
    }
}
