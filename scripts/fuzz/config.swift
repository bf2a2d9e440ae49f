// libFuzzer target: the JSON parser and config validation. A document that parses must
// survive a round trip through its own text; a config that validates must validate again,
// to the same config, from the resolved JSON that model files store.
import Foundation
@testable import Learning

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    let json: JSONValue
    do {
        json = try JSONParser.parse(bytes)
    } catch {
        if error.line < 1 || error.column < 1 { fuzzFailure("syntax error at line \(error.line), column \(error.column)") }
        checkOneLine(.configSyntax(file: "c.json", line: error.line, column: error.column, message: error.message))
        return 0
    }
    guard let again = try? JSONParser.parse(Array(json.jsonText.utf8)), again == json else {
        fuzzFailure("JSON text \(json.jsonText) does not parse back to the same value")
    }
    do {
        let config = try Config.decode(json, file: "c.json")
        do {
            let resolved = try Config.decode(config.jsonValue, file: "c.json")
            if resolved != config { fuzzFailure("the resolved config \(config.jsonValue.jsonText) decodes to another config") }
        } catch {
            fuzzFailure("the resolved config \(config.jsonValue.jsonText) is rejected: \(error)")
        }
    } catch {
        checkOneLine(error)
    }
    return 0
}
