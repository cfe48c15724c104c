import fc from "fast-check";
import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import { CsvBounds, TooLong } from "./bounds";

/** Feeds `chunks` through a guard with small limits: the text it passed on, or its refusal. */
function guard(chunks: string[], limits: { field: number; row: number }): { passed: string } | TooLong {
  const bounds = new CsvBounds(limits);
  let passed = "";
  for (const chunk of chunks) {
    let refusal: unknown = null;
    bounds._transform(chunk, "utf8", (e, text) => {
      refusal = e;
      passed += (text as string | undefined) ?? "";
    });
    if (refusal) return refusal as TooLong;
  }
  return { passed };
}

/** CSV-like text made of what matters to the guard and papaparse: quotes, commas, line ends, spaces, letters. */
const csvText = fc.array(fc.constantFrom('"', '"', ",", ",", "\n", " ", "a", "b"), { maxLength: 60 }).map((cs) => cs.join(""));
/** The text cut in chunks at the given places. */
const cut = (text: string, at: number[]) => {
  const ends = [...new Set(at.map((a) => a % (text.length + 1)))].sort((a, b) => a - b);
  return [...ends, text.length].map((end, i, all) => text.slice(i === 0 ? 0 : all[i - 1], end));
};

describe("the guard follows papaparse's fields and rows", () => {
  it("passes the text on unchanged when it is within the limits", () => {
    expect(guard(["store_id,name\ns1,", '"Café, ""Été"""\n'], { field: 16, row: 32 })).toEqual({
      passed: 'store_id,name\ns1,"Café, ""Été"""\n',
    });
  });

  it("never lets papaparse read a field or row longer than its limits, however the text is cut in chunks", () => {
    fc.assert(
      fc.property(csvText, fc.array(fc.nat(), { maxLength: 4 }), fc.integer({ min: 1, max: 8 }), (text, at, field) => {
        const limits = { field, row: field * 3 };
        const outcome = guard(cut(text, at), limits);
        if (outcome instanceof TooLong) return;
        const { data, errors } = Papa.parse<string[]>(text, { delimiter: ",", newline: "\n" });
        if (errors.some((e) => e.type === "Quotes")) return; // refused by the reader anyway
        for (const row of data) {
          for (const value of row) expect(value.length).toBeLessThanOrEqual(limits.field);
          expect(row.join(",").length).toBeLessThanOrEqual(limits.row);
        }
      }),
      { numRuns: 5000 },
    );
  });

  it.each([
    ["a field in the header", "abcdefghij,x\n", 1, "(header)"],
    ["a field of a row, named by the header", "id,name\ns1,abcdefghij\n", 2, "name"],
    ["a field past the header's columns", "id\ns1,abcdefghij\n", 2, "(field 2)"],
    ["a quoted field, where it starts", 'id,name\ns1,"a\nb\nc\nd\ne\nf\n', 2, "name"],
    ["a row, where it starts", 'id,name\n"a\nb",a,b,c,d,e,f,g,h,i,j,k\n', 2, "(row)"],
  ])("names the line and column of %s", (_what, text, line, column) => {
    for (const chunks of [[text], [...text]]) {
      const outcome = guard(chunks, { field: 8, row: 16 });
      expect(outcome).toBeInstanceOf(TooLong);
      expect(outcome).toMatchObject({ line, column });
    }
  });
});
