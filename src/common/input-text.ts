import { ValidateBy, type ValidationArguments } from 'class-validator';

/**
 * Rules for text that clients send, in one place:
 * - never, in any string argument or variable: NUL and the other C0 control characters except
 *   tab and line feed, DEL, the C1 controls (U+0080–U+009F), and the bidirectional embedding,
 *   override and isolate characters (U+202A–U+202E, U+2066–U+2069), which can make text read
 *   differently from what it holds ("Trojan Source"). PostgreSQL cannot even store NUL in text.
 * - names and titles (`SingleLineName`): additionally one line (no tab or line break) and not
 *   blank; stored trimmed.
 * Such text is refused (BAD_USER_INPUT naming the argument), never silently changed.
 */

const FORBIDDEN = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/u;
const LINE_BREAK_OR_TAB = /[\t\n\r\u2028\u2029]/u;

const describe = (ch: string): string => {
  const cp = ch.codePointAt(0)!;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  if (cp === 0) return `a NUL character (${hex})`;
  if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) return `a bidirectional control character (${hex})`;
  return `a control character (${hex})`;
};

/** Why `value` may not be sent as text, or null when it may. */
export function forbiddenTextReason(value: string): string | null {
  const m = FORBIDDEN.exec(value);
  return m ? `contains ${describe(m[0])}, which is not allowed in text` : null;
}

/** Why `value` is no acceptable name or title, or null when it is. */
export function singleLineNameReason(value: string): string | null {
  if (value.trim().length === 0) return 'must not be empty or only spaces';
  const m = LINE_BREAK_OR_TAB.exec(value);
  if (m) return `must be one line (it contains ${m[0] === '\t' ? 'a tab' : 'a line break'})`;
  return forbiddenTextReason(value);
}

/** The first string inside `value` (objects and lists walked) that breaks the text rules. */
export function findForbiddenText(value: unknown, path: string, depth = 0): { path: string; reason: string } | null {
  if (typeof value === 'string') {
    const reason = forbiddenTextReason(value);
    return reason ? { path, reason } : null;
  }
  if (value === null || typeof value !== 'object' || depth > 64) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findForbiddenText(value[i], `${path}[${i}]`, depth + 1);
      if (found) return found;
    }
    return null;
  }
  for (const [key, v] of Object.entries(value)) {
    const found = findForbiddenText(v, path ? `${path}.${key}` : key, depth + 1);
    if (found) return found;
  }
  return null;
}

/** Marks the class-validator constraint of `SingleLineName`, so a test can find every use. */
export const SINGLE_LINE_NAME = 'singleLineName';

/**
 * For names, titles and display names: one line, not blank, no control or bidirectional
 * characters. Refused with BAD_USER_INPUT naming the field ("title must not be empty or only
 * spaces"). Put it on every such input field (a test walks the schema for fields called name,
 * title, displayName or ...Name).
 */
export function SingleLineName(): PropertyDecorator {
  return ValidateBy({
    name: SINGLE_LINE_NAME,
    validator: {
      validate: (value: unknown) => typeof value !== 'string' || singleLineNameReason(value) === null,
      defaultMessage: (args?: ValidationArguments) =>
        `${args?.property ?? 'name'} ${typeof args?.value === 'string' ? singleLineNameReason(args.value) : 'must be text'}`,
    },
  });
}
