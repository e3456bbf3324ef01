/*
 * The error codes, without any GraphQL import: pure rule files (src/common/rules.ts, the modules'
 * *-rules.ts) name a code, and src/common/errors.ts turns it into a GraphQL error.
 */

/**
 * The one list of `extensions.code` values clients can rely on. Generic codes first, then
 * business-rule codes that a client is expected to handle specifically.
 */
export enum ErrorCode {
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  CONFLICT = 'CONFLICT',
  RATE_LIMITED = 'RATE_LIMITED',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
  /**
   * The database cannot be reached (down, restarting, connection ended): retry after
   * `extensions.retryAfterSeconds` (HTTP 503 with Retry-After).
   */
  UNAVAILABLE = 'UNAVAILABLE',
  GRAPHQL_PARSE_FAILED = 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED = 'GRAPHQL_VALIDATION_FAILED',
  PERSISTED_QUERY_NOT_SUPPORTED = 'PERSISTED_QUERY_NOT_SUPPORTED',
  OPERATION_RESOLUTION_FAILURE = 'OPERATION_RESOLUTION_FAILURE',
  BAD_REQUEST = 'BAD_REQUEST',
  /** A query over a depth, alias, token or cost limit: refused before it runs. */
  QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX',
  /** A WebSocket connection, or the organisation on this server, already has as many subscriptions as it may. */
  TOO_MANY_SUBSCRIPTIONS = 'TOO_MANY_SUBSCRIPTIONS',
  /** The organisation already holds API_TOKENS_MAX_PER_ORGANIZATION active API tokens. */
  TOO_MANY_API_TOKENS = 'TOO_MANY_API_TOKENS',
  /**
   * The database gave up on the change because of changes running at the same time (a deadlock
   * or a serialization failure), even after the server retried it once: nothing was saved, and
   * the same request may simply be sent again (`extensions.retryable: true`).
   */
  RETRY = 'RETRY',
  // business rules
  INVALID_TRANSITION = 'INVALID_TRANSITION',
  CYCLE_CLOSED = 'CYCLE_CLOSED',
  /** The object is archived: it no longer changes (archive is the end of its life cycle). */
  ARCHIVED = 'ARCHIVED',
  /** A key result with check-ins keeps its history: archive it instead of deleting it. */
  KEY_RESULT_HAS_CHECK_INS = 'KEY_RESULT_HAS_CHECK_INS',
  LAST_OWNER = 'LAST_OWNER',
  BUDGET_CAP_EXCEEDED = 'BUDGET_CAP_EXCEEDED',
  /**
   * The budget's period is closed through a day (`extensions.closedThrough`): an expense, a void
   * or an adjustment dated on or before it is refused (`extensions.field` names the date's field).
   */
  PERIOD_CLOSED = 'PERIOD_CLOSED',
  /** A budget line with expenses (void ones too) or adjustments keeps its history: archive it instead of removing it. */
  BUDGET_LINE_IN_USE = 'BUDGET_LINE_IN_USE',
  /** An objective's alignment loops back on itself (or is too deep to roll up). */
  ALIGNMENT_LOOP = 'ALIGNMENT_LOOP',
  /** The campaign is REVIEWED or CANCELLED: its plan, returns and experiments no longer change. */
  CAMPAIGN_CLOSED = 'CAMPAIGN_CLOSED',
  /** The experiment is concluded: its results and decision no longer change. */
  EXPERIMENT_CONCLUDED = 'EXPERIMENT_CONCLUDED',
  /** An SOP draft without steps cannot be submitted for review. */
  SOP_DRAFT_EMPTY = 'SOP_DRAFT_EMPTY',
  /** The author of an SOP version, or anyone who changed it as a draft, cannot approve it: someone else must. */
  AUTHOR_CANNOT_APPROVE = 'AUTHOR_CANNOT_APPROVE',
}
