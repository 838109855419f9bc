import ArgumentParser
import Pipeline

/// `mvpipe plugins`: the config's top-level keys and every registered plugin with its options and defaults.
struct PluginsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "List the config's top-level keys and every plugin compiled in, with its options and defaults."
    )

    @Flag(help: "Print Markdown (the README's config reference is made with this).")
    var markdown = false

    func run() throws {
        var out: [String] = []
        if markdown {
            out.append("### Top-level keys\n")
            out += table(PipelineConfig.specs, header: "key")
            out.append("")
        } else {
            out.append("TOP-LEVEL KEYS:")
            out += PipelineConfig.specs.map { "  " + line($0) }
            out.append("")
        }
        for role in PluginRole.allCases {
            let title = role.plural.prefix(1).uppercased() + role.plural.dropFirst()
            out.append(markdown ? "### \(title)\n" : "\(title.uppercased()):")
            for plugin in builtinRegistry.plugins(role) {
                if markdown {
                    out.append("#### `\(plugin.type)`\n\n\(plugin.summary)\n")
                    out += table(Registry.commonSpecs(of: plugin) + plugin.optionSpecs, header: "option")
                    out.append("")
                } else {
                    out.append("  \(plugin.type): \(plugin.summary)")
                    out += plugin.optionSpecs.map { "      " + line($0) }
                }
            }
            out.append("")
        }
        if !markdown { out.append("Every entry also takes \"type\" (required) and \"name\" (default: the type).") }
        try CLI.printOut(out.joined(separator: "\n"))
    }

    /// A Markdown table of `specs`: JSON defaults as code, described ones as words.
    private func table(_ specs: [OptionSpec], header: String) -> [String] {
        ["| \(header) | type | default | meaning |", "| --- | --- | --- | --- |"] + specs.map { s in
            let value = switch s.defaultValue {
            case .required: "required"
            case .value(let json): "`\(json.compactText)`"
            case .described(let words): words
            }
            return "| `\(s.name)` | \(s.kind.title) | \(value) | \(s.summary) |"
        }
    }

    /// One line of the plain listing: `name (type, default …): meaning`.
    private func line(_ s: OptionSpec) -> String {
        let value = switch s.defaultValue {
        case .required: "required"
        case .value(let json): "default \(json.compactText)"
        case .described(let words): "default: \(words)"
        }
        return "\(s.name) (\(s.kind.title), \(value)): \(s.summary)"
    }
}
