// Uploads, the poll ingestion API and access control, over real HTTP on a real database.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { pool } from "../../lib/db/pool";
import { createSession } from "../../lib/auth/session";
import { feedTables, setUpTestDatabase } from "../database";
import { startApp, type RunningApp } from "../../scripts/app-processes";

const ADMIN_TOKEN = "admin-token-for-the-tests-0123";
const INGEST_KEY = "ingest-key-for-the-tests-0123";
const REPORTS_KEY = "reports-key-for-the-tests-0123";
const databaseUrl = await setUpTestDatabase();
process.env.ADMIN_TOKEN = ADMIN_TOKEN; // so that this process signs sessions as the server does
let app: RunningApp;
let session: string;
const published = (file: string) => fs.readFileSync(path.resolve("tests/fixtures/published", file));

beforeAll(async () => {
  const env = {
    ADMIN_TOKEN,
    API_KEYS: `ingest:${INGEST_KEY},reports:${REPORTS_KEY}`,
    UPLOAD_MAX_BYTES: "300000",
    API_BODY_MAX_BYTES: "200000",
  };
  app = await startApp(databaseUrl, { env });
  const response = await fetch(`${app.baseUrl}/api/admin/session`, { method: "POST", body: JSON.stringify({ token: ADMIN_TOKEN }) });
  expect(response.status).toBe(204);
  const cookie = response.headers.get("set-cookie")!;
  expect(cookie).toMatch(/^sm_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict; Expires=/);
  session = cookie.split(";")[0]!;
});
afterAll(() => app?.stop());
beforeEach(async () => {
  await pool().query("TRUNCATE polls, business_hours, store_timezones, import_log");
});

