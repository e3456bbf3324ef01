import crypto from 'node:crypto';

/**
 * High-entropy secrets (invitation and API tokens): 32 random bytes, stored only as a SHA-256
 * hash. A fast hash is right here because the secret cannot be guessed; passwords use argon2id.
 */
export function newSecret(prefix: string): { secret: string; hash: string } {
  const secret = `${prefix}_${crypto.randomBytes(32).toString('base64url')}`;
  return { secret, hash: hashSecret(secret) };
}

export function hashSecret(secret: string): string {
  return crypto.createHash('sha256').update(secret, 'utf8').digest('hex');
}
