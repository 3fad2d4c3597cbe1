import { once } from 'node:events';
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';

/*
 * A loopback TCP proxy in front of a real server (PostgreSQL, a FHIR server), standing for the network between
 * them, so tests can make that network fail the ways networks fail without touching either end:
 *   forward   — passes bytes both ways;
 *   refuse    — drops new connections at once (the peer is down);
 *   blackhole — a partition: connections already open stay open but carry nothing more either way, and new ones
 *               are accepted and never answered (only a timeout ends a wait);
 *   hold      — accepts and buffers, forwarding only once release() is called (a slow network).
 * Switching to any mode but blackhole cuts the connections already open, as an outage (or its end) would.
 */

export type ProxyMode = 'forward' | 'refuse' | 'blackhole' | 'hold';

export interface TcpProxy {
  /** The target's URL with the proxy's port (same host, loopback): what a client uses to go through the proxy. */
  readonly url: string;
  setMode(mode: ProxyMode): void;
  /** In hold mode: how many times `marker` occurs in what the held connections have sent so far. */
  heldCount(marker: string): number;
  /** Forwards every held connection, and lets later ones through. */
  release(): void;
  close(): Promise<void>;
}

/** Proxies to the host and port of `targetUrl` (a postgresql:// or http:// URL on loopback). */
export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const parsed = new URL(targetUrl);
  const target = { host: parsed.hostname, port: Number(parsed.port) };
  let mode: ProxyMode = 'forward';
  const open = new Set<Socket>();
  const held: { client: Socket; chunks: Buffer[] }[] = [];
  const pairs = new Set<{ client: Socket; upstream: Socket }>();

  const forward = (client: Socket, buffered: readonly Buffer[]): void => {
    const upstream = createConnection(target);
    open.add(upstream);
    upstream.on('close', () => open.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    for (const chunk of buffered) {
      upstream.write(chunk);
    }
    client.pipe(upstream);
    upstream.pipe(client);
    const pair = { client, upstream };
    pairs.add(pair);
    client.on('close', () => pairs.delete(pair));
  };

  const server = createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => undefined);
    if (mode === 'refuse') {
      client.destroy();
    } else if (mode === 'blackhole') {
      client.resume();
    } else if (mode === 'hold') {
      const entry = { client, chunks: [] as Buffer[] };
      held.push(entry);
      client.on('data', (chunk: Buffer) => entry.chunks.push(chunk));
    } else {
      forward(client, []);
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');

  const viaProxy = new URL(targetUrl);
  viaProxy.port = String((server.address() as AddressInfo).port);
  return {
    url: viaProxy.toString(),
    setMode(next) {
      mode = next;
      if (next === 'blackhole') {
        // Bytes already in flight are dropped, and nothing more crosses: the sockets stay open and silent.
        for (const { client, upstream } of pairs) {
          client.unpipe(upstream);
          upstream.unpipe(client);
        }
        return;
      }
      for (const socket of open) {
        socket.destroy();
      }
      held.length = 0;
    },
    heldCount(marker) {
      return held.reduce((n, { chunks }) => n + Buffer.concat(chunks).toString('latin1').split(marker).length - 1, 0);
    },
    release() {
      mode = 'forward';
      for (const { client, chunks } of held.splice(0)) {
        client.removeAllListeners('data');
        forward(client, chunks);
      }
    },
    async close() {
      for (const socket of open) {
        socket.destroy();
      }
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}
