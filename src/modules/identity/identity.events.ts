import { defineEventTypes, type EventTypesOf } from '../../common/event-types';

/** The change events the identity module publishes (organisations, members, API tokens, accounts). */
export const IDENTITY_EVENTS = defineEventTypes('identity', {
  ORGANIZATION_CREATED: { description: 'An organisation was created, at sign-up.' },
  ORGANIZATION_UPDATED: { description: 'The organisation’s name or slug changed.' },
  MEMBER_ADDED: { description: 'A member was added or invited (entityType Member).' },
  MEMBER_JOINED: { description: 'An invited member accepted the invitation.' },
  MEMBER_DECLINED: { description: 'An invited member declined the invitation.' },
  MEMBER_ROLE_CHANGED: { description: 'A member’s role changed.' },
  MEMBER_REMOVED: { description: 'A member was removed from the organisation.' },
  API_TOKEN_CREATED: { description: 'An API token was created.' },
  API_TOKEN_REVOKED: { description: 'An API token was revoked.' },
  USER_PROFILE_UPDATED: { description: 'A member changed their own profile (entityType User).' },
  USER_PASSWORD_RESET: { description: 'A member reset their password through the mailed link (entityType User).' },
});

declare module '../../common/event-types' {
  interface PlanningEventTypeRegistry extends EventTypesOf<typeof IDENTITY_EVENTS> {}
}
