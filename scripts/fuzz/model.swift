// libFuzzer target: model files (JSON parser and model validation). A model that reads must
// read back identically from the text that writing it gives.
import Foundation
@testable import Learning

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModel(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = inputBytes(data, size)
    guard let json = try? JSONParser.parse(bytes) else { return 0 }
    do {
        let model = try SavedModel.decode(json, file: "m.json")
        let text = model.jsonValue.prettyText() + "\n"
        guard let again = try? SavedModel.decode(JSONParser.parse(Array(text.utf8)), file: "m.json") else {
            fuzzFailure("a model that was read cannot be read back from its own file text")
        }
        // Linear models and networks alike: the same kind and shape, and the same bits.
        if again.model.typeName != model.model.typeName
            || again.model.network?.hidden != model.model.network?.hidden
            || again.model.network?.activation != model.model.network?.activation
            || again.model.parameters.map(\.bitPattern) != model.model.parameters.map(\.bitPattern)
            || again.classes != model.classes || again.featureNames != model.featureNames || again.scaler != model.scaler {
            fuzzFailure("the model read back differs")
        }
    } catch {
        checkOneLine(error)
    }
    return 0
}
