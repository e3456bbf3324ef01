import crypto from 'node:crypto';
import { domainToASCII } from 'node:url';

/**
 * Organisation slugs: the short name usable in the X-Organization-Id header. Pure rules (no ORM,
 * no GraphQL), unit-tested in tests/unit/identity/slugs.test.ts.
 *
 * A slug is 3 to 40 characters of a-z, 0-9 and hyphens, starts and ends with a letter or digit,
 * and does not look like a UUID (the header also takes ids). Unique across organisations.
 */
export const SLUG_MIN = 3;
export const SLUG_MAX = 40;
const SLUG = /^[a-z0-9][a-z0-9-]*[a-z0-9]$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Why `slug` cannot be a slug, as a sentence about the field; null when it can. */
export function slugProblem(slug: string): string | null {
  if (slug.length < SLUG_MIN || slug.length > SLUG_MAX) return `slug must be ${SLUG_MIN} to ${SLUG_MAX} characters`;
  if (/[A-Z]/.test(slug) && !/[^A-Za-z0-9-]/.test(slug)) {
    return `slug must be lower-case (for example "${slug.toLowerCase()}")`;
  }
  if (/[^a-z0-9-]/.test(slug)) return 'slug may hold only the letters a-z, digits and hyphens';
  if (!SLUG.test(slug)) return 'slug must start and end with a letter or digit';
  if (UUID.test(slug)) return 'slug must not look like an id (a UUID)';
  return null;
}

const trimHyphens = (s: string) => s.replace(/^-+|-+$/g, '');

function fit(s: string, max = SLUG_MAX): string {
  return trimHyphens(trimHyphens(s).slice(0, max));
}

/** The name's Latin letters and digits: "Growth Team (北京)" → "growth-team". */
function latinWords(name: string): string {
  return fit(
    name
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-'),
  );
}

/** Each run of letters and digits in its IDNA form (punycode): "内容平台运营部" → "xn--v6qu2d24k11cvs2ebwobzb". */
function idnaWords(name: string): string {
  const runs = name.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}\p{M}]+/gu) ?? [];
  // ASCII runs stay as they are (domainToASCII would read "2026" as an IPv4 address).
  const labels = runs.map((run) => (/^[a-z0-9]+$/.test(run) ? run : domainToASCII(run)));
  return fit(labels.filter((label) => /^[a-z0-9-]+$/.test(label)).join('-'));
}

/**
 * The slug an organisation named `name` is offered first (before uniqueness): its Latin words
 * when they hold at least three letters, else every word in its IDNA (punycode) form, which
 * keeps a Chinese, Japanese, Korean, Arabic... name distinct and readable back as Unicode. Null
 * when neither gives a valid slug (e.g. a name of punctuation only).
 */
export function slugFromName(name: string): string | null {
  const latin = latinWords(name);
  if ((latin.match(/[a-z]/g)?.length ?? 0) >= SLUG_MIN && !slugProblem(latin)) return latin;
  const idna = idnaWords(name);
  if (!slugProblem(idna)) return idna;
  return !slugProblem(latin) ? latin : null;
}

/**
 * The slugs to try, in order, for an organisation named `name`: the one from its name, then the
 * same with a random suffix (`…-3f9a1c`), or `org-` and a random suffix when the name gives none.
 */
export function* slugCandidates(name: string, random = () => crypto.randomBytes(3).toString('hex')): Generator<string> {
  const base = slugFromName(name);
  if (base) yield base;
  for (;;) yield `${fit(base ?? 'org', SLUG_MAX - 7)}-${random()}`;
}
