// tcp: can a connection be opened, and how long does it take.
import { connect } from 'node:net';
import { z } from 'zod/v4';
import { deadlineFor, timeoutMessage } from './support/deadline.ts';
import { describeNetError } from './support/net-errors.ts';
import { checkBaseShape, down, normalizeBase, portSchema, since, up, type Probe } from './types.ts';

export const tcpCheckSchema = z
  .strictObject({
    ...checkBaseShape,
    kind: z.literal('tcp'),
    host: z.string().min(1),
    port: portSchema,
  })
  .transform(normalizeBase);

export type TcpCheck = z.output<typeof tcpCheckSchema>;

export const tcpProbe: Probe<TcpCheck> = {
  kind: 'tcp',
  schema: tcpCheckSchema,
  targets: (check) => [check.host],
  run(check, stop) {
    const startedAt = Date.now();
    const t0 = performance.now();
    const deadline = deadlineFor(check.timeoutMs, stop);
    return new Promise((resolve) => {
      const socket = connect({ host: check.host, port: check.port });
      const finish = (result: ReturnType<typeof up>) => {
        deadline.dispose();
        socket.destroy();
        resolve(result);
      };
      deadline.onExpire(() =>
        finish(down(check, { startedAt, message: timeoutMessage(deadline, check.timeoutMs, 'no connection') })),
      );
      socket.once('connect', () => finish(up(check, { startedAt, latencyMs: since(t0), message: 'port open' })));
      socket.once('error', (error) => finish(down(check, { startedAt, message: describeNetError(error) })));
    });
  },
};
