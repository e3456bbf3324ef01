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
  /** The session's id (`jti`). */
  sessionId: string;
  /** When the token was issued, in milliseconds. */
  issuedAtMs: number;
  expiresAt: Date;
}

/** How session tokens are signed and how long they may live (JWT_SECRET, JWT_TTL_SECONDS). */
export interface SessionSettings {
  jwtSecret: string;
  ttlSeconds: number;
}

/** How far ahead of this server's clock a token's issue time may be (another instance's clock). */
export const CLOCK_SKEW_SECONDS = 60;

const malformed = { error: 'The session token is malformed; sign in again' };

/**
 * Returns the user id and session claims, or a reason the token is refused. Signed by us, a
 * token is still refused unless it is what `signSession` makes: a user id, a session id, an
 * issue time that is not in the future (beyond CLOCK_SKEW_SECONDS) and an expiry at most
 * JWT_TTL_SECONDS after it. So a token signed by mistake (or with a leaked secret) cannot be one
 * that logOut cannot end, that outlives logOutEverywhere, or that never expires.
 */
export function verifySession(sessions: SessionSettings, token: string): VerifiedSession | { error: string } {
  let claims: jwt.JwtPayload;
  try {
    claims = jwt.verify(token, keyOf(sessions.jwtSecret), { algorithms: ['HS256'], issuer: 'plangraph' }) as jwt.JwtPayload;
  } catch (err) {
    if (err instanceof jwt.TokenExpiredError) return { error: 'The session token has expired; sign in again' };
    return { error: 'The session token is invalid; sign in again' };
  }
  if (typeof claims.exp !== 'number') return { error: 'The session token has no expiry; sign in again' };
  // A non-uuid would fail in SQL.
  if (typeof claims.sub !== 'string' || !UUID.test(claims.sub)) return malformed;
  if (typeof claims.jti !== 'string' || !UUID.test(claims.jti)) return malformed;
  if (typeof claims.iat !== 'number' || !Number.isFinite(claims.iat)) return malformed;
  if (claims.iat > Date.now() / 1000 + CLOCK_SKEW_SECONDS) {
    return { error: 'The session token was issued in the future; check the server clocks, or sign in again' };
  }
  if (claims.exp - claims.iat > sessions.ttlSeconds) {
    return { error: 'The session token lives longer than sessions may; sign in again' };
  }
  return {
    userId: claims.sub.toLowerCase(),
    sessionId: claims.jti.toLowerCase(),
    issuedAtMs: Math.round(claims.iat * 1000),
    expiresAt: new Date(claims.exp * 1000),
  };
}
