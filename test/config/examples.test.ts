// The shipped configurations are documentation: they must stay valid.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.ts';
import { formatError } from '../../src/errors.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));

describe('example configurations', () => {
  it('the demo configuration in probes/ is valid with no environment, using its defaults', async () => {
    const { config, problems } = await loadConfig(repo, {});
    expect(problems.map(formatError)).toEqual([]);
    expect(new Set(config?.checks.map((check) => check.kind))).toEqual(
      new Set(['http', 'tcp', 'tls', 'dns', 'redis', 'postgres', 'filesystem', 'ntp']),
    );
  });

  it('the chat cluster example is valid once its secrets are in the environment, and keeps them private', async () => {
    const env = { REDIS_PASSWORD: 'correct-horse-battery', DATABASE_URL: 'postgres://statuspost:s3cret-pw@db.chat.example.internal:5432/chat' };
    const { config, problems } = await loadConfig(`${repo}/examples/chat-cluster`, env);
    expect(problems.map(formatError)).toEqual([]);
    expect(config?.privateValues).toEqual(
      expect.arrayContaining([
        'correct-horse-battery',
        env.DATABASE_URL,
        'db.chat.example.internal',
        'redis.chat.example.internal',
        'https://chat.example.internal/health',
        'chat.example.internal',
        '/mnt/chat-share',
      ]),
    );
  });

  it('the chat cluster example names each secret it lacks', async () => {
    const { problems } = await loadConfig(`${repo}/examples/chat-cluster`, {});
    expect(problems.map((p) => p.message)).toEqual([
      'environment variable DATABASE_URL is not set',
      'environment variable REDIS_PASSWORD is not set',
    ]);
  });
});
