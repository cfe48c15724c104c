import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import net from "node:net";

// Posting a notification to a receiver that people typed into the dashboard. Owners' members may set webhook
// addresses, so the server must not become their way into its own network: an address that resolves to a
// loopback, private, link-local or otherwise internal address is refused, at connection time (no DNS
// rebinding between a check and the connection), and redirects are not followed. The operator's rule from the
// environment, and installations whose receivers live inside (ALERT_ALLOW_PRIVATE_TARGETS=on), are trusted.

const INTERNAL = new net.BlockList();
for (const [prefix, bits] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 3],
] as const)
  INTERNAL.addSubnet(prefix, bits, "ipv4");
for (const [prefix, bits] of [
  ["::", 96], // ::, ::1 and the IPv4-compatible addresses
  ["64:ff9b::", 96], // NAT64: reaches IPv4 addresses, internal ones too
  ["64:ff9b:1::", 48],
  ["2002::", 16], // 6to4
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const)
  INTERNAL.addSubnet(prefix, bits, "ipv6");

/** Whether an address is inside some network rather than on the internet (IPv4 in IPv6 as its IPv4). */
export function isInternalAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return INTERNAL.check(mapped, "ipv4");
  return INTERNAL.check(address, net.isIPv6(address) ? "ipv6" : "ipv4");
}

/** Says which host was refused, not the internal address it resolved to (members see this message). */
export class RefusedTarget extends Error {
  constructor(host: string) {
    super(`${host} is an internal address: refused (an operator may allow such receivers with ALERT_ALLOW_PRIVATE_TARGETS=on)`);
    this.name = "RefusedTarget";
  }
}

/** dns.lookup that refuses internal addresses: the connection is made only to what it answers. */
const publicLookup: net.LookupFunction = (hostname, options, callback) => {
  dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, "", 0);
    const list = addresses as dns.LookupAddress[];
    const internal = list.find((a) => isInternalAddress(a.address));
    if (internal) return callback(new RefusedTarget(hostname), "", 0);
    if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
    callback(null, list[0]!.address, list[0]!.family);
  });
};

/**
 * POSTs `body` to `url` and answers the receiver's status; throws when it cannot be reached (or is refused as
 * internal) or has not answered within `timeoutMs`, all told. A redirect is an answer (3xx), not followed; the
 * answer's body is not read.
 */
export function post(
  url: string,
  headers: Record<string, string>,
  body: string,
  { allowInternal, timeoutMs }: { allowInternal: boolean; timeoutMs: number },
): Promise<number> {
  const target = new URL(url);
  if (!allowInternal && net.isIP(target.hostname.replace(/^\[|\]$/g, "")) && isInternalAddress(target.hostname.replace(/^\[|\]$/g, "")))
    return Promise.reject(new RefusedTarget(target.hostname));
  const request = (target.protocol === "https:" ? https : http).request;
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: "POST",
        headers: { ...headers, "Content-Length": String(Buffer.byteLength(body)) },
        signal: AbortSignal.timeout(timeoutMs),
        ...(allowInternal ? {} : { lookup: publicLookup }),
      },
      (response) => {
        resolve(response.statusCode ?? 0); // its status is the answer; its body is not read
        response.destroy();
      },
    );
    req.on("error", (e) =>
      reject(e.name === "AbortError" || e.name === "TimeoutError" ? new Error(`no answer within ${timeoutMs / 1000} s`) : e),
    );
    req.end(body);
  });
}
