import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { setUpTestDatabase } from "../../tests/database";
import { closePool, pool, replicaPool } from "./pool";
import { holdsUntil, lsnNumber, readPool, reportReadPool } from "./replica";

describe("a replica's staleness", () => {
  it("reads WAL positions as byte positions", () => {
    expect(lsnNumber("0/0")).toBe(0n);
    expect(lsnNumber("0/16B3748")).toBe(0x16b3748n);
    expect(lsnNumber("16/B374D848")).toBe((0x16n << 32n) + 0xb374d848n);
  });

  it("holds every commit made before the newest leader reading it has reached", () => {
    const leader = [
      { at: 1000, lsn: 100n },
      { at: 2000, lsn: 250n },
      { at: 3000, lsn: 250n },
      { at: 4000, lsn: 400n },
    ];
    expect(holdsUntil(leader, 400n)).toBe(4000);
    expect(holdsUntil(leader, 399n)).toBe(3000); // the leader did not move between 2000 and 3000
    expect(holdsUntil(leader, 120n)).toBe(1000);
    expect(holdsUntil(leader, 99n)).toBeNull(); // behind every reading kept: too far behind
    expect(holdsUntil([], 500n)).toBeNull();
  });
});

describe("reads with DATABASE_READ_URL", async () => {
  const url = await setUpTestDatabase();

  it("go to the leader when no replica is configured", () => {
    delete process.env.DATABASE_READ_URL;
    expect(replicaPool()).toBeNull();
    expect(readPool()).toBe(pool());
  });

  it("go to the leader while the replica does not answer", async () => {
    const refusing = new URL(url);
    refusing.port = "1";
    process.env.DATABASE_READ_URL = refusing.toString();
    expect(readPool()).toBe(pool());
    await sleep(1500);
    expect(readPool()).toBe(pool());
    await closePool();
  });

  it("go to the replica once it is read fresh; a report's page only once the replica holds it complete", async () => {
    process.env.DATABASE_READ_URL = url; // the same server: not in recovery, so as fresh as the leader
    await sleep(1500); // the readings, started by the earlier reads, find it
    expect(readPool()).toBe(replicaPool());
    expect(readPool()).not.toBe(pool());
    const { rows } = await pool().query<{ id: string }>(
      "INSERT INTO reports (id, status, as_of, as_of_source) VALUES (gen_random_uuid()::text, 'Running', now(), 'newest_poll') RETURNING id",
    );
    expect(await reportReadPool(rows[0]!.id)).toBe(pool());
    await pool().query("UPDATE reports SET status = 'Complete' WHERE id = $1", [rows[0]!.id]);
    expect(await reportReadPool(rows[0]!.id)).toBe(replicaPool());
    expect(await reportReadPool("not-a-report")).toBe(pool());
    delete process.env.DATABASE_READ_URL;
  });
});