const upload = (name: string, body: BodyInit, query = "") =>
  fetch(`${app.baseUrl}/api/admin/uploads?name=${encodeURIComponent(name)}${query}`, {
    method: "POST",
    body,
    headers: { Cookie: session, "Content-Type": "text/csv" },
    ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit);
/**
 * An upload on a connection of its own: the server may answer a refused file before reading all of it and
 * then close the connection, which a shared keep-alive connection would trip over in the next test.
 */
function uploadAlone(name: string, body: string | Buffer): Promise<{ status: number; body: { error: { message: string } } }> {
  return new Promise((resolve, reject) => {
    const request = http.request(`${app.baseUrl}/api/admin/uploads?name=${encodeURIComponent(name)}`, {
      method: "POST",
      agent: false,
      headers: { Cookie: session, "Content-Type": "text/csv", "Content-Length": Buffer.byteLength(body) },
    });
    request.on("response", (response) => {
      let text = "";
      response.on("data", (chunk) => (text += chunk));
      response.on("end", () => resolve({ status: response.statusCode!, body: JSON.parse(text) }));
    });
    request.on("error", reject);
    request.end(body);
  });
}

describe("uploading feed files", () => {
  it("two uploads of polls into an empty table at once both land, 20 rounds: no 500, the right count", async () => {
    const file = (prefix: string) =>
      "store_id,status,timestamp_utc\n" +
      Array.from({ length: 1000 }, (_, i) => `${prefix}${i % 40},active,${new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString()}`).join(
        "\n",
      );
    const [a, b] = [file("a"), file("b")];
    for (let round = 0; round < 20; round++) {
      await pool().query("TRUNCATE polls");
      const answers = await Promise.all([a, b].map((body, i) => upload(`round-${round}-${i}.csv`, body)));
      const bodies = await Promise.all(answers.map((r) => r.json()));
      expect(
        answers.map((r) => r.status),
        JSON.stringify(bodies),
      ).toEqual([200, 200]);
      expect(bodies.map((body) => body.rowsAdded)).toEqual([1000, 1000]);
      expect((await feedTables()).polls).toHaveLength(2000);
    }
  });

  it.each([
    ["store_status.csv", "loop2025/store_status.csv", "polls", 364],
    ["menu_hours.csv", "loop2025/menu_hours.csv", "business_hours", 3000],
    ["timezones.csv", "loop2023/timezones.csv", "time_zones", 2000],
  ])("loads %s, its kind recognised from the header, and a re-upload adds nothing", async (name, fixture, kind, rows) => {
    const first = await upload(name, published(fixture));
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ file: name, kind, rowsRead: rows, rowsAdded: rows, rowsDuplicate: 0 });
    const again = await (await upload(name, published(fixture))).json();
    if (kind === "polls") expect(again).toMatchObject({ rowsAdded: 0, rowsDuplicate: rows });
    else expect(again).toMatchObject({ rowsAdded: rows, storesReplaced: expect.any(Number) }); // replaced, not doubled
    const history = await (await fetch(`${app.baseUrl}/api/admin/imports`, { headers: { Cookie: session } })).json();
    expect(history.imports.map((i: { outcome: string; actor: string }) => [i.outcome, i.actor])).toEqual([
      ["loaded", "admin"],
      ["loaded", "admin"],
    ]);
  });

  it("takes the kind from the uploader when given", async () => {
    const response = await upload("zones-with-odd-name.txt", "store_id,timezone_str\ns1,UTC\n", "&kind=time_zones");
    expect(await response.json()).toMatchObject({ kind: "time_zones", rowsAdded: 1 });
  });

  it("streams a file sent in chunks, without a length", async () => {
    const data = published("loop2025/store_status.csv");
    const body = new ReadableStream({
      start(controller) {
        for (let i = 0; i < data.length; i += 1000) controller.enqueue(data.subarray(i, i + 1000));
        controller.close();
      },
    });
    expect(await (await upload("store_status.csv", body)).json()).toMatchObject({ rowsAdded: 364 });
  });

  it.each([
    ["a wrong header", "id,name\n1,x\n", 422, /^odd\.csv line 1: the header "id,name" is not that of a known feed/],
    [
      "a bad value at line 3",
      "store_id,status,timestamp_utc\ns1,active,2024-10-03 23:33:20 UTC\ns1,sleeping,2024-10-03 23:43:20 UTC\n",
      422,
      /odd\.csv line 3, column status: expected active or inactive \(got "sleeping"\)/,
    ],
    ["an empty file", "", 422, /odd\.csv line 1, column \(header\): the file is empty; a feed file starts with a header line/],
    ["binary junk", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), 415, /not a CSV text file/],
    [
      "a file over the size limit",
      `store_id,status,timestamp_utc\n${"s1,active,2024-10-03 23:33:20 UTC\n".repeat(10_000)}`,
      413,
      /larger than the limit of 300,000 bytes/,
    ],
  ])("refuses %s with a clear message and changes nothing", async (_name, body, status, message) => {
    await upload("seed.csv", published("loop2025/store_status.csv"));
    const before = await feedTables();
    const response = await uploadAlone("odd.csv", body);
    expect(response.status).toBe(status);
    expect(response.body.error.message).toMatch(message);
    expect(await feedTables()).toEqual(before);
    const { rows } = await pool().query("SELECT outcome FROM import_log WHERE file_name = 'odd.csv'");
    expect(rows).toEqual([{ outcome: "rejected" }]);
  });

  it("refuses a streamed file once it passes the size limit, keeping nothing of it", async () => {
    // Its own connection: the server answers 413 before the body ends and then closes it. The client may be
    // told of the close (EPIPE, ECONNRESET) before it has read the answer; the import log says what happened.
    const answer = await new Promise<number | string>((resolve, reject) => {
      const request = http.request(`${app.baseUrl}/api/admin/uploads?name=big.csv`, {
        method: "POST",
        agent: false,
        headers: { Cookie: session },
      });
      request.on("response", (response) => resolve(response.statusCode!));
      request.on("error", (error: NodeJS.ErrnoException) =>
        error.code === "EPIPE" || error.code === "ECONNRESET" ? setTimeout(() => resolve(error.code!), 500) : reject(error),
      );
      request.write("store_id,status,timestamp_utc\n");
      const line = "s1,active,2024-10-03 23:33:20 UTC\n";
      let sent = 0;
      const more = () => {
        while (sent < 20_000 && !request.destroyed) {
          sent++;
          if (!request.write(line)) return request.once("drain", more);
        }
        if (!request.destroyed) request.end();
      };
      more();
    });
    expect([413, "EPIPE", "ECONNRESET"]).toContain(answer);
    expect((await feedTables()).polls).toEqual([]);
    const { rows } = await pool().query("SELECT outcome, message FROM import_log WHERE file_name = 'big.csv'");
    expect(rows).toEqual([{ outcome: "rejected", message: expect.stringMatching(/larger than the limit of 300,000 bytes/) }]);
  });
});

