import { getMetadataStorage as validationMetadata } from 'class-validator';
import { getNamedType, isInputObjectType, GraphQLString } from 'graphql';
import { getMetadataStorage } from 'type-graphql';
import { SINGLE_LINE_NAME, singleLineNameReason, forbiddenTextReason } from '../../../src/common/input-text';
import { buildAppSchema } from '../../../src/server/schema';

/** Names and titles are one line and never blank: every such input field carries @SingleLineName(). */
describe('name and title inputs', () => {
  it('all carry @SingleLineName()', async () => {
    const schema = await buildAppSchema();
    const storage = getMetadataStorage();
    const missing: string[] = [];
    let checked = 0;
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isInputObjectType(type) || type.name.startsWith('__')) continue;
      const target = storage.inputTypes.find((t) => t.name === type.name)?.target;
      for (const field of Object.values(type.getFields())) {
        if (!/^(name|title|displayName)$|Name$/.test(field.name) || getNamedType(field.type) !== GraphQLString) continue;
        checked++;
        const declared = validationMetadata()
          .getTargetValidationMetadatas(target as Function, '', true, false)
          .some((m) => m.propertyName === field.name && m.name === SINGLE_LINE_NAME);
        if (!declared) missing.push(`${type.name}.${field.name}`);
      }
    }
    expect(checked).toBeGreaterThan(5);
    expect(missing).toEqual([]);
  });
});

describe('text rules', () => {
  it.each([
    ['  ', 'must not be empty or only spaces'],
    ['\u3000', 'must not be empty or only spaces'], // ideographic space
    ['a\nb', 'one line'],
    ['a\tb', 'one line'],
    ['a\u0000b', 'NUL'],
    ['\u202Eevil', 'bidirectional'],
    ['a\u0085b', 'control'],
  ])('refuse %j as a name', (value, reason) => {
    expect(singleLineNameReason(value)).toContain(reason);
  });

  it('accept Chinese, emoji, joiners and ordinary punctuation', () => {
    for (const ok of ['提升用户创作活跃度', '👩‍💻 Team', 'A/B — “test”', 'مرحبا', 'x\u200Dy']) {
      expect(singleLineNameReason(ok)).toBeNull();
    }
    expect(forbiddenTextReason('line one\nline two\twith tab')).toBeNull();
    expect(forbiddenTextReason('bell\u0007')).toContain('U+0007');
    expect(forbiddenTextReason('cr\r')).toContain('U+000D');
    expect(forbiddenTextReason('isolate \u2066x\u2069')).toContain('U+2066');
  });
});
