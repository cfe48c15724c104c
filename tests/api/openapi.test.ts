// The API description, over real HTTP: /openapi.json is valid OpenAPI 3.1, describes every route the app has (and
// no route it lacks), and what the app answers matches what it describes, error bodies included.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { operations, type Operation } from "../../lib/api/contract";
import { startApp, type RunningApp } from "../../scripts/app-processes";
import { setUpTestDatabase } from "../database";
import { feedSourcesInDirectory, loadFeeds } from "../../lib/feeds/load";
import { generateFeeds } from "../../lib/sample-data/generate";

const databaseUrl = await setUpTestDatabase();
const ADMIN_TOKEN = "docs-admin-token-0123456789abcdef";
let app: RunningApp;
let admin: Record<string, string>; // the admin's session cookie
/** The parts of the OpenAPI document these tests read. */
interface Described {
  summary?: string;
  security?: Record<string, string[]>[];
  responses: Record<string, { $ref?: string }>;
}
interface Doc {
  openapi: string;
  paths: Record<string, Record<string, Described>>;
  components: { securitySchemes: Record<string, unknown>; responses: { Error: { content: Record<string, { schema: unknown }> } } };
}
let doc: Doc;

beforeAll(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "storemon-docs-"));
  await generateFeeds({ stores: 12, days: 8, seed: 5 }, dir);
  await loadFeeds(feedSourcesInDirectory(dir));
  app = await startApp(databaseUrl, { env: { ADMIN_TOKEN } });
  const signIn = await fetch(`${app.baseUrl}/api/admin/session`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Origin: app.baseUrl },
    body: JSON.stringify({ token: ADMIN_TOKEN }),
  });
  expect(signIn.status).toBe(204);
  admin = {
    Cookie: signIn.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; "),
    Origin: app.baseUrl,
  };
  doc = await (await fetch(`${app.baseUrl}/openapi.json`)).json();
});
afterAll(() => app?.stop());

/** app/'s route files as (method, OpenAPI path) pairs: app/api/reports/[id]/route.ts exports GET → GET /api/reports/{id}. */
function routeFiles(): { file: string; path: string }[] {
  const found: { file: string; path: string }[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === "route.ts") {
        const route = path
          .relative("app", path.dirname(full))
          .split(path.sep)
          .map((s) => s.replace(/^\[(\w+)\]$/, "{$1}"));
        found.push({ file: full, path: `/${route.join("/")}` });
      }
    }
  };
  walk("app");
  return found;
}

