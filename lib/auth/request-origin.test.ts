// Which origin a request is addressed to and which address it comes from: proxy headers count only when
// the operator says proxies set them (TRUST_PROXY), the front's header only when the front says it writes it.
import { afterEach, describe, expect, it } from "vitest";
import { checkSameSite, CLIENT_ADDRESS_HEADER, clientAddress, publicOrigin, trustClientAddressHeader } from "./request-origin";

const request = (headers: Record<string, string>, method = "POST") =>
  new Request("http://localhost:3000/trigger_report", { method, headers });

afterEach(() => {
  delete process.env.TRUST_PROXY;
  delete process.env.PUBLIC_URL;
});

describe("publicOrigin", () => {
  it("is the Host header over plain HTTP; X-Forwarded-Host and -Proto are ignored without TRUST_PROXY", () => {
    expect(publicOrigin(request({ host: "monitor.example:8080", "x-forwarded-host": "evil.example", "x-forwarded-proto": "https" }))).toBe(
      "http://monitor.example:8080",
    );
  });

  it("with TRUST_PROXY, is what the proxy says", () => {
    process.env.TRUST_PROXY = "1";
    expect(publicOrigin(request({ host: "10.0.0.5:3000", "x-forwarded-host": "monitor.example", "x-forwarded-proto": "https" }))).toBe(
      "https://monitor.example",
    );
  });

  it("is PUBLIC_URL's origin when it is set, whatever the headers say", () => {
    process.env.PUBLIC_URL = "https://monitor.example/some/path";
    process.env.TRUST_PROXY = "1";
    expect(publicOrigin(request({ host: "evil.example", "x-forwarded-host": "evil.example" }))).toBe("https://monitor.example");
  });
});

describe("clientAddress", () => {
  it("is one bucket, 'unknown', when nothing trustworthy says it", () => {
    expect(clientAddress(request({ "x-forwarded-for": "1.2.3.4", [CLIENT_ADDRESS_HEADER]: "5.6.7.8" }))).toBe("unknown");
  });

  it("with TRUST_PROXY=n, is the n-th X-Forwarded-For entry from the right; entries the client wrote are ignored", () => {
    process.env.TRUST_PROXY = "1";
    expect(clientAddress(request({ "x-forwarded-for": "6.6.6.6, 203.0.113.7" }))).toBe("203.0.113.7");
    process.env.TRUST_PROXY = "2";
    expect(clientAddress(request({ "x-forwarded-for": "6.6.6.6, 203.0.113.7, 10.0.0.2" }))).toBe("203.0.113.7");
  });

  it("is the front's header once the front says it overwrites it", () => {
    trustClientAddressHeader();
    expect(clientAddress(request({ [CLIENT_ADDRESS_HEADER]: "198.51.100.4" }))).toBe("198.51.100.4");
  });
});

describe("checkSameSite", () => {
  const site = { host: "127.0.0.1:3600" };
  it.each([
    ["another site's Origin", { Origin: "http://evil.example" }],
    ["another scheme", { Origin: "https://127.0.0.1:3600" }],
    ["another port", { Origin: "http://127.0.0.1:3601" }],
    ["Origin: null", { Origin: "null" }],
    ["a malformed Origin", { Origin: "http://[" }],
    ["Sec-Fetch-Site: cross-site", { "Sec-Fetch-Site": "cross-site" }],
    ["Sec-Fetch-Site: same-site", { "Sec-Fetch-Site": "same-site" }],
    ["this Origin but Sec-Fetch-Site: cross-site", { Origin: "http://127.0.0.1:3600", "Sec-Fetch-Site": "cross-site" }],
  ])("refuses %s with 403", (_name, headers) => {
    expect(() => checkSameSite(request({ ...site, ...headers }))).toThrow(
      expect.objectContaining({ status: 403, code: "cross_site_request" }),
    );
  });

  it.each([
    ["this site's Origin", { Origin: "http://127.0.0.1:3600", "Sec-Fetch-Site": "same-origin" }],
    ["a program (no Origin, no Sec-Fetch-Site)", {}],
    ["a typed address (Sec-Fetch-Site: none)", { "Sec-Fetch-Site": "none" }],
  ])("lets %s through", (_name, headers) => {
    expect(() => checkSameSite(request({ ...site, ...headers }))).not.toThrow();
  });
});
