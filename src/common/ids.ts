import { badInput } from './errors';

/**
 * Opaque Relay global ids: base64url("<Type>:<uuid>"). Clients must treat them as opaque;
 * the server decodes them to route `node(id:)` and to check that an id names the expected type.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function toGlobalId(type: string, id: string): string {
  return Buffer.from(`${type}:${id}`, 'utf8').toString('base64url');
}

export function decodeGlobalId(globalId: string): { type: string; id: string } | null {
  if (typeof globalId !== 'string' || globalId.length > 200) return null;
  const raw = Buffer.from(globalId, 'base64url').toString('utf8');
  const sep = raw.indexOf(':');
  if (sep <= 0) return null;
  const type = raw.slice(0, sep);
  const id = raw.slice(sep + 1);
  if (!/^[A-Za-z]+$/.test(type) || !UUID.test(id)) return null;
  return { type, id: id.toLowerCase() };
}

/** Decodes an id that must name a `type`; a malformed id or one of another type is BAD_USER_INPUT. */
export function fromGlobalId(globalId: string, type: string, field = 'id'): string {
  const decoded = decodeGlobalId(globalId);
  if (!decoded || decoded.type !== type) {
    throw badInput(`${field} is not a valid ${type} id`, field);
  }
  return decoded.id;
}
