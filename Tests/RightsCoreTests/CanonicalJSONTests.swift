import RightsCore
import Testing

@Suite("Canonical JSON (RFC 8785) and its parser")
struct CanonicalJSONTests {
    // MARK: - Key order

    @Test func objectKeysAreSortedByUTF16CodeUnitsNotByScalars() {
        // U+1F600 is the surrogate pair D83D DE00 in UTF-16, which sorts before the BMP character U+FB33,
        // although its scalar value is larger: RFC 8785 §3.2.3 orders by UTF-16 code units.
        let value: JSONValue = ["\u{FB33}": 1, "😀": 2]
        #expect(value.canonicalString == "{\"😀\":2,\"\u{FB33}\":1}")
    }

    @Test func objectKeysFollowTheRFC8785SortingExample() {
        // RFC 8785 §3.2.3: "\r" (000D) < "1" (0031) < U+0080 < "ö" (00F6) < "€" (20AC) < "😀" (D83D DE00)
        // < U+FB33.
        let value: JSONValue = [
            "\u{20AC}": "Euro Sign", "\r": "Carriage Return", "\u{FB33}": "Hebrew Letter Dalet With Dagesh",
            "1": "One", "😀": "Emoji: Grinning Face", "\u{0080}": "Control",
            "\u{00F6}": "Latin Small Letter O With Diaeresis",
        ]
        let expected =
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{0080}\":\"Control\","
            + "\"\u{00F6}\":\"Latin Small Letter O With Diaeresis\",\"\u{20AC}\":\"Euro Sign\","
            + "\"😀\":\"Emoji: Grinning Face\",\"\u{FB33}\":\"Hebrew Letter Dalet With Dagesh\"}"
        #expect(value.canonicalString == expected)
    }

    @Test func shorterKeySortsBeforeItsExtensionAndUpperCaseBeforeLowerCase() {
        // "B" (0042) < "a" (0061) < "aa" < "ab": a prefix sorts first, and no case folding happens.
        let value: JSONValue = ["ab": 4, "a": 2, "aa": 3, "B": 1]
        #expect(value.canonicalString == #"{"B":1,"a":2,"aa":3,"ab":4}"#)
    }

    // MARK: - Strings