describe("/openapi.json", () => {
  it("is valid OpenAPI 3.1, served to anyone", async () => {
    expect(doc.openapi).toBe("3.1.0");
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc) as unknown as Parameters<Validator["validate"]>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(["adminSession", "apiKey", "personSession", "reportLink"]);
  });

  it("describes every route handler of app/, each made from the operation it is described by, and nothing else", async () => {
    const described = new Set(Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`)));
    const served = new Set<string>();
    for (const { file, path: routePath } of routeFiles()) {
      const handlers = await import(path.resolve(file));
      for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"].filter((m) => m in handlers)) {
        const operation = (handlers[method] as { operation?: Operation }).operation;
        expect(operation, `${method} in ${file} is not made by route(operation, …)`).toBeDefined();
        expect(`${operation!.method} ${operation!.path}`).toBe(`${method} ${routePath}`);
        served.add(`${method} ${routePath}`);
      }
    }
    expect([...described].sort()).toEqual([...served].sort());
    expect(served.size).toBe(Object.keys(operations).length);
  });

  it("gives every operation a summary, an error answer in the one shape, and its security", () => {
    for (const [p, item] of Object.entries(doc.paths)) {
      for (const [method, o] of Object.entries(item)) {
        expect(o.summary, `${method} ${p}`).toBeTruthy();
        expect(o.responses["503"], `${method} ${p}`).toEqual({ $ref: "#/components/responses/Error" });
        expect(Array.isArray(o.security), `${method} ${p}`).toBe(true);
      }
    }
    expect(doc.paths["/trigger_report"]!.post!.security).toContainEqual({}); // open mode
    expect(doc.paths["/api/admin/uploads"]!.post!.security).not.toContainEqual({});
    expect(doc.components.responses.Error.content["application/json"]!.schema).toEqual({ $ref: "#/components/schemas/Error" });
  });
});

describe("the app answers as described", () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  let ready = false;
  /** Checks a body against the schema the document gives for this operation and status. */
  const conforms = (p: string, method: string, status: number, body: unknown) => {
    if (!ready) {
      ajv.addSchema(doc, "openapi");
      ready = true;
    }
    const response = doc.paths[p]![method]!.responses[String(status)];
    expect(response, `${method} ${p} does not describe ${status}`).toBeDefined();
    const pointer = response!.$ref
      ? "#/components/schemas/Error"
      : `#/paths/${p.replaceAll("~", "~0").replaceAll("/", "~1")}/${method}/responses/${status}/content/application~1json/schema`;
    const validate = ajv.getSchema(`openapi${pointer}`)!;
    expect(validate(body) ? [] : validate.errors, `${method.toUpperCase()} ${p} ${status}`).toEqual([]);
  };
  const call = async (method: string, p: string, url: string, init: RequestInit = {}) => {
    const response = await fetch(`${app.baseUrl}${url}`, {
      method: method.toUpperCase(),
      ...init,
      headers: { ...admin, ...(init.headers as object) },
    });
    const body = response.headers.get("content-type")?.includes("json") ? await response.json() : await response.text();
    if (typeof body !== "string") conforms(p, method, response.status, body);
    return { status: response.status, body };
  };

  it("for the report API, the dashboard's reads and the admin pages' (the admin sees every field)", async () => {
    const { status, body: triggered } = await call("post", "/trigger_report", "/trigger_report", { body: "" });
    expect(status).toBe(202);
    const id = (triggered as { report_id: string }).report_id;
    for (let i = 0; i < 100; i++) {
      const { body } = await call("get", "/get_report", `/get_report?report_id=${id}`);
      if ((body as { status: string }).status === "Complete") break;
      await sleep(100);
    }
    const { body: page } = await call("get", "/api/reports/{id}/rows", `/api/reports/${id}/rows?sort=name`);
    const store = (page as { rows: { store_id: string }[] }).rows[0]!.store_id;
    const reads: [string, string][] = [
      ["/api/reports", "/api/reports"],
      ["/api/reports/{id}", `/api/reports/${id}`],
      ["/api/stores/{id}/timeline", `/api/stores/${store}/timeline?report=${id}`],
      ["/api/stores/{id}/history", `/api/stores/${store}/history?days=7`],
      ["/api/fleet/now", "/api/fleet/now"],
      ["/api/fleet/periods", "/api/fleet/periods"],
      ["/api/alerts", "/api/alerts"],
      ["/api/alerts/rules", "/api/alerts/rules"],
      ["/api/keys", "/api/keys"],
      ["/api/account", "/api/account"],
      ["/api/admin/owners", "/api/admin/owners"],
      ["/api/admin/people", "/api/admin/people"],
      ["/api/admin/imports", "/api/admin/imports"],
      ["/api/health", "/api/health"],
      ["/api/health/ready", "/api/health/ready"],
      ["/api/health/live", "/api/health/live"],
    ];
    for (const [p, url] of reads) expect((await call("get", p, url)).status, url).toBe(200);
    const made = await call("post", "/api/admin/owners", "/api/admin/owners", {
      body: JSON.stringify({ slug: "docs", name: "Docs" }),
      headers: { "Content-Type": "application/json" },
    });
    expect(made.status).toBe(201);
    const assigned = await call("post", "/api/admin/owners/{slug}/stores", "/api/admin/owners/docs/stores", {
      body: JSON.stringify({ storeIds: [store] }),
      headers: { "Content-Type": "application/json" },
    });
    expect(assigned.status).toBe(200);
    const invited = await call("post", "/api/admin/people", "/api/admin/people", {
      body: JSON.stringify({ email: "docs@example.com", name: "Docs", role: "member", owner: "docs" }),
      headers: { "Content-Type": "application/json" },
    });
    expect(invited.status).toBe(201);
    const key = await call("post", "/api/keys", "/api/keys", {
      body: JSON.stringify({ name: "docs", scope: "reports" }),
      headers: { "Content-Type": "application/json" },
    });
    expect(key.status).toBe(201);
    const polls = await call("post", "/api/polls", "/api/polls", {
      body: JSON.stringify([{ store_id: store, timestamp_utc: new Date().toISOString(), status: "active" }]),
      headers: { "Content-Type": "application/json" },
    });
    expect(polls.status).toBe(200);
  });

  it("the limits and readings it declares: a body up to its declared size, a parameter given twice by its first value", async () => {
    // POST /api/admin/owners/{slug}/stores declares 1 MB: the web server's front lets 300 ids (about 8 KB) through.
    await call("post", "/api/admin/owners", "/api/admin/owners", {
      body: JSON.stringify({ slug: "many", name: "Many" }),
      headers: { "Content-Type": "application/json" },
    });
    const ids = Array.from({ length: 300 }, (_, i) => `store-with-a-longish-id-${i}`);
    const assigned = await call("post", "/api/admin/owners/{slug}/stores", "/api/admin/owners/many/stores", {
      body: JSON.stringify({ storeIds: ids }),
      headers: { "Content-Type": "application/json" },
    });
    expect(assigned.status).toBe(200);
    const { body: triggered } = await call("post", "/trigger_report", "/trigger_report", { body: "" });
    const id = (triggered as { report_id: string }).report_id;
    const twice = await call("get", "/get_report", `/get_report?report_id=${id}&report_id=not-an-id`);
    expect(twice.status).toBe(200);
    // The report API's own words for a malformed id, however long.
    const long = await call("get", "/get_report_file/{id}", `/get_report_file/${"x".repeat(300)}`);
    expect([long.status, (long.body as { error: { code: string } }).error.code]).toEqual([400, "invalid_report_id"]);
  });

  it("errors in the one shape, with the request's id", async () => {
    const cases: [string, string, string, number][] = [
      ["get", "/get_report", "/get_report", 400],
      ["get", "/api/reports/{id}", "/api/reports/AAAAAAAAAAAAAAAAAAAAAA", 404],
      ["get", "/api/reports/{id}/rows", "/api/reports/nope/rows?pageSize=0", 400],
      ["post", "/api/admin/owners", "/api/admin/owners", 400],
    ];
    for (const [method, p, url, status] of cases) {
      const { status: got, body } = await call(method, p, url, {
        body: method === "post" ? "{}" : undefined,
        headers: { "Content-Type": "application/json" },
      });
      expect(got, url).toBe(status);
      expect((body as { error: { requestId: string } }).error.requestId).toMatch(/\S/);
    }
    const anonymous = await fetch(`${app.baseUrl}/api/admin/imports`);
    expect(anonymous.status).toBe(401);
    conforms("/api/admin/imports", "get", 401, await anonymous.json());
  });
});
