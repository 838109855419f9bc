import Foundation
import Testing

/// `mvpipe schema` validates the example config and every documented example, and rejects mistakes.
@Suite struct SchemaTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().path

    /// Validates configs with Python's jsonschema (Debian's python3-jsonschema): prints one line per file, "ok" or the error.
    static let validator = """
        import json, re, sys
        import jsonschema
        schema = json.load(open(sys.argv[1]))
        jsonschema.Draft202012Validator.check_schema(schema)
        validator = jsonschema.Draft202012Validator(schema)
        for path in sys.argv[2:]:
            errors = sorted(validator.iter_errors(json.load(open(path))), key=lambda e: list(e.path))
            print(path, "ok" if not errors else "INVALID " + "; ".join(e.message for e in errors[:3]))
        """

    static func python() -> String? {
        for candidate in ["/usr/bin/python3", "/usr/local/bin/python3"] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: candidate)
            p.arguments = ["-c", "import jsonschema"]
            p.standardError = FileHandle.nullDevice
            if (try? p.run()) != nil {
                p.waitUntilExit()
                if p.terminationStatus == 0 { return candidate }
            }
        }
        return nil
    }

    func validate(_ files: [String], dir: TemporaryDirectory) throws -> [String: String] {
        let schema = try CLIRunner.run(["schema"])
        #expect(schema.status == 0)
        try dir.write("schema.json", schema.stdout)
        try dir.write("validate.py", Self.validator)
        let python = try #require(Self.python(), "python3 with jsonschema is needed (apt-get install python3-jsonschema)")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: python)
        p.arguments = [dir.file("validate.py"), dir.file("schema.json")] + files
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        var result: [String: String] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            result[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        return result
    }

    /// Every ```json block of the README and docs that is a config, or a plugin entry wrapped into one.
    func documentedExamples(dir: TemporaryDirectory) throws -> [String] {
        let schema = try JSONSerialization.jsonObject(with: Data(try CLIRunner.run(["schema"]).stdout.utf8)) as! [String: Any]
        let properties = schema["properties"] as! [String: Any]
        func types(_ key: String) -> Set<String> {
            let items = ((properties[key] as! [String: Any])["items"] as! [String: Any])["oneOf"] as! [[String: Any]]
            return Set(items.map { (($0["properties"] as! [String: Any])["type"] as! [String: Any])["const"] as! String })
        }
        let kinds = ["sources": types("sources"), "detectors": types("detectors"), "notifiers": types("notifiers")]
        let minimal: [String: Any] = ["sources": [["type": "assp-archive", "path": "/a"]], "notifiers": [["type": "console"]]]
        var files: [String] = []
        let docs = ["README.md"] + ((try? FileManager.default.contentsOfDirectory(atPath: Self.root + "/docs")) ?? [])
            .filter { $0.hasSuffix(".md") }.map { "docs/" + $0 }
        for doc in docs {
            let text = try String(contentsOfFile: Self.root + "/" + doc, encoding: .utf8)
            for block in text.components(separatedBy: "```json\n").dropFirst() {
                let body = block.components(separatedBy: "```").first ?? ""
                guard let json = try? JSONSerialization.jsonObject(with: Data(body.utf8), options: [.fragmentsAllowed]) else { continue }
                var entries: [[String: Any]] = []
                if let object = json as? [String: Any] {
                    if object["sources"] != nil || object["notifiers"] != nil {
                        files.append(try write(object, dir: dir, index: files.count))
                        continue
                    }
                    entries = [object]
                } else if let array = json as? [[String: Any]] {
                    entries = array
                }
                for entry in entries {
                    guard let type = entry["type"] as? String,
                          let kind = kinds.first(where: { $0.value.contains(type) })?.key else { continue }
                    var config = minimal
                    config[kind] = [entry]
                    files.append(try write(config, dir: dir, index: files.count))
                }
            }
        }
        return files
    }

    func write(_ object: [String: Any], dir: TemporaryDirectory, index: Int) throws -> String {
        try ConfigFile.write(object, to: dir.file("example-\(index).json"))
    }

    @Test func exampleConfigAndDocumentedExamplesValidate() throws {
        let dir = try TemporaryDirectory()
        let examples = try documentedExamples(dir: dir)
        #expect(examples.count >= 8, "expected the README's and docs' examples, found \(examples.count)")
        let shipped = [Self.root + "/pipeline.example.json", Self.root + "/pipeline.postfix.example.json"]
        let results = try validate(shipped + examples, dir: dir)
        #expect(results.count == examples.count + shipped.count)
        for (file, verdict) in results {
            #expect(verdict == "ok", "\(file): \(verdict) — \((try? String(contentsOfFile: file, encoding: .utf8)) ?? "")")
        }
    }

    @Test func schemaRejectsWhatMvpipeRejects() throws {
        let dir = try TemporaryDirectory()
        let typo = try ConfigFile.write(["sources": [["type": "assp-archive", "pth": "/a"]], "notifiers": [["type": "console"]]],
                                        to: dir.file("typo.json"))
        let wrongType = try ConfigFile.write(["sources": [["type": "assp-archive", "path": "/a"]],
                                              "detectors": [["type": "hard-cap", "limit": "200"]],
                                              "notifiers": [["type": "console"]]], to: dir.file("type.json"))
        let unknownPlugin = try ConfigFile.write(["sources": [["type": "assp-archive", "path": "/a"]],
                                                  "notifiers": [["type": "pager"]]], to: dir.file("plugin.json"))
        let results = try validate([typo, wrongType, unknownPlugin], dir: dir)
        for file in [typo, wrongType, unknownPlugin] {
            #expect(results[file]?.hasPrefix("INVALID") == true, "\(file): \(results[file] ?? "no result")")
        }
    }

    /// `"state"`: the string and both object forms validate; what the config reader refuses does not.
    @Test func schemaKnowsTheFormsOfState() throws {
        let dir = try TemporaryDirectory()
        let base: [String: Any] = ["sources": [["type": "assp-archive", "path": "/a"]], "notifiers": [["type": "console"]]]
        func config(_ name: String, _ state: Any) throws -> String {
            var object = base
            object["state"] = state
            return try ConfigFile.write(object, to: dir.file(name + ".json"))
        }
        let good = [try config("path", "state.sqlite"), try config("sqlite", ["type": "sqlite", "path": "state.sqlite"]),
                    try config("env", ["type": "postgresql", "url_env": "MVPIPE_STATE_URL"]),
                    try config("file", ["type": "postgresql", "url_file": "/etc/mvpipe/state-url"])]
        let bad = [try config("empty", ""), try config("mysql", ["type": "mysql", "path": "x"]),
                   try config("nopath", ["type": "sqlite"]), try config("mixed", ["type": "sqlite", "path": "x", "url_env": "X"]),
                   try config("nourl", ["type": "postgresql"]),
                   try config("both", ["type": "postgresql", "url_env": "X", "url_file": "/x"]),
                   try config("inline", ["type": "postgresql", "url": "postgresql://u:p@h/d"])]
        let results = try validate(good + bad, dir: dir)
        for file in good { #expect(results[file] == "ok", "\(file): \(results[file] ?? "no result")") }
        for file in bad { #expect(results[file]?.hasPrefix("INVALID") == true, "\(file): \(results[file] ?? "no result")") }
    }

    @Test func schemaDocumentsDefaults() throws {
        let schema = try JSONSerialization.jsonObject(with: Data(try CLIRunner.run(["schema"]).stdout.utf8)) as! [String: Any]
        let detectors = ((schema["properties"] as! [String: Any])["detectors"] as! [String: Any])["items"] as! [String: Any]
        let burst = (detectors["oneOf"] as! [[String: Any]]).first { ($0["title"] as? String) == "burst" }
        let window = ((burst?["properties"] as? [String: Any])?["window_minutes"] as? [String: Any])
        #expect(window?["default"] as? Int == 60)
        #expect(window?["type"] as? String == "integer")
        #expect((window?["description"] as? String)?.isEmpty == false)
    }
}
