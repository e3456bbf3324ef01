import crypto from 'node:crypto';
import type { Context } from './context';
import { badInput } from './errors';

/**
 * Keyset cursors that the server reads back only from itself, and only for the list that made
 * them: a cursor holds the sort-key values of a row, a tag naming its list and a MAC
 * (HMAC-SHA256, cut to 12 bytes) made with a key derived from the server's secret (JWT_SECRET,
 * through HKDF, so the two uses never share a key). Every instance with the same secret reads
 * the others' cursors; a cursor of another list, an edited one (a changed timestamp) or one made
 * with another secret is BAD_USER_INPUT naming the argument.
 *
 * Layout, then base64url (a created_at and an id: 43 bytes, 58 characters):
 *   version (1 byte, 1) · list tag (4 bytes of SHA-256 of the list's name) · values · MAC (12 bytes)
 * and each value a type byte and its bytes: `T` a timestamp (int64 milliseconds, read back as an
 * ISO string), `D` a date (int32 days since 1970-01-01, read back as YYYY-MM-DD), `U` a uuid
 * (16 bytes), `I` an int32, `S` any other string (uint16 length, UTF-8).
 */
export interface ListCursors {
  encode(values: readonly unknown[]): string;
  /**
   * The values of `cursor` when this server made it for this list and `accept` takes them;
   * otherwise BAD_USER_INPUT naming `field` (`after`, `before`).
   */
  decode(cursor: string, field: string, accept: (values: unknown[]) => boolean): unknown[];
}

const VERSION = 1;
const TAG_BYTES = 4;
const MAC_BYTES = 12;
/** Longer text cannot be a cursor (a cursor of five keys is about 100 characters). */
const MAX_CURSOR_CHARS = 512;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

export const isCursorUuid = (v: unknown): v is string => typeof v === 'string' && UUID.test(v);

const keys = new Map<string, Buffer>();
function keyFor(secret: string): Buffer {
  let key = keys.get(secret);
  if (!key) {
    key = Buffer.from(crypto.hkdfSync('sha256', secret, Buffer.alloc(0), 'plangraph cursors', 32));
    keys.set(secret, key);
  }
  return key;
}

const tags = new Map<string, Buffer>();
function tagOf(list: string): Buffer {
  let tag = tags.get(list);
  if (!tag) {
    tag = crypto.createHash('sha256').update(list, 'utf8').digest().subarray(0, TAG_BYTES);
    tags.set(list, tag);
  }
  return tag;
}

const mac = (key: Buffer, body: Buffer) => crypto.createHmac('sha256', key).update(body).digest().subarray(0, MAC_BYTES);

/** A calendar date as its day number, or null when `v` is not one. */
function dayOf(v: string): number | null {
  const m = DATE.exec(v);
  if (!m) return null;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(ms).toISOString().slice(0, 10) === v ? ms / DAY_MS : null;
}

function encodeValue(v: unknown): Buffer {
  if (v instanceof Date) {
    const ms = v.getTime();
    if (!Number.isFinite(ms)) throw new Error('cursor value: invalid date');
    const b = Buffer.alloc(9);
    b.write('T', 0, 'latin1');
    b.writeBigInt64BE(BigInt(ms), 1);
    return b;
  }
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) throw new Error(`cursor value: ${v} is not an int32`);
    const b = Buffer.alloc(5);
    b.write('I', 0, 'latin1');
    b.writeInt32BE(v, 1);
    return b;
  }
  if (typeof v === 'string') {
    if (UUID.test(v)) return Buffer.concat([Buffer.from('U', 'latin1'), Buffer.from(v.replace(/-/g, ''), 'hex')]);
    const day = dayOf(v);
    if (day !== null) {
      const b = Buffer.alloc(5);
      b.write('D', 0, 'latin1');
      b.writeInt32BE(day, 1);
      return b;
    }
    const text = Buffer.from(v, 'utf8');
    if (text.length > 0xffff) throw new Error('cursor value: string too long');
    const b = Buffer.alloc(3);
    b.write('S', 0, 'latin1');
    b.writeUInt16BE(text.length, 1);
    return Buffer.concat([b, text]);
  }
  // A sort key must be NOT NULL and one of the types above (see SortKey).
  throw new Error(`cursor value of type ${v === null ? 'null' : typeof v} cannot be encoded`);
}

/** The values in `body` from `offset`, or null when the bytes are not a list of values. */
function decodeValues(body: Buffer, offset: number): unknown[] | null {
  const values: unknown[] = [];
  let i = offset;
  const need = (n: number) => i + n <= body.length;
  while (i < body.length) {
    const type = String.fromCharCode(body[i++]);
    if (type === 'T' && need(8)) {
      const ms = Number(body.readBigInt64BE(i));
      i += 8;
      const d = new Date(ms);
      if (Number.isNaN(d.getTime())) return null;
      values.push(d.toISOString());
    } else if (type === 'D' && need(4)) {
      values.push(new Date(body.readInt32BE(i) * DAY_MS).toISOString().slice(0, 10));
      i += 4;
    } else if (type === 'U' && need(16)) {
      const hex = body.subarray(i, i + 16).toString('hex');
      values.push(`${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`);
      i += 16;
    } else if (type === 'I' && need(4)) {
      values.push(body.readInt32BE(i));
      i += 4;
    } else if (type === 'S' && need(2) && i + 2 + body.readUInt16BE(i) <= body.length) {
      const n = body.readUInt16BE(i);
      values.push(body.subarray(i + 2, i + 2 + n).toString('utf8'));
      i += 2 + n;
    } else {
      return null;
    }
  }
  return values;
}

const refuse = (field: string, why: string) =>
  badInput(`${field}: this cursor ${why}: pass a cursor that this list returned (pageInfo.endCursor, edges.cursor)`, field);

/**
 * The cursors of one list (`list` names it: the GraphQL field, e.g. `Query.kpis`, or the nested
 * connection's name), signed with the key of the request's server secret.
 */
export function listCursors(ctx: Pick<Context, 'sessions'>, list: string): ListCursors {
  const key = keyFor(ctx.sessions.jwtSecret);
  const tag = tagOf(list);
  return {
    encode(values) {
      const body = Buffer.concat([Buffer.from([VERSION]), tag, ...values.map(encodeValue)]);
      return Buffer.concat([body, mac(key, body)]).toString('base64url');
    },
    decode(cursor, field, accept) {
      if (typeof cursor !== 'string' || cursor.length > MAX_CURSOR_CHARS || !/^[A-Za-z0-9_-]+$/.test(cursor)) {
        throw refuse(field, 'is not valid');
      }
      const bytes = Buffer.from(cursor, 'base64url');
      // Exactly what encode() would give back (no padding or spare bits a client may vary).
      if (bytes.length < 1 + TAG_BYTES + MAC_BYTES || bytes.toString('base64url') !== cursor || bytes[0] !== VERSION) {
        throw refuse(field, 'is not valid');
      }
      const body = bytes.subarray(0, bytes.length - MAC_BYTES);
      if (!crypto.timingSafeEqual(mac(key, body), bytes.subarray(bytes.length - MAC_BYTES))) throw refuse(field, 'is not valid');
      // Made by this server: for this list?
      if (!body.subarray(1, 1 + TAG_BYTES).equals(tag)) throw refuse(field, 'belongs to another list');
      const values = decodeValues(body, 1 + TAG_BYTES);
      if (!values || !accept(values)) throw refuse(field, 'is not valid');
      return values;
    },
  };
}
