import type { DataSource } from 'typeorm';
import { outsideStatementScope } from '../../common/statement-scope';

/** How long API-token use waits in memory before it is written. */
export const TOKEN_USAGE_FLUSH_MS = 5_000;

/**
 * Records API tokens' `last_used_at` off the request path: authentication only notes the id,
 * and one UPDATE every few seconds writes every token used since. A crash loses at most that
 * many seconds of "last used" times, never a request.
 */
class TokenUsage {
  private readonly pending = new Set<string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly ds: DataSource) {}

  note(tokenId: string): void {
    this.pending.add(tokenId);
    // Armed outside the request's scope, so the write is counted against no request.
    this.timer ??= outsideStatementScope(() => setTimeout(() => void this.flush(), TOKEN_USAGE_FLUSH_MS).unref());
  }

  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.pending.size || !this.ds.isInitialized) return;
    const ids = [...this.pending];
    this.pending.clear();
    await outsideStatementScope(() =>
      this.ds.query(`UPDATE api_tokens SET last_used_at = now() WHERE id = ANY($1::uuid[])`, [ids]).catch(() => undefined),
    );
  }
}

const usage = new WeakMap<DataSource, TokenUsage>();

function usageOf(ds: DataSource): TokenUsage {
  let u = usage.get(ds);
  if (!u) {
    u = new TokenUsage(ds);
    usage.set(ds, u);
  }
  return u;
}

/** Notes that an API token was used; written within TOKEN_USAGE_FLUSH_MS. */
export function noteTokenUse(ds: DataSource, tokenId: string): void {
  usageOf(ds).note(tokenId);
}

/** Writes the noted uses now (on shutdown, and in tests). */
export function flushTokenUsage(ds: DataSource): Promise<void> {
  return usageOf(ds).flush();
}
