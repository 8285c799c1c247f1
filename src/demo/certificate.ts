// The demo balancer's certificate: self-signed for localhost and 127.0.0.1, made with the openssl CLI
// (Node has no API to issue X.509 certificates). Valid for 60 days, so the tls check shows a real count.
import { execFile } from 'node:child_process';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface DemoCertificate {
  certPath: string;
  key: string;
  cert: string;
}

export async function makeDemoCertificate(dir: string, days = 60): Promise<DemoCertificate> {
  await mkdir(dir, { recursive: true });
  const keyPath = join(dir, 'balancer.key');
  const certPath = join(dir, 'balancer.crt');
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-days', String(days), '-subj', '/CN=chat.example.test',
    '-addext', 'subjectAltName=DNS:localhost,DNS:chat.example.test,IP:127.0.0.1',
    '-keyout', keyPath, '-out', certPath,
  ]);
  return { certPath, key: await readFile(keyPath, 'utf8'), cert: await readFile(certPath, 'utf8') };
}
