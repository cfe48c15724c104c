// Posting to receivers typed into the dashboard: internal addresses refused at connection time, redirects not followed.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isInternalAddress, post } from "./post";

let server: http.Server;
let port = 0;
beforeAll(async () => {
  server = http.createServer((request, response) => {
    if (request.url === "/moved") return void response.writeHead(302, { Location: "http://169.254.169.254/latest/meta-data" }).end();
    response.writeHead(204).end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => server.close());

describe("receivers' addresses", () => {
  it("loopback, private, link-local, carrier-grade NAT and unique-local addresses are internal; public ones are not", () => {
    for (const a of [
      "127.0.0.1",
      "10.1.2.3",
      "172.20.0.1",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "::1",
      "::",
      "fd00::1",
      "fe80::1",
      "::ffff:127.0.0.1",
      "::ffff:7f00:1",
      "::ffff:10.0.0.1",
      "64:ff9b::a00:1",
      "2002:a00:1::1",
      "::a00:1",
    ])
      expect(isInternalAddress(a), a).toBe(true);
    for (const a of ["93.184.216.34", "8.8.8.8", "172.32.0.1", "2606:4700::1111", "::ffff:8.8.8.8"])
      expect(isInternalAddress(a), a).toBe(false);
  });

  it("an internal receiver is refused, by address or by a name that resolves to one, unless allowed", async () => {
    const options = { allowInternal: false, timeoutMs: 2000 };
    await expect(post(`http://127.0.0.1:${port}/`, {}, "{}", options)).rejects.toThrow(/^127\.0\.0\.1 is an internal address: refused/);
    await expect(post(`http://localhost:${port}/`, {}, "{}", options)).rejects.toThrow(/^localhost is an internal address: refused/);
    await expect(post(`http://[::1]:${port}/`, {}, "{}", options)).rejects.toThrow(/internal address/);
    expect(await post(`http://127.0.0.1:${port}/`, {}, "{}", { ...options, allowInternal: true })).toBe(204);
  });

  it("a receiver that answers slowly is given up on at the deadline, however it trickles", async () => {
    const slow = http.createServer((_, response) => {
      response.writeHead(200);
      const drip = setInterval(() => response.write("."), 200);
      response.on("close", () => clearInterval(drip));
    });
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
    // Headers at once: the status is the answer, the trickle is not waited for.
    expect(
      await post(`http://127.0.0.1:${(slow.address() as AddressInfo).port}/`, {}, "{}", { allowInternal: true, timeoutMs: 1000 }),
    ).toBe(200);
    slow.close();
    const silent = http.createServer(() => {}); // reads the request, never answers
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const started = Date.now();
    await expect(
      post(`http://127.0.0.1:${(silent.address() as AddressInfo).port}/`, {}, "{}", { allowInternal: true, timeoutMs: 1000 }),
    ).rejects.toThrow("no answer within 1 s");
    expect(Date.now() - started).toBeLessThan(2000);
    silent.closeAllConnections();
    silent.close();
  });

  it("a redirect is the receiver's answer, not followed", async () => {
    expect(await post(`http://127.0.0.1:${port}/moved`, {}, "{}", { allowInternal: true, timeoutMs: 2000 })).toBe(302);
  });
});
