import { SMTPServer } from 'smtp-server';
import { tokenOf } from './mailbox';

export interface SunkMail {
  from: string;
  to: string[];
  subject: string;
  messageId: string;
  text: string;
  token: string | null;
}

export interface SmtpSink {
  port: number;
  url: string;
  messages: SunkMail[];
  /** Resolves with the mails to `to` once at least `count` arrived (waits up to timeoutMs). */
  waitFor(to: string, count?: number, timeoutMs?: number): Promise<SunkMail[]>;
  stop(): Promise<void>;
}

function header(raw: string, name: string): string {
  const m = new RegExp(`^${name}:\\s*(.*(?:\\r\\n[ \\t].*)*)`, 'im').exec(raw);
  return m ? m[1].replace(/\r\n[ \t]/g, ' ').trim() : '';
}

/** The text part as a reader sees it (quoted-printable or base64 transfer encoding undone). */
function bodyOf(raw: string): string {
  const [head, ...rest] = raw.split('\r\n\r\n');
  const body = rest.join('\r\n\r\n');
  const encoding = header(head, 'Content-Transfer-Encoding').toLowerCase();
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding === 'quoted-printable') {
    const bytes = body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h: string) => `%${h}`);
    return decodeURIComponent(bytes);
  }
  return body;
}

/** An SMTP server in the test process (smtp-server) that keeps every mail it receives. */
export async function startSmtpSink(port = 0): Promise<SmtpSink> {
  const messages: SunkMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const text = bodyOf(raw);
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          subject: header(raw, 'Subject'),
          messageId: header(raw, 'Message-ID'),
          text,
          token: tokenOf(text),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.server.address() as { port: number }).port;
  return {
    port: actual,
    url: `smtp://127.0.0.1:${actual}`,
    messages,
    async waitFor(to, count = 1, timeoutMs = 10_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const got = messages.filter((m) => m.to.includes(to));
        if (got.length >= count) return got;
        if (Date.now() > end) throw new Error(`expected ${count} mail(s) to ${to}, got ${got.length}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