describe("POST /api/polls", () => {
  const push = (body: string, contentType = "application/json", key = INGEST_KEY) =>
    fetch(`${app.baseUrl}/api/polls`, { method: "POST", body, headers: { Authorization: `Bearer ${key}`, "Content-Type": contentType } });
  const polls = [
    { store_id: "s1", timestamp_utc: "2024-10-03T23:33:20.412748Z", status: "active" },
    { store_id: 1481966498820158979n.toString(), timestamp_utc: "2024-10-03 23:35:00 UTC", status: "Inactive" },
  ];

  it("adds valid polls and answers with counts; a retried request adds nothing twice", async () => {
    const first = await push(JSON.stringify(polls));
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ read: 2, added: 2, duplicates: 0 });
    expect(await (await push(JSON.stringify(polls))).json()).toEqual({ read: 2, added: 0, duplicates: 2 });
    expect((await feedTables()).polls).toHaveLength(2);
  });

  it("takes a CSV body", async () => {
    const response = await push("store_id,status,timestamp_utc\ns9,active,2024-10-03 23:33:20 UTC\n", "text/csv");
    expect(await response.json()).toEqual({ read: 1, added: 1, duplicates: 0 });
  });

  it("refuses a batch with an invalid poll, naming the item, field and value, and adds none of it", async () => {
    const response = await push(JSON.stringify([...polls, { store_id: "s2", timestamp_utc: "yesterday", status: "active" }]));
    expect(response.status).toBe(422);
    expect((await response.json()).error.message).toMatch(/item 2, field timestamp_utc: expected a UTC timestamp.*\(got "yesterday"\)/);
    expect((await feedTables()).polls).toEqual([]);
  });

  it("names every bad item by its index and field, with the feed's own rules", async () => {
    const bad = [
      polls[0],
      { store_id: "=1+1", timestamp_utc: "2024-10-03 23:33:20 UTC", status: "on" },
      { store_id: 42, timestamp_utc: "9999-01-01T00:00:00Z", status: "active" },
    ];
    const response = await push(JSON.stringify(bad));
    expect(response.status).toBe(422);
    const { error } = await response.json();
    expect(error.code).toBe("invalid_feed");
    expect(error.message.split("\n")).toEqual([
      "POST /api/polls: 3 invalid items, nothing was loaded",
      expect.stringMatching(/^POST \/api\/polls item 1, field store_id: expected a store id .* \(got "=1\+1"\)$/),
      'POST /api/polls item 1, field status: expected active or inactive (got "on")',
      expect.stringMatching(/^POST \/api\/polls item 2, field timestamp_utc: .*one day after now \(got "9999-01-01T00:00:00Z"\)$/),
    ]);
    expect((await feedTables()).polls).toEqual([]);
  });

  it("refuses what is not a JSON array of polls", async () => {
    expect((await push("{not json")).status).toBe(400);
    const missing = await push(JSON.stringify([{ store_id: "s1" }]));
    expect(missing.status).toBe(400);
    expect((await missing.json()).error.message).toMatch(/^item 0\.timestamp_utc: /);
  });

  it("answers 413 for more than 10,000 polls, and for a body over the size limit", async () => {
    const tooMany = await push(JSON.stringify(Array.from({ length: 10_001 }, () => 0)));
    expect(tooMany.status).toBe(413);
    expect((await tooMany.json()).error.message).toMatch(/^at most 10,000 polls a request; send them in several requests/);
    const big = Array.from({ length: 5000 }, (_, i) => ({
      store_id: `store-${i}`,
      timestamp_utc: new Date(i * 1000).toISOString(),
      status: "active",
    }));
    const tooBig = await push(JSON.stringify(big));
    expect(tooBig.status).toBe(413);
    expect((await tooBig.json()).error.message).toMatch(/larger than the limit of 200,000 bytes/);
    expect((await feedTables()).polls).toEqual([]);
  });
});

