import { describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "./availability";

const withCode = (code: string) => Object.assign(new Error(`sqlstate ${code}`), { code });

describe("a database that cannot answer now", () => {
  it("is told by its SQLSTATE: connections lost, shutdowns, timeouts, a write met by a replica during a failover", () => {
    for (const code of ["08006", "08001", "53300", "57P01", "57P03", "57014", "25006"])
      expect(isDatabaseUnavailable(withCode(code))).toBe(true);
  });

  it("is not a query that is wrong", () => {
    for (const code of ["23505", "42P01", "22P02", "40001"]) expect(isDatabaseUnavailable(withCode(code))).toBe(false);
  });
});
