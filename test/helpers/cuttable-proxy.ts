// A TCP proxy on loopback in front of a real server, whose link can be cut and restored: the way to
// make a real PostgreSQL "go away" for one test without stopping the one every other test uses.
import { onTestFinished } from 'vitest';
import { openLink } from '../../src/demo/link.ts';

export interface CuttableProxy {
  port: number;
  /** Closes every proxied connection and refuses new ones. */
  cut(): Promise<void>;
  /** Accepts connections again, on the same port. */
  restore(): Promise<void>;
  connections(): number;
}

export async function cuttableProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<CuttableProxy> {
  // The demo's link (src/demo/link.ts), cut again when the test ends.
  const link = await openLink(targetPort, targetHost);
  onTestFinished(() => link.cut());
  return { port: link.port, cut: () => link.cut(), restore: () => link.restore(), connections: () => link.connections() };
}
