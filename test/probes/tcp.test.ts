import { describe, expect, it } from 'vitest';
import { tcpProbe } from '../../src/probes/tcp.ts';
import { blackholePort, freePort, neverAborted, serveTcp } from '../helpers/net.ts';

const check = (port: number, timeout = '2s') =>
  tcpProbe.schema.parse({ id: 'db-port', component: 'database', kind: 'tcp', host: '127.0.0.1', port, timeout });

describe('tcp probe', () => {
  it('reports up with the connect time when the port accepts', async () => {
    const { port } = await serveTcp(() => undefined);
    const result = await tcpProbe.run(check(port), neverAborted());
    expect(result).toMatchObject({ checkId: 'db-port', kind: 'tcp', status: 'up', message: 'port open' });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('reports down with "connection refused" and no address when nothing listens', async () => {
    const port = await freePort();
    const result = await tcpProbe.run(check(port), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'connection refused', latencyMs: null });
    expect(JSON.stringify(result)).not.toContain('127.0.0.1');
  });

  it('reports down by its deadline when the handshake never completes', async () => {
    const port = await blackholePort();
    const result = await tcpProbe.run(check(port, '300ms'), neverAborted());
    expect(result).toMatchObject({ status: 'down', message: 'no connection within 300 ms', latencyMs: null });
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    const pending = tcpProbe.run(check(await blackholePort(), '10s'), controller.signal);
    controller.abort();
    await expect(pending).resolves.toMatchObject({ status: 'down', message: 'stopped before an answer' });
  });

  it('settles at once when the caller had already stopped', async () => {
    const controller = new AbortController();
    controller.abort();
    const { port } = await serveTcp(() => undefined);
    await expect(tcpProbe.run(check(port), controller.signal)).resolves.toMatchObject({
      status: 'down',
      message: 'stopped before an answer',
    });
  });
});
