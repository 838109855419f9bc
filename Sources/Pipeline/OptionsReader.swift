/// Reads one JSON object of the config (a plugin entry or the top level) field by field,
/// with the JSON path in every error, and rejects keys nobody read.
public struct OptionsReader {
    /// The JSON path of the object being read, for example `$.detectors[1]`.
    public let path: String
    private let object: [String: JSONValue]
    private let specs: [OptionSpec]
    private var used: Set<String> = []

    /// Creates a reader over `value`, which must be a JSON object.
    public init(_ value: JSONValue, path: String, specs: [OptionSpec]) throws {
        guard case .object(let object) = value else {
            throw ConfigError(path, "expected an object, found \(value.kindDescription)")
        }
        self.path = path
        self.object = object
        self.specs = specs
    }

    /// The path of `key` inside this object.
    public func path(of key: String) -> String { "\(path).\(key)" }

    /// Marks `key` as understood without reading it (for keys handled elsewhere, like `type`).
    public mutating func accept(_ key: String) { used.insert(key) }

    /// The raw value of `key`, if present (JSON `null` counts as absent).
    public mutating func value(_ key: String) -> JSONValue? {
        used.insert(key)
        guard let v = object[key], v != .null else { return nil }
        return v
    }

    /// A string option.
    public mutating func string(_ key: String) throws -> String? {
        guard let v = value(key) else { return nil }
        guard case .string(let s) = v else { throw typeError(key, "a string", v) }
        return s
    }

    /// A string option that must be present and non-empty.
    public mutating func requiredString(_ key: String) throws -> String {
        guard let s = try string(key) else { throw ConfigError(path(of: key), "required: expected a string") }
        guard !s.isEmpty else { throw ConfigError(path(of: key), "must not be empty") }
        return s
    }

    /// An integer option within `range`, or `defaultValue` when absent.
    public mutating func integer(_ key: String, default defaultValue: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let v = value(key) else { return defaultValue }
        let n: Int
        switch v {
        case .integer(let i): n = i
        case .number(let d) where d == d.rounded() && abs(d) < 1e15: n = Int(d)
        default: throw typeError(key, "an integer", v)
        }
        guard range.contains(n) else {
            throw ConfigError(path(of: key), "expected an integer from \(range.lowerBound) to \(range.upperBound), found \(n)")
        }
        return n
    }

    /// A number option within `range`, or `defaultValue` when absent.
    public mutating func number(_ key: String, default defaultValue: Double, in range: ClosedRange<Double>) throws -> Double {
        guard let v = value(key) else { return defaultValue }
        let d: Double
        switch v {
        case .integer(let i): d = Double(i)
        case .number(let x): d = x
        default: throw typeError(key, "a number", v)
        }
        guard range.contains(d) else {
            throw ConfigError(path(of: key), "expected a number from \(range.lowerBound) to \(range.upperBound), found \(d)")
        }
        return d
    }

    /// A boolean option, or `defaultValue` when absent.
    public mutating func boolean(_ key: String, default defaultValue: Bool) throws -> Bool {
        guard let v = value(key) else { return defaultValue }
        guard case .bool(let b) = v else { throw typeError(key, "true or false", v) }
        return b
    }

    /// An array-of-strings option; a single string is accepted as a one-element list.
    public mutating func stringList(_ key: String) throws -> [String]? {
        guard let v = value(key) else { return nil }
        switch v {
        case .string(let s): return [s]
        case .array(let items):
            return try items.enumerated().map { index, item in
                guard case .string(let s) = item else {
                    throw ConfigError("\(path(of: key))[\(index)]", "expected a string, found \(item.kindDescription)")
                }
                return s
            }
        default: throw typeError(key, "an array of strings", v)
        }
    }

    /// Throws for the first key present that no read asked for, suggesting the closest valid key.
    public func finish() throws {
        for key in object.keys.sorted() where !used.contains(key) {
            let valid = (Set(specs.map(\.name)).union(used)).sorted()
            var message = "unknown key '\(key)'"
            if let guess = valid.min(by: { editDistance($0, key) < editDistance($1, key) }),
               editDistance(guess, key) <= max(2, key.count / 3) {
                message += " (did you mean '\(guess)'?)"
            }
            message += "; valid keys here: \(valid.joined(separator: ", "))"
            throw ConfigError(path(of: key), message)
        }
    }

    private func typeError(_ key: String, _ expected: String, _ found: JSONValue) -> ConfigError {
        ConfigError(path(of: key), "expected \(expected), found \(found.kindDescription)")
    }
}

/// Levenshtein distance, for "did you mean" suggestions.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = previous
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
