extension OptionsReader {
    /// A required, non-empty list of file paths or glob patterns (a single string is one path),
    /// each resolved against the config file's folder.
    public mutating func requiredPaths(_ key: String, context: PluginContext) throws -> [String] {
        guard let paths = try stringList(key) else {
            throw ConfigError(path(of: key), "required: expected an array of file paths or glob patterns")
        }
        guard !paths.isEmpty else { throw ConfigError(path(of: key), "expected at least one path") }
        for (i, path) in paths.enumerated() where path.isEmpty {
            throw ConfigError("\(self.path(of: key))[\(i)]", "must not be empty")
        }
        return paths.map { context.resolve(path: $0) }
    }
}
