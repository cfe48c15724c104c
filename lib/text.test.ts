import { describe, expect, it } from "vitest";
import { firstTextProblem, isText, textProblem } from "./text";

const controls = [...Array.from({ length: 0x20 }, (_, i) => i), 0x7f].map((code) => String.fromCharCode(code));

describe("text", () => {
  it.each(controls.map((c) => [`U+${c.charCodeAt(0).toString(16).padStart(4, "0")}`, c]))("refuses %s, anywhere in a string", (_, c) => {
    for (const value of [c, `a${c}`, `${c}a`, `ab${c}cd`]) expect(isText(value)).toBe(false);
  });

  it.each([
    ["a lone high surrogate", "a\ud800b"],
    ["a lone low surrogate", "a\udc00b"],
    ["a high surrogate at the end", "ab\udbff"],
    ["two high surrogates", "\ud800\ud800"],
    ["a pair the wrong way round", "\udc00\ud800"],
  ])("refuses %s: not text", (_, value) => {
    expect(isText(value)).toBe(false);
  });

  it.each([
    ["an empty string", ""],
    ["plain ASCII, spaces and punctuation", "Store #12 (north) - 7/8 ~ {x}"],
    ["accents, other scripts and symbols", "Café – Straße, 東京, ✓ €"],
    ["characters beyond the BMP (a surrogate pair)", "😀 𝄞"],
    ["the C1 range and U+FFFD, which are characters", "\u0080\u009f\ufffd"],
  ])("takes %s", (_, value) => {
    expect(isText(value)).toBe(true);
    expect(textProblem(value)).toBeNull();
  });

  it("names the character and its place, counting characters rather than UTF-16 units", () => {
    expect(textProblem("a\u0000b")).toBe("control character U+0000 at character 2: text may not hold U+0000-U+001F or U+007F");
    expect(textProblem("😀\u007f")).toBe("control character U+007F at character 2: text may not hold U+0000-U+001F or U+007F");
    expect(textProblem("ab\ud800")).toBe(
      "lone surrogate U+D800 at character 3: not text (a \\u escape of a surrogate must be one of a pair)",
    );
  });
});

describe("the first string of a JSON value that is not text", () => {
  it.each([
    ["a string", "a\tb", []],
    ["a field", { name: "a\u0000b" }, ["name"]],
    ["a field at depth", { a: { b: [1, "ok", { c: "x\n" }] } }, ["a", "b", 2, "c"]],
    ["an item of an array", ["ok", "x\u001b"], [1]],
    ["the first in document order", { a: ["ok", { b: "\u0001" }], c: "\u0002" }, ["a", 1, "b"]],
    ["a field's name", { ok: 1, "na\u0000me": "x" }, ['"na\\u0000me"']],
    ["a field's name at depth", { a: [{ "\ud800": 1 }] }, ["a", 0, '"\\ud800"']],
  ])("is found in %s, with its path", (_, value, path) => {
    expect(firstTextProblem(value)?.path).toEqual(path);
  });

  it("says what is wrong with a field's name", () => {
    expect(firstTextProblem({ "a\u0000": 1 })?.problem).toBe(
      "its name has a control character U+0000 at character 2: text may not hold U+0000-U+001F or U+007F",
    );
  });

  it.each([
    ["nothing", undefined],
    ["numbers, booleans and null", { a: 1, b: [true, null, 2.5] }],
    ["text everywhere", { name: "Café 😀", list: ["a b", { "key-1": "value" }] }],
  ])("is null in %s", (_, value) => {
    expect(firstTextProblem(value)).toBeNull();
  });

  it("walks a value nested deeper than the call stack would go", () => {
    let nested: unknown = "deep\u0000";
    for (let i = 0; i < 100_000; i++) nested = [nested];
    expect(firstTextProblem(nested)?.path).toHaveLength(100_000);
  });
});
