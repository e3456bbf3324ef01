import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import type { Config } from '../../config';

/**
 * Session tokens are signed JWTs (HS256) with an expiry. The secret is JWT_SECRET, or in
 * development/test a random secret generated once and kept in the data dir.
 */
export function resolveJwtSecret(config: Config): string {
  if (config.jwtSecret) return config.jwtSecret;
  const file = path.join(config.dataDir, 'jwt-secret');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    const secret = crypto.randomBytes(48).toString('base64url');
    fs.mkdirSync(config.dataDir, { recursive: true });
    try {
      fs.writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      // Another process wrote it first: use theirs.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    return fs.readFileSync(file, 'utf8').trim();
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface SessionClaims {
  sub: string;
}

/**
 * The secret as a KeyObject, created once per secret: given a string, jsonwebtoken tries
 * `createPublicKey` (which throws) and then `createSecretKey` on every call.
 */
const keys = new Map<string, crypto.KeyObject>();
function keyOf(secret: string): crypto.KeyObject {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.createSecretKey(Buffer.from(secret, 'utf8'));
    keys.set(secret, key);
  }
  return key;
}

/**
 * `jti` names the session (logOut revokes it); `iat` carries milliseconds (a JWT NumericDate may
 * be fractional) so that a "valid after" instant set by logOutEverywhere or changePassword
 * separates the tokens issued before it from the one issued right after it. `issuedAt` lets the
 * caller align a fresh token with such an instant.
 */
export function signSession(secret: string, userId: string, ttlSeconds: number, issuedAt: Date = new Date()): string {
  const iat = issuedAt.getTime() / 1000;
  return jwt.sign({ iat, exp: Math.floor(iat) + ttlSeconds }, keyOf(secret), {
    algorithm: 'HS256',
    subject: userId,
    issuer: 'plangraph',
    jwtid: crypto.randomUUID(),
  });
}

export interface VerifiedSession {
  userId: string;
  /** The session's id (`jti`); null for tokens issued before sessions had one. */
  sessionId: string | null;
  /** When the token was issued, in milliseconds (0 when unknown). */
  issuedAtMs: number;
  expiresAt: Date | null;
}

/** Returns the user id and session claims, or a reason the token is refused. */
export function verifySession(secret: string, token: string): VerifiedSession | { error: string } {
  try {
    const claims = jwt.verify(token, keyOf(secret), { algorithms: ['HS256'], issuer: 'plangraph' }) as jwt.JwtPayload;
    // Signed by us, yet refused unless it is what signSession makes: a session that never
    // expires, or names no user id, is not one (and a non-uuid would fail in SQL).
    if (typeof claims.exp !== 'number') return { error: 'The session token has no expiry; sign in again' };
    if (typeof claims.sub !== 'string' || !UUID.test(claims.sub)) {
      return { error: 'The session token is malformed; sign in again' };
    }
    return {
      userId: claims.sub.toLowerCase(),
      sessionId: typeof claims.jti === 'string' && UUID.test(claims.jti) ? claims.jti : null,
      issuedAtMs: typeof claims.iat === 'number' && Number.isFinite(claims.iat) ? Math.round(claims.iat * 1000) : 0,
      expiresAt: new Date(claims.exp * 1000),
    };
  } catch (err) {
    if (err instanceof jwt.TokenExpiredError) return { error: 'The session token has expired; sign in again' };
    return { error: 'The session token is invalid; sign in again' };
  }
}
