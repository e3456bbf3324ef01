import { domainToUnicode } from 'node:url';
import { slugCandidates, slugFromName, slugProblem } from '../../../src/modules/identity/slugs';

describe('slugFromName', () => {
  it.each([
    ['Content Platform Ops', 'content-platform-ops'],
    ['测试组织 Test Org', 'test-org'],
    ['Café Crème', 'cafe-creme'],
    ['内容平台运营部', 'xn--v6qu2d24k11cvs2ebwobzb'],
    ['运营部 2026', 'xn--5r1ax2vbya-2026'],
    ['A组', 'xn--a-e16c'],
    ['한국어 팀', 'xn--3e0bk47br7k-xn--x87b'],
  ])('%s → %s', (name, slug) => {
    expect(slugFromName(name)).toBe(slug);
  });

  it('gives Chinese names a slug of their own that reads back as the name', () => {
    const names = ['内容平台运营部', '财务部', '超级品牌日', '用户增长飞轮小组'];
    const slugs = names.map(slugFromName);
    expect(new Set(slugs).size).toBe(names.length);
    for (const [i, slug] of slugs.entries()) {
      expect(slugProblem(slug!)).toBeNull();
      expect(slug).not.toBe('org');
      expect(domainToUnicode(slug!)).toBe(names[i]);
    }
  });

  it('keeps a long name within 40 characters, ending on a letter or digit', () => {
    for (const name of ['增长'.repeat(50), 'growth team '.repeat(20), `${'a'.repeat(39)}-b`]) {
      const slug = slugFromName(name)!;
      expect(slug.length).toBeLessThanOrEqual(40);
      expect(slugProblem(slug)).toBeNull();
    }
  });

  it('gives none for a name without letters or digits', () => {
    expect(slugFromName('!!! ???')).toBeNull();
    expect(slugFromName('…')).toBeNull();
  });
});

describe('slugCandidates', () => {
  it('offers the name first, then the name with a suffix; org-<suffix> when the name gives nothing', () => {
    let n = 0;
    const random = () => `00000${n++}`;
    const fromName = slugCandidates('Growth', random);
    expect([fromName.next().value, fromName.next().value, fromName.next().value]).toEqual(['growth', 'growth-000000', 'growth-000001']);
    const none = slugCandidates('!!!', random);
    expect(none.next().value).toBe('org-000002');
    const long = slugCandidates('x'.repeat(60), random);
    long.next();
    const suffixed = long.next().value as string;
    expect(suffixed.length).toBe(40);
    expect(slugProblem(suffixed)).toBeNull();
  });
});

describe('slugProblem', () => {
  it.each([
    ['ops', null],
    ['growth-2026', null],
    ['xn--v6qu2d24k11cvs2ebwobzb', null],
    ['ab', 'slug must be 3 to 40 characters'],
    ['a'.repeat(41), 'slug must be 3 to 40 characters'],
    ['Growth', 'slug must be lower-case (for example "growth")'],
    ['增长团队', 'slug may hold only the letters a-z, digits and hyphens'],
    ['growth team', 'slug may hold only the letters a-z, digits and hyphens'],
    ['-growth', 'slug must start and end with a letter or digit'],
    ['growth-', 'slug must start and end with a letter or digit'],
    ['0b9f3c2e-1d4a-4e8b-9c7d-2a1b3c4d5e6f', 'slug must not look like an id (a UUID)'],
  ])('%s', (slug, problem) => {
    expect(slugProblem(slug)).toBe(problem);
  });
});
