import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

/**
 * A server logger whose lines a test reads: what the server logged at `level` and above (as JSON
 * lines), e.g. to see a deadlock that a transaction's retry hid from the client.
 */
export function capturedLogger(level: pino.Level = 'warn'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino({ level }, sink), lines };
}
