import Decimal from 'decimal.js';
import { requestFingerprint } from '../../../src/common/idempotency';

describe('requestFingerprint', () => {
  const base = { objectiveId: 'T2JqOjE', title: '转化率', targetValue: new Decimal('20'), ownerId: null, idempotencyKey: 'k1' };

  it('is the same for a faithful retry: field order, null or omitted, equal decimals, the key itself', () => {
    const fp = requestFingerprint('createKeyResult', base);
    expect(requestFingerprint('createKeyResult', { title: '转化率', targetValue: new Decimal('2e1'), objectiveId: 'T2JqOjE' })).toBe(fp);
    expect(requestFingerprint('createKeyResult', { ...base, targetValue: new Decimal('20.000'), idempotencyKey: 'k2' })).toBe(fp);
    expect(requestFingerprint('x', { at: new Date('2026-05-01T00:00:00Z') })).toBe(requestFingerprint('x', { at: new Date('2026-05-01T00:00:00.000Z') }));
  });

  it('differs for another value, another field, another list order or another operation', () => {
    const fp = requestFingerprint('createKeyResult', base);
    expect(requestFingerprint('createKeyResult', { ...base, title: '转化率 ' })).not.toBe(fp);
    expect(requestFingerprint('createKeyResult', { ...base, targetValue: new Decimal('21') })).not.toBe(fp);
    expect(requestFingerprint('createKeyResult', { ...base, unit: '%' })).not.toBe(fp);
    expect(requestFingerprint('createTask', base)).not.toBe(fp);
    expect(requestFingerprint('x', { ids: ['a', 'b'] })).not.toBe(requestFingerprint('x', { ids: ['b', 'a'] }));
    expect(requestFingerprint('x', { n: 1 })).not.toBe(requestFingerprint('x', { n: '1' }));
  });
});
