import { dateTimeSql, definePlannable, globalIdSql } from '../../common/planner';

/**
 * Users as the planner reaches them: by reference from a row of the organisation (an owner, an
 * author, a lead), like `referencedUserById`, so the table carries no organisation filter. No
 * root field reads users by an id a client sent through the planner.
 */
definePlannable({
  type: 'User',
  table: 'users',
  orgColumn: null,
  fields: {
    id: { kind: 'column', sql: (u) => globalIdSql('User', `${u}.id`) },
    email: { kind: 'column', sql: (u) => `${u}.email` },
    displayName: { kind: 'column', sql: (u) => `${u}.display_name` },
    locale: { kind: 'column', sql: (u) => `${u}.locale` },
    createdAt: { kind: 'column', sql: (u) => dateTimeSql(`${u}.created_at`) },
  },
});
