import type { ApolloServerPlugin } from '@apollo/server';
import { BREAK, Kind, visit, type ASTNode, type DocumentNode } from 'graphql';
import { AppError, ErrorCode } from '../common/errors';
import { findForbiddenText, forbiddenTextReason } from '../common/input-text';

/**
 * The text rules of src/common/input-text.ts, applied once to a whole operation before it runs:
 * every string literal in the document (arguments, variable defaults) and every string in the
 * variables. Used by HTTP (an Apollo plugin) and graphql-ws (onSubscribe) alike, so no resolver,
 * authentication or SQL statement ever sees such text, whoever the caller.
 */
export function checkOperationText(document: DocumentNode, variables: Record<string, unknown> | null | undefined): AppError | null {
  const fromVariables = variables ? findForbiddenText(variables, '') : null;
  if (fromVariables) return refused(`$${fromVariables.path}`, fromVariables.reason);
  let found: AppError | null = null;
  visit(document, {
    StringValue(node, _key, parent, _path, ancestors) {
      const reason = forbiddenTextReason(node.value);
      if (!reason) return undefined;
      found = refused(argumentPath([...ancestors, ...(parent ? [parent] : [])]), reason);
      return BREAK;
    },
  });
  return found;
}

/** `createTask(input.title)`-like name of the argument a literal sits in. */
function argumentPath(ancestors: ReadonlyArray<ASTNode | ReadonlyArray<ASTNode>>): string {
  let field = '';
  const parts: string[] = [];
  for (const a of ancestors) {
    if (Array.isArray(a)) continue;
    const node = a as ASTNode;
    if (node.kind === Kind.FIELD) {
      field = node.name.value;
      parts.length = 0;
    } else if (node.kind === Kind.ARGUMENT || node.kind === Kind.OBJECT_FIELD) parts.push(node.name.value);
    else if (node.kind === Kind.VARIABLE_DEFINITION) {
      field = '';
      parts.length = 0;
      parts.push(`$${node.variable.name.value}`);
    }
  }
  const arg = parts.join('.');
  return field ? `${field}(${arg})` : arg;
}

function refused(path: string, reason: string): AppError {
  return new AppError(ErrorCode.BAD_USER_INPUT, `${path || 'An argument'} ${reason}`, {
    field: path,
    http: { status: 400 },
  });
}

/** HTTP: after parsing and validation, before the operation runs. */
export const inputTextPlugin: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didResolveOperation({ document, request }) {
        const error = checkOperationText(document, request.variables);
        if (error) throw error;
      },
    };
  },
};

