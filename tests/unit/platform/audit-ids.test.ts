import { getMetadataArgsStorage } from 'typeorm';
import { entities } from '../../../src/modules/entities';
import { auditIdKeysOf, withGlobalIds } from '../../../src/modules/audit/audit-ids';
import { toGlobalId } from '../../../src/common/ids';

/**
 * AuditEvent.before/after show ids as global ids: every uuid column of every entity is in its
 * type's table (src/modules/<m>/*.entity.ts, `auditIdKeys`), so a new column cannot show a bare
 * uuid in the audit log. `id` and `organizationId` are implicit.
 */
const NOT_AUDITED: Record<string, string> = {
  AuditEvent: 'the audit log itself is never audited',
};

describe('audit id tables', () => {
  it('name the type of every uuid column of every entity', () => {
    const classes = new Set<unknown>(entities);
    const missing = getMetadataArgsStorage()
      .columns.filter((c) => classes.has(c.target) && c.options.type === 'uuid' && c.mode !== 'objectId')
      .map((c) => ({ type: (c.target as { name: string }).name, key: c.propertyName }))
      .filter(({ type, key }) => key !== 'id' && key !== 'organizationId' && !NOT_AUDITED[type] && !auditIdKeysOf(type)?.[key])
      .map(({ type, key }) => `${type}.${key}`);
    expect(missing).toEqual([]);
  });

  it('convert ids, lists of ids, nested objects and polymorphic references; leave the rest alone', () => {
    const u = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
    expect(
      withGlobalIds('KeyResult', {
        id: u(1),
        organizationId: u(2),
        ownerId: u(3),
        note: u(4),
        title: '日均发布内容量',
        kpiId: null,
        checkIn: { id: u(5), authorId: u(3), value: '1' },
      }),
    ).toEqual({
      id: toGlobalId('KeyResult', u(1)),
      organizationId: toGlobalId('Organization', u(2)),
      ownerId: toGlobalId('User', u(3)),
      note: u(4),
      title: '日均发布内容量',
      kpiId: null,
      checkIn: { id: toGlobalId('CheckIn', u(5)), authorId: toGlobalId('User', u(3)), value: '1' },
    });
    expect(withGlobalIds('BudgetLine', { kpiIds: [u(1), u(2)] })).toEqual({ kpiIds: [toGlobalId('Kpi', u(1)), toGlobalId('Kpi', u(2))] });
    expect(withGlobalIds('RaciMatrix', { subjectType: 'Campaign', subjectId: u(1) })).toEqual({ subjectType: 'Campaign', subjectId: toGlobalId('Campaign', u(1)) });
    expect(withGlobalIds('RaciMatrix', { subjectType: null, subjectId: null })).toEqual({ subjectType: null, subjectId: null });
    expect(withGlobalIds('Task', null)).toBeNull();
  });
});
