import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AppError } from "../errors";
import { readForm, readJson, readJsonArray, requireText } from "./body";

/** A request whose body arrives in the given pieces (a chunked body: no declared length). */
const streamed = (...pieces: string[]) =>
  new Request("http://localhost/", {
    method: "POST",
    body: new ReadableStream({
      start(controller) {
        for (const piece of pieces) controller.enqueue(new TextEncoder().encode(piece));
        controller.close();
      },
    }),
    duplex: "half",
  } as RequestInit);

const point = z.object({ x: z.number() });
const limits = {
  maxBytes: 1000,
  maxItems: 3,
  maxItemBytes: 40,
  tooMany: () => new AppError("too_many", 413, "too many"),
  invalid: "not an array",
};
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => null,
    (e: AppError) => ({ status: e.status, code: e.code, message: e.message }),
  );

describe("a JSON array read item by item", () => {
  it.each([
    ["[]", []],
    [" [ ] ", []],
    ['[{"x":1},{"x":2}]', [{ x: 1 }, { x: 2 }]],
    ['[ {"x": 1, "note": "a, ] } [ \\" quoted"} ,\n{"x":2} ]\n', [{ x: 1 }, { x: 2 }]],
    ['[{"x":1,"y":[1,{"z":[]}]}]', [{ x: 1 }]],
  ])("reads %j", async (body, items) => {
    expect(await readJsonArray(streamed(body), point, limits)).toEqual(items);
  });

  it("reads items split across chunks anywhere, even inside strings and escapes", async () => {
    const body = '[{"x":1,"s":"a\\"]"},{"x":2}]';
    for (let cut = 1; cut < body.length; cut++)
      expect(await readJsonArray(streamed(body.slice(0, cut), body.slice(cut)), point, limits)).toEqual([{ x: 1 }, { x: 2 }]);
  });

  it.each([
    ["{}", "not an array"],
    ["[", "not an array"],
    ['[{"x":1}] x', "not an array"],
    ['[{"x":1},]', "item 1: not JSON (not an array)"],
    ["[,]", "item 0: not JSON (not an array)"],
    ['[{"x":1} {"x":2}]', "item 0: not JSON (not an array)"],
    ['[{"x":1},{"x":"2"}]', "item 1.x: Invalid input: expected number, received string"],
  ])("refuses %j with a 400 naming the item", async (body, message) => {
    expect(await failure(readJsonArray(streamed(body), point, limits))).toEqual({ status: 400, code: "invalid_body", message });
  });

  it("refuses more items than the limit with a 413, valid or not, without reading the rest", async () => {
    expect(await failure(readJsonArray(streamed("[{},{},{},{},{}"), point, limits))).toMatchObject({ status: 413, code: "too_many" });
    const pieces = ["[", ...Array.from({ length: 10 }, () => '{"x":1},')];
    let pulled = 0;
    const body = new ReadableStream({
      pull(controller) {
        if (pulled === pieces.length) return controller.close();
        controller.enqueue(new TextEncoder().encode(pieces[pulled++]));
      },
    });
    const request = new Request("http://localhost/", { method: "POST", body, duplex: "half" } as RequestInit);
    expect(await failure(readJsonArray(request, point, limits))).toMatchObject({ status: 413 });
    expect(pulled).toBeLessThan(7);
  });

  it("refuses an item over the item limit, and a body over the byte limit, with a 413", async () => {
    expect(await failure(readJsonArray(streamed(`[{"x":1,"pad":"${"a".repeat(50)}"}]`), point, limits))).toMatchObject({
      status: 413,
      code: "too_large",
    });
    const padded = Array.from({ length: 40 }, () => `${" ".repeat(25)}{"x":1}`);
    expect(await failure(readJsonArray(streamed(`[${padded.join(",")}]`), point, { ...limits, maxItems: 100 }))).toMatchObject({
      status: 413,
      message: "the request body is larger than the limit of 1,000 bytes",
    });
  });

  it("refuses a declared length over the byte limit before reading", async () => {
    const request = new Request("http://localhost/", { method: "POST", body: "[]", headers: { "Content-Length": "1001" } });
    expect(await failure(readJsonArray(request, point, limits))).toMatchObject({ status: 413 });
    expect(request.bodyUsed).toBe(false);
  });
});

describe("a small JSON body", () => {
  it("is undefined when empty, parsed when JSON, 400 when not, 413 over the limit", async () => {
    expect(await readJson(streamed(" \n"), "bad")).toBeUndefined();
    expect(await readJson(streamed('{"as_of":', '"x"}'), "bad")).toEqual({ as_of: "x" });
    expect(await failure(readJson(streamed("{as_of"), "bad"))).toEqual({ status: 400, code: "invalid_body", message: "bad" });
    expect(await failure(readJson(streamed("x".repeat(4096), "x"), "bad"))).toMatchObject({ status: 413, code: "too_large" });
  });
});

describe("the strings of a body must be text", () => {
  const refusal = (run: () => unknown) => failure(Promise.resolve().then(run));
  const control = (at: number) => `control character U+0000 at character ${at}: text may not hold U+0000-U+001F or U+007F`;

  it("a JSON body: 400 naming the field by its path, the body as it is when every string is text", async () => {
    expect(await refusal(() => requireText({ rule: { stores: ["ok", "x\u0000"] } }))).toEqual({
      status: 400,
      code: "invalid_body",
      message: `field rule.stores.1: ${control(2)}`,
    });
    expect(await refusal(() => requireText("\u0000"))).toMatchObject({ message: control(1) });
    const body = { name: "Café 😀", n: 1 };
    expect(requireText(body)).toBe(body);
  });

  it.each([
    ["a value", "email=x%00%40example.com&password=pw", `field email: ${control(2)}`],
    ["a field given twice (the second)", "email=a%40example.com&email=%00", `field email: ${control(1)}`],
    ["a field's name", "pass%00word=pw", `field "pass\\u0000word": its name has a ${control(5)}`],
    ["a DEL", "next=%2F%7F", "field next: control character U+007F at character 2: text may not hold U+0000-U+001F or U+007F"],
  ])("a form: 400 naming the field, for a NUL in %s", async (_, body, message) => {
    expect(await failure(readForm(streamed(body)))).toEqual({ status: 400, code: "invalid_body", message });
  });

  it("a form of text: its fields, decoded", async () => {
    const form = await readForm(streamed("email=caf%C3%A9%40example.com&password=a+b"));
    expect([...form]).toEqual([
      ["email", "café@example.com"],
      ["password", "a b"],
    ]);
  });
});
