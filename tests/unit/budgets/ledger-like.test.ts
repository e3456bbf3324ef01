import 'reflect-metadata';
import { likeLiteral } from '../../../src/modules/budgets/ledger.service';

/** How LIKE (with its default escape, a backslash) reads a pattern: the regular expression it stands for. */
function likeRegExp(pattern: string): RegExp {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') out += pattern[++i].replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (c === '%') out += '.*';
    else if (c === '_') out += '.';
    else out += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`, 's');
}

describe('likeLiteral', () => {
  it.each(['100%_Media', 'PO_77', 'a\\b', '50%', '_', '%', '\\', '抖音 Douyin'])('makes %j match only itself', (text) => {
    const re = likeRegExp(likeLiteral(text));
    expect(re.test(text)).toBe(true);
    expect(re.test(`${text}x`)).toBe(false);
    expect(re.test(text.replace(/[%_\\]/g, 'x'))).toBe(text.replace(/[%_\\]/g, 'x') === text);
  });

  it('keeps the wildcards the ledger adds around it', () => {
    expect(likeRegExp(`%${likeLiteral('0%_m')}%`).test('100%_media')).toBe(true);
    expect(likeRegExp(`%${likeLiteral('0%_m')}%`).test('100xxmedia')).toBe(false);
  });
});
