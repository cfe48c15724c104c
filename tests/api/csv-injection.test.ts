// A store id that a spreadsheet would run as a formula comes out of the report CSV as text, whichever form it
// takes (OWASP's list: =, +, -, @, tab, carriage return); other ids come out as they went in.
import Papa from "papaparse";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { pool } from "../../lib/db/pool";
import { useTestDatabase } from "../database";
import { startApp, type RunningApp } from "../../scripts/app-processes";

const databaseUrl = await useTestDatabase();
const INGEST = "ingest-key-0123456789abcdef";
let app: RunningApp;

beforeAll(async () => {
  app = await startApp(databaseUrl, { env: { API_KEYS: `ingest:${INGEST},reports:reports-key-0123456789abcdef` } });
});
afterAll(() => app?.stop());

const HOSTILE = ['=HYPERLINK("http://x","y")', "+1+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "\t=1+1", "\r=2+2"];
// The loader trims ids, so a leading tab or carriage return cannot come in through a feed: these go straight
// into the table, to show that the CSV writer guards them too.
const PAST_THE_LOADER = ["\t=3+3", "\r@SUM(2)"];
const PLAIN = ["8419537941919820732", "a1b2c3d4-0000-4000-8000-000000000000", "store=1"];

it("guards every formula form through an upload and a download, and leaves other ids alone", async () => {
  const polls = [...HOSTILE, ...PLAIN].map((id) => ({ store_id: id, status: "active", timestamp_utc: "2024-10-14T10:00:00Z" }));
  const csv = Papa.unparse(polls, { columns: ["store_id", "status", "timestamp_utc"] });
  const upload = await fetch(`${app.baseUrl}/api/polls`, {
    method: "POST",
    headers: { Authorization: `Bearer ${INGEST}`, "Content-Type": "text/csv" },
    body: csv,
  });
  expect(upload.status).toBe(200);
  for (const storeId of PAST_THE_LOADER)
    await pool().query("INSERT INTO polls VALUES ($1, '2024-10-14T10:00:00Z', 'active')", [storeId]);
  const reports = { Authorization: "Bearer reports-key-0123456789abcdef" };
  const { report_id: id } = await (await fetch(`${app.baseUrl}/trigger_report`, { method: "POST", headers: reports })).json();
  let body = "";
  for (let i = 0; i < 200; i++) {
    const response = await fetch(`${app.baseUrl}/get_report?report_id=${id}&format=csv`, { headers: reports });
    if (response.status === 200) {
      body = await response.text();
      break;
    }
    await sleep(100);
  }
  const firstFields = Papa.parse<string[]>(body.trim(), { skipEmptyLines: true }).data.slice(1).map((row) => row[0]!);
  const expected = [...HOSTILE.map((h) => `'${h.trim()}`), ...PAST_THE_LOADER.map((h) => `'${h}`), ...PLAIN];
  expect(firstFields.sort()).toEqual(expected.sort());
  for (const field of firstFields) expect(field).not.toMatch(/^[-=+@\t\r]/);
});
