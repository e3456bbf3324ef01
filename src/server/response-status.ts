import type { ApolloServerPlugin } from '@apollo/server';
import Negotiator from 'negotiator';
import { ErrorCode } from '../common/errors';

const JSON_TYPE = 'application/json; charset=utf-8';
const GRAPHQL_RESPONSE_TYPE = 'application/graphql-response+json; charset=utf-8';

/**
 * The errors of a well-formed GraphQL-over-HTTP request that the document or its variables
 * cause: it does not parse, does not validate (the query limits are validation rules), its
 * variables do not coerce or hold forbidden text, or it costs too much. Malformed HTTP requests
 * (no query, a body that is not JSON, a CSRF refusal: BAD_REQUEST), 401, 405, 406, 415 and 503
 * keep their status whatever the client accepts.
 */
const REQUEST_ERROR_CODES: ReadonlySet<string> = new Set([
  ErrorCode.GRAPHQL_PARSE_FAILED,
  ErrorCode.GRAPHQL_VALIDATION_FAILED,
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.QUERY_TOO_COMPLEX,
]);

/**
 * Whether the client asked for `application/json` by name (not only through a wildcard range) and
 * that is the type it gets: GraphQL over HTTP's application/json clients, who expect 200 with
 * `errors` for a well-formed request. Clients that send no Accept header or only wildcard ranges keep
 * the 400 they have always had; application/graphql-response+json clients get 400 as the spec says.
 */
export function wantsLegacyJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const namesJson = accept.split(',').some((range) => {
    const [type, ...params] = range.split(';');
    return type.trim().toLowerCase() === 'application/json' && !params.some((p) => /^\s*q\s*=\s*0(\.0*)?\s*$/i.test(p));
  });
  if (!namesJson) return false;
  return new Negotiator({ headers: { accept } }).mediaType([JSON_TYPE, GRAPHQL_RESPONSE_TYPE]) === JSON_TYPE;
}

/**
 * Status codes by the GraphQL-over-HTTP spec: a request error of a well-formed request (see
 * REQUEST_ERROR_CODES) answers 200 to a client that asked for application/json, and 400 (Apollo's
 * status) otherwise.
 */
export const responseStatusPlugin: ApolloServerPlugin = {
  async requestDidStart({ request }) {
    if (!wantsLegacyJson(request.http?.headers.get('accept'))) return;
    return {
      async willSendResponse({ response }) {
        if (response.http.status !== 400 || response.body.kind !== 'single') return;
        const errors = response.body.singleResult.errors ?? [];
        if (errors.length && errors.every((e) => REQUEST_ERROR_CODES.has(String(e.extensions?.code)))) {
          response.http.status = 200;
        }
      },
    };
  },
};
