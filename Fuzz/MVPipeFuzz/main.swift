// With MVPIPE_LIBFUZZER (scripts/fuzz), hands the command line to libFuzzer, which calls
// LLVMFuzzerTestOneInput (Harness.swift) with each input. Without it, replays files:
// `mvpipe-fuzz postfix|assp|exim|config FILE...`.
import Foundation

#if MVPIPE_LIBFUZZER
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) })
#else
let arguments = CommandLine.arguments
guard arguments.count >= 2, let body = targets[arguments[1]] else {
    FileHandle.standardError.write(Data("usage: mvpipe-fuzz postfix|assp|exim|config FILE...\n".utf8))
    exit(64)
}
for path in arguments.dropFirst(2) {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    data.withUnsafeBytes { body($0.bindMemory(to: UInt8.self)) }
    print("ok \(path)")
}
#endif
