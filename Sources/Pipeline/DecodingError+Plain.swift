/// A `DecodingError` in words for an admin: what is wrong and at which JSON path, without Swift's type names or
/// Foundation's debug text.
extension DecodingError {
    /// "missing "user" at $.verdicts[0]", "a value of the wrong type at $.messages", …
    public var plainDescription: String {
        switch self {
        case .keyNotFound(let key, let context):
            return "missing \"\(UntrustedText.display(key.stringValue, limit: 60))\" at \(Self.path(context.codingPath))"
        case .typeMismatch(_, let context):
            return "a value of the wrong type at \(Self.path(context.codingPath))"
        case .valueNotFound(_, let context):
            return "null where a value is needed at \(Self.path(context.codingPath))"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "not valid JSON" : "an invalid value at \(Self.path(context.codingPath))"
        @unknown default:
            return "not readable"
        }
    }

    private static func path(_ codingPath: [any CodingKey]) -> String {
        "$" + codingPath.map { key in
            key.intValue.map { "[\($0)]" } ?? ".\(UntrustedText.display(key.stringValue, limit: 60))"
        }.joined()
    }
}
