// Weekly report rules stored with the old numbering (0 = Sunday .. 6 = Saturday) keep their day when the migration
// renumbers them as the business-hours feed does (0 = Monday .. 6 = Sunday).
import { formatInTimeZone } from "date-fns-tz";
import pg from "pg";
import { afterAll, expect, it } from "vitest";
import { createTestDatabase } from "../../tests/database";
import { migrate, readMigrations } from "../db/migrate";
import { nextDue } from "./schedule-times";

const RENUMBERING = "20261207030000_rule_weekdays_from_monday";

const client = new pg.Client({ connectionString: await createTestDatabase() });
await client.connect();
afterAll(() => client.end());

it("a stored Sunday, Monday and Saturday rule keep their day under the new numbers; a daily rule has none", async () => {
  const migrations = readMigrations();
  const at = migrations.findIndex((m) => m.name === RENUMBERING);
  expect(at, `migration ${RENUMBERING}`).toBeGreaterThan(0);
  await client.query("DROP SCHEMA public CASCADE; CREATE SCHEMA public;");
  await migrate(client, migrations.slice(0, at));

  const stored: [string, number | null][] = [
    ["sunday", 0],
    ["monday", 1],
    ["saturday", 6],
    ["daily", null],
  ];
  for (const [name, weekday] of stored)
    await client.query(
      `INSERT INTO alert_rules (id, name, kind, schedule, at_time, weekday, time_zone, email_to, created_by)
       VALUES (gen_random_uuid()::text, $1, 'report', $2, '07:00', $3, 'Europe/Berlin', '{ops@example.com}', 'test')`,
      [name, weekday === null ? "daily" : "weekly", weekday],
    );

  expect(await migrate(client, migrations)).toEqual([RENUMBERING, ...migrations.slice(at + 1).map((m) => m.name)]);
  const { rows } = await client.query<{ name: string; weekday: number | null }>("SELECT name, weekday FROM alert_rules ORDER BY name");
  expect(rows).toEqual([
    { name: "daily", weekday: null },
    { name: "monday", weekday: 0 },
    { name: "saturday", weekday: 5 },
    { name: "sunday", weekday: 6 },
  ]);
  // And the schedule sends each on its day.
  for (const { name, weekday } of rows.filter((r) => r.weekday !== null)) {
    const due = nextDue({ every: "week", at: "07:00", weekday, timeZone: "Europe/Berlin" }, new Date("2024-10-16T12:00:00Z"));
    expect(formatInTimeZone(due, "Europe/Berlin", "EEEE HH:mm").toLowerCase()).toBe(`${name} 07:00`);
  }
});
