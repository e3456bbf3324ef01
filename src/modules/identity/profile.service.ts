import type { Context } from '../../common/context';
import { badInput } from '../../common/errors';
import { withTransaction } from '../../db/transaction';
import { recordUserChange } from './user-audit';
import { User } from './user.entity';

/** A BCP 47 language tag in its canonical form (`zh-cn` → `zh-CN`), or BAD_USER_INPUT. */
function canonicalLocale(tag: string): string {
  let canonical: string[] = [];
  try {
    canonical = Intl.getCanonicalLocales(tag.trim());
  } catch {
    // RangeError: not a well-formed tag.
  }
  if (canonical.length !== 1) throw badInput('locale must be a language tag such as zh-CN, zh-Hant-TW or en', 'locale');
  return canonical[0];
}

export interface UpdateProfileArgs {
  displayName?: string | null;
  /** Null clears it; omitted keeps it. */
  locale?: string | null;
}

/** Changes the caller's display name and preferred locale, recorded in each of their organisations. */
export async function updateProfile(ctx: Context, input: UpdateProfileArgs) {
  const changes: Partial<Pick<User, 'displayName' | 'locale'>> = {};
  if (input.displayName != null) changes.displayName = input.displayName.trim();
  if (input.locale !== undefined) changes.locale = input.locale === null ? null : canonicalLocale(input.locale);
  if (Object.keys(changes).length === 0) throw badInput('Send a new displayName, a locale, or both', 'displayName');
  const userId = ctx.viewer!.userId;
  return withTransaction(ctx, async (tx) => {
    // The user's row: users belong to no organisation, so not `lockById`'s case.
    const before = await tx.manager.findOneOrFail(User, { where: { id: userId }, lock: { mode: 'pessimistic_write' } });
    await tx.manager.update(User, { id: userId }, changes);
    const user = await tx.manager.findOneByOrFail(User, { id: userId });
    await recordUserChange(tx, userId, {
      action: 'user.profile_updated',
      before: { displayName: before.displayName, locale: before.locale },
      after: { displayName: user.displayName, locale: user.locale },
    });
    return { user };
  });
}
