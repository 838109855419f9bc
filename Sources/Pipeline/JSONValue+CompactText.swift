/// JSON text as the docs show a default: compact, keys sorted (`["mon","tue"]`, `"mean"`, `3`, `0.5`).
extension JSONValue {
    /// The value as compact JSON text.
    public var compactText: String {
        switch self {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .integer(let i): "\(i)"
        case .number(let d): d == d.rounded() && abs(d) < 1e15 ? "\(Int(d))" : "\(d)"
        case .string(let s): StateExportFormat.quote(s)
        case .array(let items): "[" + items.map(\.compactText).joined(separator: ",") + "]"
        case .object(let object):
            "{" + object.keys.sorted().map { "\(StateExportFormat.quote($0)):\(object[$0]!.compactText)" }.joined(separator: ",") + "}"
        }
    }
}