    @Test(
        arguments: [
            // Quote and backslash are escaped with a backslash.
            ("\"", #""\"""#),
            ("\\", #""\\""#),
            // The five short escapes of RFC 8785 §3.2.2.2.
            ("\u{08}", #""\b""#),
            ("\t", #""\t""#),
            ("\n", #""\n""#),
            ("\u{0C}", #""\f""#),
            ("\r", #""\r""#),
            // Other controls below 0x20 as \u00xx with lower-case hex.
            ("\u{00}", #""\u0000""#),
            ("\u{0B}", #""\u000b""#),
            ("\u{1F}", #""\u001f""#),
            // DEL, non-ASCII, U+2028 and U+2029 are written literally, as is "/".
            ("\u{7F}", "\"\u{7F}\""),
            ("Nguyễn Thị Hương", "\"Nguyễn Thị Hương\""),
            ("a\u{2028}b\u{2029}c", "\"a\u{2028}b\u{2029}c\""),
            ("a/b", "\"a/b\""),
            ("😀", "\"😀\""),
        ])
    func stringsUseMinimalEscapes(input: String, expected: String) {
        #expect(JSONValue.string(input).canonicalString == expected)
    }

    @Test func nonASCIIIsWrittenAsItsUTF8Bytes() {
        // "ễ" is U+1EC5, three UTF-8 bytes E1 BB 85; U+2028 is E2 80 A8.
        #expect(JSONValue.string("ễ\u{2028}").canonicalBytes == [0x22, 0xE1, 0xBB, 0x85, 0xE2, 0x80, 0xA8, 0x22])
    }

    @Test func keysAreEscapedLikeValues() {
        let value: JSONValue = ["a\"b": "c\nd"]
        #expect(value.canonicalString == #"{"a\"b":"c\nd"}"#)
    }

    // MARK: - Structures and scalars

    @Test func nestedStructuresHaveNoWhiteSpaceAndSortedKeysAtEveryLevel() {
        let value: JSONValue = [
            "z": [1, "two", nil, true, false, ["y": 1, "x": [:]]],
            "a": ["d": [], "c": -42],
        ]
        #expect(value.canonicalString == #"{"a":{"c":-42,"d":[]},"z":[1,"two",null,true,false,{"x":{},"y":1}]}"#)
    }

    @Test func arraysKeepTheirOrder() {
        let value: JSONValue = [3, 1, 2]
        #expect(value.canonicalString == "[3,1,2]")
    }

    @Test(
        arguments: [
            (JSONValue.int(Int64(0)), "0"),
            (JSONValue.int(Int64(-1)), "-1"),
            // 2^53, the largest integer every JSON reader holds exactly.
            (JSONValue.int(Int64(9_007_199_254_740_992)), "9007199254740992"),
            (JSONValue.null, "null"),
            (JSONValue.bool(true), "true"),
            (JSONValue.bool(false), "false"),
            (JSONValue.optional(nil), "null"),
            (JSONValue.optional("x"), #""x""#),
        ])
    func scalarsAreWrittenPlainly(value: JSONValue, expected: String) {
        #expect(value.canonicalString == expected)
    }

    @Test func canonicalBytesAreTheUTF8OfCanonicalString() {
        let value: JSONValue = ["họ tên": "Trần Văn Nam", "n": 1]
        #expect(value.canonicalBytes == Array(value.canonicalString.utf8))
    }

    // MARK: - Round trips

    @Test func parsingThenSerialisingGivesTheCanonicalForm() throws {
        // White space goes, keys sort, "\u00e9" and "\/" become the literal characters, "\ud83d\ude00" the emoji.
        let text = """
            { "b" : [1, true, null, "x\\u00e9\\/"],
              "a": {"d": -5, "c": "\\ud83d\\ude00\\t"} }
            """
        let value = try JSONValue(parsing: text)
        #expect(value.canonicalString == "{\"a\":{\"c\":\"😀\\t\",\"d\":-5},\"b\":[1,true,null,\"xé/\"]}")
    }

    @Test(
        arguments: [
            #"{"a":[1,{"b":null}],"c":"\u0001"}"#,
            "{\"\\r\":1,\"1\":2,\"😀\":3,\"\u{FB33}\":4}",
            #"[-9223372036854775808,9223372036854775807]"#,
            "\"Số điện thoại \u{2028}\"",
            "[]",
            "{}",
        ])
    func canonicalTextParsesBackToItself(text: String) throws {
        let value = try JSONValue(parsing: text)
        #expect(value.canonicalString == text)
        #expect(try JSONValue(parsing: value.canonicalBytes) == value)
    }

    @Test func parsedValuesAreReadableBySubscript() throws {
        let value = try JSONValue(parsing: #"{"seq": 7, "kind": "lists.import", "pii": null}"#)
        #expect(value["seq"]?.intValue == 7)
        #expect(value["kind"]?.stringValue == "lists.import")
        #expect(value["pii"] == .null)
        #expect(value["missing"] == nil)
        #expect(value["seq"]?.stringValue == nil)
    }

    @Test func escapedCharactersParseToTheSameStringAsLiteralOnes() throws {
        // "\u1ec5" is "ễ"; "\u0041" is "A".
        #expect(try JSONValue(parsing: #""\u1ec5\u0041""#) == .string("ễA"))
        #expect(try JSONValue(parsing: "\"ễA\"") == .string("ễA"))
    }

    // MARK: - Refusals

    @Test(
        arguments: [
            // Text after the value: reading stops at the "x" (byte 8).
            (#"{"a":1} x"#, 8),
            // Two values: the second "1" is trailing text at byte 2.
            ("1 1", 2),
            // Only integers are numbers: refused at the "." or "e" after the digits.
            ("1.5", 1),
            ("[10e3]", 3),
            ("-2E1", 2),
            // A duplicate key is noticed once its ":" is read, at the start of its value (byte 11).
            (#"{"a":1,"a":2}"#, 11),
            // A high surrogate not followed by "\u": reading stops after its four hex digits (byte 7).
            (#""\ud800""#, 7),
            (#""\ud800x""#, 7),
            // A high surrogate followed by a non-surrogate escape: stops after the second escape (byte 13).
            (#""\ud800\u0041""#, 13),
            // A lone low surrogate is not a scalar (byte 7).
            (#""\udc00""#, 7),
            // Trailing comma: a value was expected at "]" (byte 3).
            ("[1,]", 3),
            // Unterminated structures end at the end of the input.
            ("[1", 2),
            (#"{"a":1"#, 6),
            // "+1" is not JSON.
            ("+1", 0),
            // One more than Int64.max does not fit: refused after its 19 digits.
            ("9223372036854775808", 19),
            // An unknown escape stops after it.
            (#""\x""#, 3),
            // A bare word.
            ("nul", 0),
            // Nothing at all.
            ("", 0),
            ("  ", 2),
        ])
    func malformedTextIsRefusedAtTheOffsetWhereReadingStopped(text: String, offset: Int) {
        let error = #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
        #expect(error?.offset == offset)
    }

    @Test func leadingZerosAreRefused() {
        // RFC 8259 §6: int = zero / ( digit1-9 *DIGIT ); "01" is not a JSON number. Refused at byte 1 at the latest.
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: "01") }
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: #"{"n":007}"#) }
    }

    @Test func rawControlCharactersAndInvalidUTF8InStringsAreRefused() {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: "\"a\nb\"") }
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: "\"a\u{01}b\"") }
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: [0x22, 0xFF, 0x22]) }
        // A truncated three-byte sequence (E1 BB without 85).
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: [0x22, 0xE1, 0xBB, 0x22]) }
    }

    @Test func nestingIsLimitedTo64Levels() throws {
        // 64 arrays inside each other are read; the 65th "[" (byte 64) is one level too deep.
        let deepest = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(try JSONValue(parsing: deepest).canonicalString == deepest)
        let tooDeep = "[" + String(repeating: "[", count: 64) + "1" + String(repeating: "]", count: 65)
        let error = #expect(throws: JSONParseError.self) { try JSONValue(parsing: tooDeep) }
        #expect(error?.offset == 64)
    }

    @Test func errorsDescribeTheirOffset() {
        #expect(
            JSONParseError(offset: 4, message: "expected :").description == "JSON at byte 4: expected :")
    }
}
