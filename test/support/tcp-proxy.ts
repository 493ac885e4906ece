import { connect, createServer } from 'node:net';
import type { Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  /** Connections made through it so far. */
  readonly opened: number;
  /**
   * What a NAT that forgot a connection, or a failover without a reset, does: every connection
   * open now stops carrying bytes either way, and neither side hears a close. New ones work.
   */
  freeze(): void;
  close(): Promise<void>;
}

/** A TCP proxy on 127.0.0.1 to `target`, for tests of half-open connections. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs: Array<[Socket, Socket]> = [];
  const frozen: Socket[] = [];
  let opened = 0;
  const server = createServer((client) => {
    opened++;
    const upstream = connect(target.port, target.host);
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    pairs.push([client, upstream]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('proxy did not bind');
  return {
    port: address.port,
    get opened() {
      return opened;
    },
    freeze() {
      for (const [client, upstream] of pairs.splice(0)) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
        // Kept open, never read again: destroyed only when the proxy closes.
        frozen.push(client, upstream);
      }
    },
    async close() {
      for (const socket of [...frozen, ...pairs.flat()]) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
