/**
 * A TCP proxy in front of the SES emulator that loses SES's answer after SES has accepted the request:
 * the real faults behind an ambiguous outcome. `late` holds each response back (the client's request
 * timeout fires first); `reset` resets the client's connection as soon as the response arrives (the
 * request was written and accepted, the answer never reaches the client). `pass` forwards untouched.
 */
import net, { type AddressInfo, type Socket } from 'node:net';

export type ProxyMode = 'pass' | 'late' | 'reset';

export interface SesProxy {
  readonly endpoint: string;
  mode: ProxyMode;
  /** How long `late` holds a response back. */
  delayMs: number;
  /** Requests forwarded to SES (each one reached it). */
  forwarded: number;
  close(): Promise<void>;
}

/** Start a proxy to `upstream` (http://host:port) on 127.0.0.1. */
export async function startSesProxy(upstream: string, mode: ProxyMode = 'pass', delayMs = 1_500): Promise<SesProxy> {
  const target = new URL(upstream);
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const track = (s: Socket): Socket => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    return s;
  };
  const server = net.createServer((client) => {
    track(client);
    const up = track(net.connect(Number(target.port), target.hostname));
    client.on('data', (chunk) => {
      // One HTTP request per write burst is enough for SendRawEmail's small bodies; count request lines.
      if (/^POST /.test(chunk.toString('latin1', 0, 5))) proxy.forwarded++;
      up.write(chunk);
    });
    up.on('data', (chunk) => {
      if (proxy.mode === 'reset') {
        client.resetAndDestroy();
        up.destroy();
      } else if (proxy.mode === 'late') {
        const t = setTimeout(() => {
          timers.delete(t);
          if (!client.destroyed) client.write(chunk);
        }, proxy.delayMs);
        timers.add(t);
      } else {
        client.write(chunk);
      }
    });
    client.on('close', () => up.destroy());
    up.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxy: SesProxy = {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    mode,
    delayMs,
    forwarded: 0,
    async close() {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
