/// Reads one JSON object of the config (a plugin entry, an override or the top level) through its declared
/// ``ConfigOption``s, with the JSON path in every error, and rejects keys that are not declared.
///
/// It records every key it looked up, so a test can prove that each declared key is read and each key read is
/// declared (``lookedUp``, ``undeclared``).
public struct OptionsReader {
    /// The JSON path of the object being read, for example `$.detectors[1]`.
    public let path: String
    /// The context options are resolved in (paths against the config file's folder, secrets from its environment).
    public var context: PluginContext
    /// The declared keys of this object.
    public let specs: [OptionSpec]
    private let object: [String: JSONValue]
    private let declared: Set<String>
    /// Every key looked up so far, in order (once each).
    public private(set) var lookedUp: [String] = []
    /// Keys looked up that no spec declares: a programming error (the registry test fails on it).
    public private(set) var undeclared: [String] = []

    /// Creates a reader over `value`, which must be a JSON object whose keys `specs` declare.
    public init(_ value: JSONValue, path: String, specs: [OptionSpec], context: PluginContext) throws {
        guard case .object(let object) = value else {
            throw ConfigError(path, "expected an object, found \(value.kindDescription)")
        }
        self.path = path
        self.object = object
        self.specs = specs
        self.declared = Set(specs.map(\.name))
        self.context = context
    }

    /// Reads a declared option: the config's value, checked and converted, or its default.
    public mutating func read<Value>(_ option: ConfigOption<Value>) throws -> Value {
        try option.resolve(&self).value
    }

    /// The path of `key` inside this object.
    public func path(of key: String) -> String { "\(path).\(key)" }

    /// The path of `option`'s key inside this object.
    public func path<Value>(of option: ConfigOption<Value>) -> String { path(of: option.name) }

    /// Where `key` is read.
    func site(of key: String) -> OptionSite { OptionSite(path: path(of: key), context: context) }

    /// The raw value of `key`, if present (JSON `null` counts as absent); records the lookup.
    mutating func lookup(_ key: String) -> JSONValue? {
        if !lookedUp.contains(key) {
            lookedUp.append(key)
            if !declared.contains(key) { undeclared.append(key) }
        }
        guard let v = object[key], v != .null else { return nil }
        return v
    }

    /// The raw value of `key` without recording a lookup: only to explain a mistake (a secret written inline).
    func peek(_ key: String) -> JSONValue? {
        guard let v = object[key], v != .null else { return nil }
        return v
    }

    /// Throws for the first key present that is not declared, suggesting the closest declared key; and for a key
    /// the code reads without declaring it, or declares without reading it when the config sets it (bugs in
    /// mvpipe, which the registry test catches before a user can).
    public func finish() throws {
        if let key = undeclared.first {
            throw ConfigError(path(of: key), "mvpipe reads '\(key)' here without declaring it (a bug in mvpipe: please report it); declared keys: \(declared.sorted().joined(separator: ", "))")
        }
        for key in object.keys.sorted() where !(declared.contains(key) && lookedUp.contains(key)) {
            if declared.contains(key) {
                throw ConfigError(path(of: key), "mvpipe declares '\(key)' here but does not read it (a bug in mvpipe: please report it)")
            }
            let valid = declared.sorted()
            var message = "unknown key '\(key)'"
            if let guess = valid.min(by: { editDistance($0, key) < editDistance($1, key) }),
               editDistance(guess, key) <= max(2, key.count / 3) {
                message += " (did you mean '\(guess)'?)"
            }
            message += "; valid keys here: \(valid.joined(separator: ", "))"
            throw ConfigError(path(of: key), message)
        }
    }
}
