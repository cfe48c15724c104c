import { describe, expect, it } from "vitest";
import { afterSignInPath, DEFAULT_AFTER_SIGN_IN } from "./redirect";

const ORIGIN = "http://127.0.0.1:3600";

describe("where a browser goes after signing in", () => {
  it.each([
    ["/admin/upload", "/admin/upload"],
    ["/", "/"],
    ["/reports", "/reports"],
    ["/team", "/team"],
    ["/reports/AAAAAAAAAAAAAAAAAAAAAA", "/reports/AAAAAAAAAAAAAAAAAAAAAA"],
    ["/stores/8419537941919820732?report=AAAAAAAAAAAAAAAAAAAAAA", "/stores/8419537941919820732?report=AAAAAAAAAAAAAAAAAAAAAA"],
    [`${ORIGIN}/admin/upload`, "/admin/upload"],
    ["/admin/../reports/x", "/reports/x"],
  ])("a page of this app on this site is kept: %s -> %s", (next, path) => {
    expect(afterSignInPath(next, ORIGIN)).toBe(path);
  });

  it.each([undefined, null, ""])("no target (%s) goes to the upload page", (next) => {
    expect(afterSignInPath(next, ORIGIN)).toBe(DEFAULT_AFTER_SIGN_IN);
  });

  it.each([
    "//127.0.0.1:3999/x",
    "/\\127.0.0.1:3999/x",
    "\\\\127.0.0.1:3999/x",
    "/\t/127.0.0.1:3999/x",
    "/\n/127.0.0.1:3999/x",
    " //127.0.0.1:3999/x",
    "/%5C127.0.0.1:3999/x",
    "/%2F127.0.0.1:3999/x",
    "/%09/127.0.0.1:3999/x",
    "https://127.0.0.1:3999/x",
    "http://127.0.0.1:3600.evil.example/admin/upload",
    "https://127.0.0.1:3600/admin/upload",
    "http:127.0.0.1:3999/x",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.cookie)",
    "data:text/html,<script>alert(1)</script>",
    "///127.0.0.1:3999/x",
    "/.//127.0.0.1:3999/x",
    "/api/admin/sessions",
    "/get_report_file/x",
    "http://[::1",
  ])("anything else goes to /: %j", (next) => {
    expect(afterSignInPath(next, ORIGIN)).toBe("/");
  });
});
