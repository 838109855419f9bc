import ArgumentParser
import Pipeline

/// `mvpipe plugins`: every registered plugin with its options and defaults.
struct PluginsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plugins",
        abstract: "List every plugin compiled in, with its options and defaults."
    )

    @Flag(help: "Print Markdown (the README's config reference is made with this).")
    var markdown = false

    func run() throws {
        var out: [String] = []
        func section(_ title: String, _ plugins: [(type: String, summary: String, specs: [OptionSpec])]) {
            out.append(markdown ? "### \(title)\n" : "\(title.uppercased()):")
            for p in plugins {
                if markdown {
                    out.append("#### `\(p.type)`\n\n\(p.summary)\n")
                    out.append("| option | type | default | meaning |\n| --- | --- | --- | --- |")
                    for s in Registry.commonSpecs + p.specs {
                        out.append("| `\(s.name)` | \(s.kind.rawValue) | \(s.defaultValue.map { "`\($0)`" } ?? "required") | \(s.summary) |")
                    }
                    out.append("")
                } else {
                    out.append("  \(p.type): \(p.summary)")
                    for s in p.specs {
                        out.append("      \(s.name) (\(s.kind.rawValue), \(s.defaultValue.map { "default \($0)" } ?? "required")): \(s.summary)")
                    }
                }
            }
            out.append("")
        }
        section("Sources", builtinRegistry.sources.map { ($0.type, $0.summary, $0.optionSpecs) })
        section("Detectors", builtinRegistry.detectors.map { ($0.type, $0.summary, $0.optionSpecs) })
        section("Notifiers", builtinRegistry.notifiers.map { ($0.type, $0.summary, $0.optionSpecs) })
        if !markdown { out.append("Every entry also takes \"type\" (required) and \"name\" (default: the type).") }
        try CLI.printOut(out.joined(separator: "\n"))
    }
}
