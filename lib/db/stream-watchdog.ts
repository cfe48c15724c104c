// A stream connection's statements (a load's COPY and merge, a download's COPY) may rightly run for minutes, so
// they have no statement timeout: what bounds them is progress, not length. While a connection is checked out,
// its server must show a sign of life every WATCH_EVERY_MS: bytes arriving on the connection, or else an answer
// to a probe on the ordinary pool, which waits no longer than its role allows. A server that shows none (frozen,
// unreachable) has the connection destroyed: its statement fails as a lost connection does (503), and the pool
// discards it, so a poll, upload or download never waits on a database that does not answer.
import type net from "node:net";
import type pg from "pg";
import { isDatabaseUnavailable } from "./availability";

/** How often a checked-out stream connection is looked at. */
export const WATCH_EVERY_MS = 1000;

// pg-pool's words for "every connection is busy": a crowded pool, which says nothing of the server.
const POOL_BUSY = "timeout exceeded when trying to connect";

/** Watches every connection of `streams` while it is checked out; `probe` asks the server for an answer. */
export function watchProgress(streams: pg.Pool, probe: () => Promise<unknown>): void {
  const watches = new Map<pg.PoolClient, NodeJS.Timeout>();
  streams.on("acquire", (client) => {
    const socket = client.connection.stream as net.Socket;
    let bytesSeen = socket.bytesRead;
    let signAt = Date.now();
    let probing = false;
    const sign = () => {
      bytesSeen = socket.bytesRead;
      signAt = Date.now();
    };
    const timer = setInterval(() => {
      if (socket.bytesRead !== bytesSeen) return sign();
      if (probing) return;
      probing = true;
      probe()
        .then(sign, (e: unknown) => {
          const stillOut = watches.get(client) === timer;
          const answered = socket.bytesRead !== bytesSeen;
          if (!stillOut || answered || !isDatabaseUnavailable(e) || (e as Error).message === POOL_BUSY) return;
          const seconds = ((Date.now() - signAt) / 1000).toFixed(1);
          socket.destroy(new Error(`the database showed no sign of life for ${seconds} s (${(e as Error).message})`, { cause: e }));
        })
        .finally(() => (probing = false));
    }, WATCH_EVERY_MS);
    timer.unref();
    watches.set(client, timer);
  });
  streams.on("release", (_error, client) => {
    clearInterval(watches.get(client));
    watches.delete(client);
  });
}
