extension UntrustedText {
    /// The text with each scalar found in `table` replaced by its entry (an escaping table for one
    /// output format: Slack entities, HTML entities, Prometheus label escapes, …).
    public static func replacing(_ text: String, _ table: [Unicode.Scalar: String]) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if let replacement = table[scalar] { out += replacement } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }
}
