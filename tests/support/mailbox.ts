import { Client } from 'pg';
import type { DataSource } from 'typeorm';

export interface ReceivedMail {
  to: string;
  subject: string;
  text: string;
  kind: string;
  /** The `token` parameter of the first link in the mail, if any. */
  token: string | null;
}

type Query = (sql: string, params: unknown[]) => Promise<Array<{ to_address: string; subject: string; body: string; kind: string }>>;

export function tokenOf(text: string): string | null {
  const m = /[?&]token=([A-Za-z0-9_-]+)/.exec(text);
  return m ? decodeURIComponent(m[1]) : null;
}

async function poll(query: Query, to: string, kind?: string, timeoutMs = 5000): Promise<ReceivedMail> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const rows = await query(
      `SELECT to_address, subject, body, kind FROM mail_outbox
        WHERE to_address = $1 AND ($2::text IS NULL OR kind = $2) AND body IS NOT NULL
        ORDER BY created_at DESC, id DESC LIMIT 1`,
      [to.toLowerCase(), kind ?? null],
    );
    if (rows[0]) {
      const r = rows[0];
      return { to: r.to_address, subject: r.subject, text: r.body, kind: r.kind, token: tokenOf(r.body) };
    }
    if (Date.now() > end) throw new Error(`no mail${kind ? ` of kind ${kind}` : ''} for ${to} in the outbox`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The newest mail queued for `to`, from the outbox (the mail as the sender delivers it). */
export function readMail(ds: DataSource, to: string, kind?: string): Promise<ReceivedMail> {
  return poll((sql, params) => ds.query(sql, params), to, kind);
}

export async function readMailAt(databaseUrl: string, to: string, kind?: string): Promise<ReceivedMail> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await poll(async (sql, params) => (await client.query(sql, params)).rows, to, kind);
  } finally {
    await client.end();
  }
}
