import { GraphQLError } from 'graphql';
import { ErrorCode } from './error-codes';
import { ruleViolationOf, type RuleViolation } from './rules';

export { ErrorCode } from './error-codes';

export class AppError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extra: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...extra } });
    this.name = 'AppError';
  }
  get code(): ErrorCode {
    return this.extensions.code as ErrorCode;
  }
}

/** BAD_USER_INPUT naming the input `field`, with any other facts the client needs (`max`, `allowed`…). */
export const badInput = (message: string, field?: string, extensions: Record<string, unknown> = {}) =>
  new AppError(ErrorCode.BAD_USER_INPUT, message, withField(field, extensions));

/**
 * NOT_FOUND: "<what> <id> was not found". `field` names the input field that held the id (an id
 * of another organisation is not found either: nothing tells the two apart).
 */
export const notFound = (what: string, id?: string, field?: string) =>
  new AppError(ErrorCode.NOT_FOUND, id ? `${what} ${id} was not found` : `${what} was not found`, withField(field, {}));

export const forbidden = (message = 'You are not allowed to do this') =>
  new AppError(ErrorCode.FORBIDDEN, message);

export const unauthenticated = (message = 'Sign in first: send Authorization: Bearer <token>') =>
  new AppError(ErrorCode.UNAUTHENTICATED, message);

/** A transient failure: nothing was saved; the client may send the same request again. */
export const retryLater = (message = 'This change collided with others running at the same time and was not saved: send the same request again') =>
  new AppError(ErrorCode.RETRY, message, { retryable: true });

export const conflict = (message: string, extra: Record<string, unknown> = {}) =>
  new AppError(ErrorCode.CONFLICT, message, extra);

function withField(field: string | undefined, extensions: Record<string, unknown>): Record<string, unknown> {
  const { code: _code, ...rest } = extensions;
  void _code;
  return field ? { ...rest, field } : rest;
}

/**
 * The one mapping of a rule's refusal to what the client sees: its code, its message, and
 * `extensions.field` and the violation's extensions (a `code` among them is ignored).
 */
export function toAppError(violation: RuleViolation): AppError {
  return new AppError(violation.code as ErrorCode, violation.message, withField(violation.field, violation.extensions));
}

/** An error the client may see as it is (an AppError, or a RuleViolation mapped by toAppError); null for anything else. */
export function asAppError(error: unknown): AppError | null {
  if (error instanceof AppError) return error;
  const violation = ruleViolationOf(error);
  return violation ? toAppError(violation) : null;
}
