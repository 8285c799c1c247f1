// A real SMTP server (smtp-server) on 127.0.0.1, port 0, that keeps every mail it accepts, parsed
// back with mailparser. Closed when the test that started it finishes.
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { onTestFinished } from 'vitest';

export interface ReceivedMail {
  mail: ParsedMail;
  session: { secure: boolean; user: string | undefined; from: string | undefined; to: string[] };
}

export interface TestSmtp {
  port: number;
  received: ReceivedMail[];
  /** Connections the server accepted (a pooled client reuses one). */
  connections: () => number;
  close(): Promise<void>;
}

type Reply = { code: number; text: string } | undefined;

export interface TestSmtpOptions {
  /** Plain (no STARTTLS offered) unless a key and certificate are given. */
  tls?: { key: string; cert: string; implicit?: boolean };
  /** user → password; with it, login is required. */
  users?: Record<string, string>;
  /** An error reply to RCPT TO for this address (e.g. 451 or 550). */
  rcptReply?: (address: string) => Reply;
  /** An error reply after the message data (e.g. 451 after reading it). */
  dataReply?: () => Reply;
}

const replyError = (reply: { code: number; text: string }) => Object.assign(new Error(reply.text), { responseCode: reply.code });

export async function startSmtp(options: TestSmtpOptions = {}): Promise<TestSmtp> {
  const received: ReceivedMail[] = [];
  let connections = 0;
  const config: SMTPServerOptions = {
    logger: false,
    ...(options.tls ? { key: options.tls.key, cert: options.tls.cert, secure: options.tls.implicit ?? false } : { disabledCommands: ['STARTTLS'] }),
    authOptional: options.users === undefined,
    // smtp-server refuses AUTH in clear unless told otherwise; the plain test logs in over loopback.
    allowInsecureAuth: true,
    onConnect(_session, callback) {
      connections += 1;
      callback();
    },
    onAuth(auth, _session, callback) {
      const users = options.users ?? {};
      if (auth.username !== undefined && users[auth.username] === auth.password) return callback(null, { user: auth.username });
      return callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, callback) {
      const reply = options.rcptReply?.(address.address);
      callback(reply ? replyError(reply) : undefined);
    },
    onData(stream, session: SMTPServerSession, callback) {
      simpleParser(stream)
        .then((mail) => {
          const reply = options.dataReply?.();
          if (reply) return callback(replyError(reply));
          received.push({
            mail,
            session: {
              secure: session.secure,
              user: session.user as string | undefined,
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
              to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
            },
          });
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  };
  const server = new SMTPServer(config);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  let closed = false;
  const close = () =>
    closed
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          closed = true;
          server.close(() => resolve());
        });
  onTestFinished(close);
  return { port, received, connections: () => connections, close };
}

/** A port on 127.0.0.1 where nothing listens (a server started, then closed). */
export async function closedPort(): Promise<number> {
  const server = new SMTPServer({ logger: false, disabledCommands: ['STARTTLS'] });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
