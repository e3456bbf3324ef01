/** A pure rule's refusal: mapped to a GraphQL error with `code` (src/server/format-error.ts). No graphql import. */
export class RuleViolation extends Error {
  constructor(readonly code: string, message: string, readonly field?: string, readonly extensions: Record<string, unknown> = {}) {
    super(message);
    this.name = 'RuleViolation';
  }
}
