// The corpus of malformed feed files (tests/fixtures/malformed/<case>/<file>, with the refusal each must get in
// expected.json), each sent through every way in: `npm run db:load`, the upload endpoint, and (for polls) the
// poll API. Each gets its exact refusal, with line and column, and every feed table stays as it was.
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FEEDS } from "../../lib/feeds/kinds";
import { FEED_KINDS } from "../../lib/api/views/feed-kinds";
import { feedSourcesInDirectory, loadFeeds } from "../../lib/feeds/load";
import { feedTables, setUpTestDatabase } from "../database";
import { startApp, type RunningApp } from "../../scripts/app-processes";

const databaseUrl = await setUpTestDatabase();
const CORPUS = path.resolve("tests/fixtures/malformed");
const expected = JSON.parse(fs.readFileSync(path.join(CORPUS, "expected.json"), "utf8")) as Record<string, string>;
const cases = Object.entries(expected).map(([name, message]) => {
  const file = fs.readdirSync(path.join(CORPUS, name))[0]!;
  const kind = FEED_KINDS.find((k) => FEEDS[k].fileName === file)!;
  return { name, dir: path.join(CORPUS, name), file, kind, message, content: fs.readFileSync(path.join(CORPUS, name, file)) };
});
const ADMIN_TOKEN = "corpus-admin-token-0123456789";
const INGEST_KEY = "corpus-ingest-key-0123456789";
let app: RunningApp;
let session: string;
let tables: Awaited<ReturnType<typeof feedTables>>;

beforeAll(async () => {
  await loadFeeds(feedSourcesInDirectory(path.resolve("tests/fixtures/published/loop2025")));
  tables = await feedTables();
  app = await startApp(databaseUrl, { env: { ADMIN_TOKEN, API_KEYS: `ingest:${INGEST_KEY}` } });
  const signIn = await fetch(`${app.baseUrl}/admin/login?token=${ADMIN_TOKEN}`, { redirect: "manual" });
  session = signIn.headers.get("set-cookie")!.split(";")[0]!;
});
afterAll(() => app?.stop());

describe.each(cases)("$name ($file)", ({ dir, file, kind, message, content }) => {
  it("npm run db:load exits 1 naming the file, line and column, and changes nothing", async () => {
    const run = promisify(execFile)(process.execPath, ["--import", "tsx", "scripts/db-load.ts", dir], {
      env: { ...process.env, DATABASE_URL: databaseUrl },
    });
    const failure = (await run.then(
      () => null,
      (e: { code: number; stderr: string; stdout: string }) => e,
    ))!;
    expect(failure?.code).toBe(1);
    expect(failure.stderr + failure.stdout).toContain(`${file} ${message}`);
    expect(await feedTables()).toEqual(tables);
  });

  it("an upload is refused with 422 and the same message, and changes nothing", async () => {
    const response = await fetch(`${app.baseUrl}/api/admin/uploads?name=${file}&kind=${kind}`, {
      method: "POST",
      headers: { Cookie: session, Origin: app.baseUrl, "Content-Type": "text/csv" },
      body: content,
    });
    const body = await response.json();
    expect(response.status, JSON.stringify(body)).toBe(422);
    expect(JSON.stringify(body)).toContain(JSON.stringify(`${file} ${message}`).slice(1, -1));
    expect(await feedTables()).toEqual(tables);
  });

  it.skipIf(kind !== "polls")("the poll API refuses it with 422 and the same message, and changes nothing", async () => {
    const response = await fetch(`${app.baseUrl}/api/polls`, {
      method: "POST",
      headers: { Authorization: `Bearer ${INGEST_KEY}`, "Content-Type": "text/csv" },
      body: content,
    });
    const body = await response.json();
    expect(response.status, JSON.stringify(body)).toBe(422);
    expect(JSON.stringify(body)).toContain(JSON.stringify(message).slice(1, -1));
    expect(await feedTables()).toEqual(tables);
  });
});
