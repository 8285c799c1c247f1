// Throwaway certificates for TLS tests, made with the openssl CLI. `openssl req -x509` (OpenSSL 3.0)
// cannot backdate, so every certificate is issued by `openssl ca`, whose -startdate/-enddate take any
// past or future instant: expired and not-yet-valid certificates come out as easily as valid ones.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requireProgram } from './services.ts';
import { tempDir } from './temp.ts';

export interface TestCertificate {
  key: string;
  cert: string;
  caCert: string;
  caPath: string;
  certPath: string;
  keyPath: string;
}

interface CertificateOptions {
  commonName?: string;
  altNames?: string[];
  notBefore?: Date;
  notAfter?: Date;
  /** The leaf signs itself; then `caCert`/`caPath` hold the leaf itself (trusting it is trusting the leaf). */
  selfSigned?: boolean;
}

const DAY_MS = 86_400_000;

/** A throwaway CA and a leaf certificate signed by it, in a temp folder removed when the test finishes. */
export async function makeCertificate(opts: CertificateOptions = {}): Promise<TestCertificate> {
  const openssl = await requireProgram('openssl');
  if (!openssl) throw new Error('openssl is not installed; guard the test with requireProgram("openssl")');
  const now = Date.now();
  const notBefore = opts.notBefore ?? new Date(now - DAY_MS);
  const notAfter = opts.notAfter ?? new Date(now + 90 * DAY_MS);
  const altNames = opts.altNames ?? ['DNS:localhost', 'IP:127.0.0.1'];

  const dir = await tempDir('statuspost-certs-');
  await mkdir(join(dir, 'issued'));
  await writeFile(join(dir, 'index.txt'), '');
  await writeFile(join(dir, 'serial'), `${randomBytes(16).toString('hex')}\n`);
  await writeFile(join(dir, 'openssl.cnf'), opensslConfig(dir, altNames));
  const run = (...args: string[]) => runOpenssl(openssl, dir, args);
  const path = (name: string) => join(dir, name);
  const newKey = (file: string) => run('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path(file));
  const request = (keyFile: string, commonName: string, csrFile: string) =>
    run('req', '-new', '-config', path('openssl.cnf'), '-key', path(keyFile), '-subj', subject(commonName), '-out', path(csrFile));
  const issue = (csrFile: string, from: Date, until: Date, outFile: string, ...signer: string[]) =>
    run('ca', '-config', path('openssl.cnf'), '-batch', '-notext', '-in', path(csrFile), ...signer,
      '-startdate', asn1Time(from), '-enddate', asn1Time(until), '-out', path(outFile));

  await newKey('key.pem');
  await request('key.pem', opts.commonName ?? 'localhost', 'leaf.csr');
  if (opts.selfSigned) {
    await issue('leaf.csr', notBefore, notAfter, 'cert.pem', '-selfsign', '-keyfile', path('key.pem'), '-extensions', 'self_signed_leaf');
    await writeFile(path('ca.pem'), await readFile(path('cert.pem')));
  } else {
    await newKey('ca.key');
    // A unique CA name: two test CAs with one name would make OpenSSL report a bad signature, not an unknown issuer.
    await request('ca.key', `statuspost test CA ${randomBytes(4).toString('hex')}`, 'ca.csr');
    // The CA is valid well around the leaf's window, so only the leaf's own dates decide the verdict.
    const caFrom = new Date(Math.min(notBefore.getTime(), now) - 2 * DAY_MS);
    const caUntil = new Date(Math.max(notAfter.getTime(), now) + 365 * DAY_MS);
    await issue('ca.csr', caFrom, caUntil, 'ca.pem', '-selfsign', '-keyfile', path('ca.key'), '-extensions', 'test_ca');
    await issue('leaf.csr', notBefore, notAfter, 'cert.pem', '-cert', path('ca.pem'), '-keyfile', path('ca.key'), '-extensions', 'leaf');
  }

  return {
    key: await readFile(path('key.pem'), 'utf8'),
    cert: await readFile(path('cert.pem'), 'utf8'),
    caCert: await readFile(path('ca.pem'), 'utf8'),
    caPath: path('ca.pem'),
    certPath: path('cert.pem'),
    keyPath: path('key.pem'),
  };
}

/** GeneralizedTime, which `openssl ca` accepts for any year (UTCTime stops at 2049). */
function asn1Time(date: Date): string {
  return `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

function subject(commonName: string): string {
  return `/CN=${commonName.replace(/[\\/]/g, '\\$&')}`;
}

function opensslConfig(dir: string, altNames: string[]): string {
  const san = altNames.length > 0 ? `subjectAltName = ${altNames.join(',')}` : '';
  return `
[ ca ]
default_ca = throwaway
[ throwaway ]
database = ${join(dir, 'index.txt')}
new_certs_dir = ${join(dir, 'issued')}
serial = ${join(dir, 'serial')}
default_md = sha256
policy = any_name
unique_subject = no
copy_extensions = none
[ any_name ]
commonName = supplied
[ req ]
distinguished_name = empty_dn
[ empty_dn ]
[ test_ca ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ leaf ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
${san}
[ self_signed_leaf ]
basicConstraints = critical,CA:FALSE
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
${san}
`;
}

function runOpenssl(openssl: string, cwd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(openssl, args, { cwd }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`openssl ${args[0]} failed: ${stderr.trim() || error.message}`, { cause: error }));
      else resolve();
    });
  });
}
