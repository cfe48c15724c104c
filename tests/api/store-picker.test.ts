// The owners page's store picker over real HTTP against the built app and a real PostgreSQL: the store directory
// searched by name or id on the server, a page at a time, stores without an owner by default; an owner's stores;
// stores assigned by id and taken back.
import { afterAll, beforeAll, expect, it } from "vitest";
import { pool } from "../../lib/db/pool";
import { startApp, type RunningApp } from "../../scripts/app-processes";
import { setUpTestDatabase } from "../database";

const ADMIN_TOKEN = "admin-token-for-the-store-picker-tests";
const databaseUrl = await setUpTestDatabase();
let app: RunningApp;
let admin: Record<string, string>;

interface DirectoryPage {
  total: number;
  page: number;
  stores: { storeId: string; name: string | null; address: string | null; owner: { slug: string; name: string } | null }[];
}

beforeAll(async () => {
  await pool().query("INSERT INTO owners (slug, name) VALUES ('north', 'North Group'), ('south', 'South Foods')");
  // 30 pizzerias (5 of them the south's), 5 taco stands, and a store with no name yet.
  await pool().query(
    `INSERT INTO stores (store_id, name, address, owner_id)
     SELECT (5000 + i)::text, 'Pizza Palace ' || lpad(i::text, 2, '0'), i || ' Oven Road',
            CASE WHEN i > 25 THEN (SELECT id FROM owners WHERE slug = 'south') END
     FROM generate_series(1, 30) i`,
  );
  await pool().query("INSERT INTO stores (store_id, name) SELECT (6000 + i)::text, 'Taco Stand ' || i FROM generate_series(1, 5) i");
  await pool().query("INSERT INTO stores (store_id) VALUES ('7777')");
  app = await startApp(databaseUrl, { workers: 0, env: { ADMIN_TOKEN } });
  const signedIn = await fetch(`${app.baseUrl}/api/admin/session`, { method: "POST", body: JSON.stringify({ token: ADMIN_TOKEN }) });
  admin = { Cookie: signedIn.headers.get("set-cookie")!.split(";")[0]!, Origin: app.baseUrl };
}, 120_000);
afterAll(() => app?.stop());

async function search(query: Record<string, string>): Promise<DirectoryPage> {
  const response = await fetch(`${app.baseUrl}/api/admin/stores?${new URLSearchParams(query)}`, { headers: admin });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as DirectoryPage;
}

const send = (method: "POST" | "DELETE", slug: string, storeIds: string[]) =>
  fetch(`${app.baseUrl}/api/admin/owners/${slug}/stores`, {
    method,
    headers: { ...admin, "Content-Type": "application/json" },
    body: JSON.stringify({ storeIds }),
  });

it("finds stores by part of their name, in any case, among those without an owner, by name a page at a time", async () => {
  const first = await search({ q: "pizza PALACE", pageSize: "10" });
  expect(first.total).toBe(25);
  expect(first.stores.map((s) => s.name)).toEqual(Array.from({ length: 10 }, (_, i) => `Pizza Palace ${String(i + 1).padStart(2, "0")}`));
  expect(first.stores[0]).toEqual({ storeId: "5001", name: "Pizza Palace 01", address: "1 Oven Road", owner: null });
  const third = await search({ q: "pizza", pageSize: "10", page: "3" });
  expect(third.stores.map((s) => s.storeId)).toEqual(["5021", "5022", "5023", "5024", "5025"]);
});

it("finds stores by part of their id, the unnamed ones after the named", async () => {
  expect((await search({ q: "777" })).stores.map((s) => s.storeId)).toEqual(["7777"]);
  const all = await search({ pageSize: "200" });
  expect(all.total).toBe(25 + 5 + 1);
  expect(all.stores.at(-1)).toEqual({ storeId: "7777", name: null, address: null, owner: null });
});

it("lists every store, or one owner's, with their owner", async () => {
  const south = await search({ owner: "south" });
  expect(south.stores.map((s) => s.storeId)).toEqual(["5026", "5027", "5028", "5029", "5030"]);
  expect(south.stores[0]!.owner).toEqual({ slug: "south", name: "South Foods" });
  expect((await search({ owner: "any", q: "pizza" })).total).toBe(30);
});

it("assigns the stores found to an owner, and takes one back: it is without an owner again", async () => {
  const found = (await search({ q: "taco stand", pageSize: "3" })).stores.map((s) => s.storeId);
  expect(found).toEqual(["6001", "6002", "6003"]);
  expect(await (await send("POST", "north", found)).json()).toEqual({ assigned: 3 });
  expect((await search({ owner: "north" })).stores.map((s) => s.name)).toEqual(["Taco Stand 1", "Taco Stand 2", "Taco Stand 3"]);
  expect((await search({ q: "taco" })).stores.map((s) => s.storeId)).toEqual(["6004", "6005"]);

  expect(await (await send("DELETE", "north", ["6002", "5026"])).json()).toEqual({ removed: 1 }); // 5026 is the south's: left alone
  expect((await search({ owner: "north" })).stores.map((s) => s.storeId)).toEqual(["6001", "6003"]);
  expect((await search({ q: "taco" })).stores.map((s) => s.storeId)).toEqual(["6002", "6004", "6005"]);
  expect((await search({ owner: "south" })).total).toBe(5);
});

it("refuses an unknown owner and a bad store id, naming them", async () => {
  const unknown = await fetch(`${app.baseUrl}/api/admin/stores?owner=nobody`, { headers: admin });
  expect(unknown.status).toBe(404);
  expect((await unknown.json()).error.message).toBe("no owner nobody");
  const bad = await send("DELETE", "north", ["6001", "=1+1"]);
  expect(bad.status).toBe(400);
  expect((await bad.json()).error.message).toContain('field storeIds.1 "=1+1"');
});

it("answers admins only", async () => {
  const response = await fetch(`${app.baseUrl}/api/admin/stores`);
  expect(response.status).toBe(401);
});
