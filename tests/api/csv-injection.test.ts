// Store ids that a spreadsheet would run as formulas: refused at ingest, and, should any reach the table by
// another way, written to the report CSV as text (OWASP's list: =, +, -, @, tab, carriage return). Other ids
// come out as they went in.
import Papa from "papaparse";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { pool } from "../../lib/db/pool";
import { setUpTestDatabase } from "../database";
import { startApp, type RunningApp } from "../../scripts/app-processes";

const databaseUrl = await setUpTestDatabase();
const INGEST = "ingest-key-0123456789abcdef";
const REPORTS = { Authorization: "Bearer reports-key-0123456789abcdef" };
let app: RunningApp;

beforeAll(async () => {
  app = await startApp(databaseUrl, { env: { API_KEYS: `ingest:${INGEST},reports:reports-key-0123456789abcdef` } });
});
afterAll(() => app?.stop());

const FORMULAS = ['=HYPERLINK("http://x","y")', "+1+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3"];
// A leading tab or carriage return never reaches the table through a feed (ids are trimmed, and control
// characters refused): these go straight into the table, as the formulas do, to test the CSV writer alone.
const PAST_THE_LOADER = [...FORMULAS, "\t=3+3", "\r@SUM(2)"];
const PLAIN = ["8419537941919820732", "a1b2c3d4-0000-4000-8000-000000000000", "store=1"];

const pushPolls = (storeIds: string[]) =>
  fetch(`${app.baseUrl}/api/polls`, {
    method: "POST",
    headers: { Authorization: `Bearer ${INGEST}`, "Content-Type": "text/csv" },
    body: Papa.unparse(
      storeIds.map((id) => [id, "active", "2024-10-14T10:00:00Z"]),
      { header: false },
    ).replace(/^/, "store_id,status,timestamp_utc\r\n"),
  });

it.each(FORMULAS)("refuses the store id %j at ingest, naming its line and column, and adds nothing", async (storeId) => {
  const response = await pushPolls(["8419537941919820732", storeId]);
  expect(response.status).toBe(422);
  expect(JSON.stringify(await response.json())).toContain("line 3, column store_id");
  expect((await pool().query("SELECT count(*)::int AS n FROM polls")).rows[0].n).toBe(0);
});

it("writes every formula form in the CSV as text, and other ids as they are", async () => {
  expect((await pushPolls(PLAIN)).status).toBe(200);
  for (const storeId of PAST_THE_LOADER) await pool().query("INSERT INTO polls VALUES ($1, '2024-10-14T10:00:00Z', 'active')", [storeId]);
  const { report_id: id } = await (await fetch(`${app.baseUrl}/trigger_report`, { method: "POST", headers: REPORTS })).json();
  let body = "";
  for (let i = 0; i < 200 && !body; i++) {
    const response = await fetch(`${app.baseUrl}/get_report?report_id=${id}&format=csv`, { headers: REPORTS });
    if (response.status === 200) body = await response.text();
    else await sleep(100);
  }
  const firstFields = Papa.parse<string[]>(body.trim(), { skipEmptyLines: true })
    .data.slice(1)
    .map((row) => row[0]!);
  expect(firstFields.sort()).toEqual([...PAST_THE_LOADER.map((h) => `'${h}`), ...PLAIN].sort());
  for (const field of firstFields) expect(field).not.toMatch(/^[-=+@\t\r]/);
});
