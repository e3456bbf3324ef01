import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ArgumentValidationError } from 'type-graphql';
import { QueryFailedError } from 'typeorm';
import type { ValidationError } from 'class-validator';
import { ErrorCode, retryLater, toAppError } from '../common/errors';
import { ruleViolationOf } from '../common/rules';
import { transientDbErrorCode } from '../db/transaction';
import { DecimalInputError, decimalLiteralField } from '../common/scalars';
import type { Logger } from '../common/logger';
import { isDatabaseUnreachable, unavailableError, type DatabaseHealth } from '../db/availability';
import { queryLimitError } from './query-limits';

const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));

function flattenValidation(errors: ValidationError[], prefix = ''): Array<{ field: string; messages: string[] }> {
  const out: Array<{ field: string; messages: string[] }> = [];
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    if (e.constraints) out.push({ field, messages: Object.values(e.constraints) });
    if (e.children?.length) out.push(...flattenValidation(e.children, field));
  }
  return out;
}

/**
 * Turns any error into what clients see: a stable `extensions.code` from ErrorCode and a
 * message a person can act on; an unreachable database is UNAVAILABLE (see src/db/availability.ts). Unexpected errors are logged with the request id and shown as
 * INTERNAL_SERVER_ERROR without details. Stack traces only in development.
 */
export function createErrorFormatter(opts: { logger: Logger; development: boolean; health: DatabaseHealth }) {
  return function formatError(formatted: GraphQLFormattedError, error: unknown, requestId?: string): GraphQLFormattedError {
    const original = unwrapResolverError(error);
    const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
    const withCode = (code: string, message: string, extra: Record<string, unknown> = {}): GraphQLFormattedError => ({
      ...base,
      message,
      extensions: {
        code,
        ...extra,
        ...(opts.development && formatted.extensions?.stacktrace ? { stacktrace: formatted.extensions.stacktrace } : {}),
      },
    });

    // The database cannot be reached (refused, terminated, restarting): the client retries later.
    // Thrown as UNAVAILABLE by the context factory, or a resolver's pg error, mapped here.
    if (formatted.extensions?.code === ErrorCode.UNAVAILABLE) {
      return withCode(ErrorCode.UNAVAILABLE, formatted.message, { retryAfterSeconds: formatted.extensions.retryAfterSeconds });
    }
    if (isDatabaseUnreachable(original)) {
      opts.health.noteUnreachable(original, requestId);
      const unavailable = unavailableError(opts.health);
      return withCode(ErrorCode.UNAVAILABLE, unavailable.message, { retryAfterSeconds: unavailable.extensions.retryAfterSeconds });
    }
    const limit = queryLimitError(error);
    if (limit) {
      const { code: _c, http: _h, ...extra } = limit.extensions;
      return withCode(ErrorCode.QUERY_TOO_COMPLEX, limit.message, extra);
    }
    // A rule's refusal, thrown anywhere (a resolver, a service, a loader's value, a scalar): its
    // code, field and extensions (the one mapping, toAppError). The message as graphql-js shows
    // it (for a variable: which variable, then the rule's message).
    const violation = ruleViolationOf(error);
    if (violation) {
      const { code, ...extra } = toAppError(violation).extensions;
      return withCode(String(code), formatted.message, extra);
    }
    if ((error as GraphQLError)?.originalError instanceof DecimalInputError) {
      // A Decimal literal in the document: the client's input, not a malformed document.
      const field = decimalLiteralField(error as GraphQLError);
      return withCode(ErrorCode.BAD_USER_INPUT, field ? `${field}: ${formatted.message}` : formatted.message, field ? { field } : {});
    }
    if (original instanceof ArgumentValidationError) {
      const fields = flattenValidation(original.extensions.validationErrors as ValidationError[]);
      const summary = fields.map((f) => f.messages.join(', ')).join('; ');
      return withCode(ErrorCode.BAD_USER_INPUT, `Invalid input: ${summary || 'check the arguments'}`, { fields });
    }
    if (original instanceof QueryFailedError) {
      const pgCode = (original as QueryFailedError & { driverError?: { code?: string } }).driverError?.code;
      if (transientDbErrorCode(original)) {
        // A statement outside withTransaction (which retries once and answers RETRY itself).
        opts.logger.warn({ requestId, pgCode, path: formatted.path }, 'deadlock or serialization failure answered RETRY');
        return withCode(ErrorCode.RETRY, retryLater().message, { retryable: true });
      }
      if (pgCode === '23505') return withCode(ErrorCode.CONFLICT, 'This conflicts with data that already exists');
      if (pgCode === '23503') return withCode(ErrorCode.BAD_USER_INPUT, 'This refers to something that does not exist');
      if (pgCode === '23514' || pgCode === '22P02' || pgCode === '22003' || pgCode === '22001') {
        return withCode(ErrorCode.BAD_USER_INPUT, 'A value is out of the allowed range or format');
      }
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && KNOWN_CODES.has(code) && code !== ErrorCode.INTERNAL_SERVER_ERROR) {
      const { stacktrace: _s, ...rest } = formatted.extensions ?? {};
      void _s;
      return withCode(code, formatted.message, rest);
    }
    if (code === 'UNAUTHORIZED') return withCode(ErrorCode.FORBIDDEN, 'You are not allowed to do this');
    if (
      original instanceof GraphQLError &&
      !original.path &&
      (!original.originalError || original.originalError instanceof GraphQLError)
    ) {
      // Request-level errors from graphql-js (e.g. bad variables, whose cause is the scalar's
      // GraphQLError; over graphql-ws they arrive without Apollo's code) are the client's.
      return withCode(ErrorCode.BAD_USER_INPUT, formatted.message);
    }
    opts.logger.error({ err: original, requestId, path: formatted.path }, 'unexpected error');
    return withCode(
      ErrorCode.INTERNAL_SERVER_ERROR,
      `Internal server error${requestId ? ` (request ${requestId})` : ''}: it has been logged`,
    );
  };
}
