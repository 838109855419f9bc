/// Where an option is read: its JSON path and the plugin context (for paths relative to the config file,
/// the environment of secrets).
public struct OptionSite: Sendable {
    /// The JSON path of the key, for example `$.notifiers[0].url_env`.
    public let path: String
    /// What the plugin may know about its surroundings.
    public let context: PluginContext

    /// Resolves a path from the config against the config file's folder.
    public func resolve(path: String) -> String { context.resolve(path: path) }

    /// Runs `body`, putting an ``OptionError`` it throws at this path.
    func locating<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as OptionError {
            throw ConfigError(path + error.suffix, error.message)
        }
    }
}
