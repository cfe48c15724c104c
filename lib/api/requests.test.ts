import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { redactUrl } from "../log";
import { routeOf } from "./requests";
import { requestIdFor } from "../http/request-id";

describe("what requests are called in logs and metrics", () => {
  it("route names: the app's routes with ids as :id; anything else one name, whatever a scanner tries", () => {
    expect(routeOf("/api/reports/Ab3_x-Ab3_x-Ab3_x-Ab3_x/rows?page=2")).toBe("/api/reports/:id/rows");
    expect(routeOf("/get_report_file/abc?rule=r&signature=s")).toBe("/get_report_file/:id");
    expect(routeOf("/stores/0001-store")).toBe("/stores/:id");
    expect(routeOf("/_next/static/chunks/x.js")).toBe("/_next/*");
    for (const path of ["/wp-login.php", "/api/reports/x/rows/extra", "/get_report/", "/%2e%2e/etc/passwd", "/" + "a".repeat(500)])
      expect(routeOf(path)).toBe("other");
  });

  it("every route and page of the app has its name (the table is kept by hand: this keeps it whole)", () => {
    const files = fs.readdirSync("app", { recursive: true, encoding: "utf8" }).filter((f) => /(^|\/)(route\.ts|page\.tsx)$/.test(f));
    for (const file of files) {
      const route = `/${path.dirname(file)}`.replace(/\/\.$/, "").replace(/\[[^\]]+\]/g, "x-id") || "/";
      expect(routeOf(route), file).not.toBe("other");
    }
  });

  it("secret query values are blanked however their names are spelt; other paths are left as they are", () => {
    expect(redactUrl("/admin/login?%74oken=SECRET&next=/x")).toBe("/admin/login?token=[redacted]&next=%2Fx");
    expect(redactUrl("/get_report_file/r?rule=a&scope=b&expires=1&signature=SIG")).toBe(
      "/get_report_file/r?rule=a&scope=b&expires=1&signature=[redacted]",
    );
    expect(redactUrl("/get_report?report_id=abc")).toBe("/get_report?report_id=abc");
  });

  it("a caller's id is kept when well-formed, else a new one is made", () => {
    expect(requestIdFor("abc-123")).toBe("abc-123");
    for (const bad of ['a"b', "a b", "", "-x", "x".repeat(129), ["a", "b"], undefined])
      expect(requestIdFor(bad as string)).toMatch(/^[0-9a-f-]{36}$/);
  });
});