describe("access control", () => {
  let expired = "";
  beforeAll(async () => {
    expired = `sm_session=${(await createSession(Date.now() - 60_000)).value}`;
  });
  const endpoints: [string, string, string, BodyInit | undefined][] = [
    ["admin", "POST", "/api/admin/uploads?name=x.csv", "store_id,timezone_str\ns1,UTC\n"],
    ["admin", "GET", "/api/admin/imports", undefined],
    ["ingest", "POST", "/api/polls", "[]"],
    ["reports", "POST", "/trigger_report", undefined],
    ["reports", "GET", "/get_report?report_id=AAAAAAAAAAAAAAAAAAAAAA", undefined],
    ["reports", "GET", "/get_report_file/AAAAAAAAAAAAAAAAAAAAAA", undefined],
    ["reports", "GET", "/api/reports", undefined],
  ];
  const call = (method: string, url: string, body: BodyInit | undefined, headers: Record<string, string>) =>
    fetch(`${app.baseUrl}${url}`, { method, body, headers });

  it.each(endpoints)(
    "%s endpoint %s %s refuses no credentials, a wrong key, a wrong scope and an expired session",
    async (access, method, url, body) => {
      expect((await call(method, url, body, {})).status).toBe(401);
      expect((await call(method, url, body, { Authorization: "Bearer not-a-key-at-all-0000" })).status).toBe(401);
      const otherScope = access === "ingest" ? REPORTS_KEY : INGEST_KEY;
      expect((await call(method, url, body, { Authorization: `Bearer ${otherScope}` })).status).toBe(403);
      expect((await call(method, url, body, { Cookie: expired })).status).toBe(401);
      const refusal = await (await call(method, url, body, {})).json();
      expect(refusal.error).toMatchObject({ code: "unauthorized", message: expect.any(String) });
    },
  );

  it("report endpoints take a reports key or an admin session", async () => {
    expect((await call("POST", "/trigger_report", undefined, { Authorization: `Bearer ${REPORTS_KEY}` })).status).toBe(202);
    expect((await call("GET", "/api/reports", undefined, { Cookie: session })).status).toBe(200);
  });

  it("a wrong admin token does not sign in", async () => {
    const response = await fetch(`${app.baseUrl}/api/admin/session`, { method: "POST", body: JSON.stringify({ token: "guess" }) });
    expect(response.status).toBe(401);
    expect(response.headers.get("set-cookie")).toBeNull();
  });

  it("refuses a cross-site request that rides on the admin's cookie", async () => {
    const response = await call("POST", "/api/admin/uploads?name=x.csv", "store_id,timezone_str\ns1,UTC\n", {
      Cookie: session,
      Origin: "https://evil.example",
    });
    expect(response.status).toBe(403);
    expect((await response.json()).error.code).toBe("cross_site_request");
  });

  it("sends a visitor without a session from the upload page to the sign-in page; sign-out ends the session", async () => {
    const page = await fetch(`${app.baseUrl}/admin/upload`, { redirect: "manual" });
    expect([303, 307, 308]).toContain(page.status);
    expect(page.headers.get("location")).toContain("/admin/sign-in?next=");
    const out = await fetch(`${app.baseUrl}/api/admin/session`, { method: "DELETE", headers: { Cookie: session } });
    expect(out.headers.get("set-cookie")).toMatch(/^sm_session=; .*Max-Age=0/);
  });
});
