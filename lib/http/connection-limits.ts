// The web server's front (server/web.ts) on its connections: which Host headers and paths it takes, how many sockets
// it keeps, and how slowly a request body may arrive. An idle socket costs an attacker nothing and the server
// a file descriptor; without these, 21,000 of them made it refuse everyone (EMFILE), and a body sent a byte
// every 5 seconds held its connection for as long as the sender liked.
import fs from "node:fs";
import type http from "node:http";
import type net from "node:net";
import { API_HEADERS } from "./security-headers";

const HOST = /^(?:[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * A Host header a URL can be made from: a name or IPv4 address, or an IPv6 address in brackets, and an
 * optional port. None at all is allowed (HTTP/1.0; Node refuses an HTTP/1.1 request without one).
 */
export function validHost(host: string | undefined): boolean {
  if (host === undefined) return true;
  if (!HOST.test(host)) return false;
  try {
    return new URL(`http://${host}/`).hostname !== "";
  } catch {
    return false;
  }
}

/**
 * A path whose %-escapes decode: UTF-8, as a URL's must be. Next.js answers one that does not (/stores/%FF, /api/keys/%zz,
 * or %ED%A0%80, a lone surrogate's bytes) with a bare 500.
 */
export function validPath(pathname: string): boolean {
  try {
    decodeURIComponent(pathname);
    return true;
  } catch {
    return false;
  }
}

/** The process's open-file limit, where the system says (Linux). */
function openFileLimit(): number | undefined {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(fs.readFileSync("/proc/self/limits", "utf8"));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** 10,000 connections, or 80% of the open-file limit when that is lower: the rest is for the database and files. */
export function defaultMaxConnections(): number {
  const limit = openFileLimit();
  return limit === undefined ? 10_000 : Math.max(16, Math.min(10_000, Math.floor(limit * 0.8)));
}

/**
 * Keeps at most `max` connections open, so sockets can never take every file descriptor. When one more
 * arrives, the connection idle the longest (connected, or kept alive, with no request in progress) is
 * closed to make room, so a flood of idle sockets cannot lock anyone out; Node refuses a new connection
 * only when every one of the `max` has a request in progress. A connection that sends nothing at all is
 * closed after `silentMs`: Node's headersTimeout counts only from a request's first byte.
 */
export function limitConnections(server: http.Server, { max, silentMs }: { max: number; silentMs: number }): void {
  server.maxConnections = max;
  const open = new Set<net.Socket>();
  const idle = new Set<net.Socket>(); // in the order they became idle
  server.on("connection", (socket: net.Socket) => {
    open.add(socket);
    idle.add(socket);
    socket.setTimeout(silentMs); // on timeout, with no request in progress, Node's server destroys it
    socket.once("close", () => {
      open.delete(socket);
      idle.delete(socket);
    });
    if (open.size < max) return;
    const [oldest] = idle;
    if (oldest === socket) return;
    open.delete(oldest!);
    idle.delete(oldest!);
    oldest!.destroy();
  });
  server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
    idle.delete(req.socket);
    req.socket.setTimeout(0); // from here on, Node's own timeouts (request, keep-alive) and the body's rate
    res.once("close", () => open.has(req.socket) && !req.socket.destroyed && idle.add(req.socket));
  });
}

const BODY_TOO_SLOW = JSON.stringify({ error: { code: "request_timeout", message: "the request body arrived too slowly" } });
const BODY_TOO_SLOW_RESPONSE =
  "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: application/json\r\n" +
  Object.entries(API_HEADERS)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("") +
  `Content-Length: ${Buffer.byteLength(BODY_TOO_SLOW)}\r\n\r\n${BODY_TOO_SLOW}`;

/**
 * Cuts off a request whose body arrives at less than `minRate` bytes a second over each `windowMs` the
 * server waits for it: a body trickled a byte at a time is dropped within about `windowMs`, while an upload
 * of any size at a real link's speed goes on, and so does a body the server itself is slow to take (its
 * socket paused while the database catches up: not waiting for the client). Answers 408, as Node does for
 * its own timeouts, unless an answer has begun.
 */
export function limitBodyRate(server: http.Server, { minRate, windowMs }: { minRate: number; windowMs: number }): void {
  if (minRate <= 0) return;
  const tickMs = Math.min(1000, windowMs / 4);
  const minBytes = (minRate * windowMs) / 1000;
  const waiting = new Map<http.IncomingMessage, { res: http.ServerResponse; from: number; waitedMs: number }>();
  server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
    const hasBody = req.headers["transfer-encoding"] !== undefined || Number(req.headers["content-length"] ?? 0) > 0;
    if (hasBody) waiting.set(req, { res, from: req.socket.bytesRead, waitedMs: 0 });
  });
  const timer = setInterval(() => {
    for (const [req, wait] of waiting) {
      const socket = req.socket;
      if (req.complete || socket.destroyed) waiting.delete(req);
      else if (!socket.isPaused() && (wait.waitedMs += tickMs) >= windowMs) {
        if (socket.bytesRead - wait.from >= minBytes) Object.assign(wait, { from: socket.bytesRead, waitedMs: 0 });
        else {
          waiting.delete(req);
          if (!wait.res.headersSent && socket.writable) socket.write(BODY_TOO_SLOW_RESPONSE);
          socket.destroy();
        }
      }
    }
  }, tickMs);
  timer.unref();
  server.on("close", () => clearInterval(timer));
}
