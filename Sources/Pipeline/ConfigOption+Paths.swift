extension ConfigOption where Value == [String] {
    /// A required, non-empty list of file paths or glob patterns (a single string is one path), each resolved
    /// against the config file's folder.
    public static func paths(_ name: String, _ summary: String) -> ConfigOption {
        ConfigOption(OptionSpec(name, .stringList, default: .required, summary)) { json, site in
            guard let json else { throw OptionError("required: expected an array of file paths or glob patterns") }
            let paths = try [String](optionValue: json)
            guard !paths.isEmpty else { throw OptionError("expected at least one path") }
            for (i, path) in paths.enumerated() where path.isEmpty {
                throw OptionError("must not be empty", at: "[\(i)]")
            }
            return paths.map { site.resolve(path: $0) }
        }.documented { $0.minItems = 1 }
    }
}

extension ConfigOption where Value == String {
    /// A required file or folder path, resolved against the config file's folder.
    public static func path(_ name: String, _ summary: String) -> ConfigOption {
        required(name, summary).nonEmpty().map { path, site in site.resolve(path: path) }
    }
}

extension ConfigOption where Value == String? {
    /// An optional file or folder path, resolved against the config file's folder; `nil` when absent (`absent`
    /// says what happens then, e.g. "the system CA store").
    public static func path(_ name: String, absent: String, _ summary: String) -> ConfigOption {
        optional(name, absent: absent, summary).nonEmpty().map { path, site in path.map { site.resolve(path: $0) } }
    }
}
