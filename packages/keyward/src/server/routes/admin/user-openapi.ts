/**
 * The /users part of the admin OpenAPI document (paths and the User view), kept apart from
 * openapi-document.ts so that each part can change on its own. The request bodies (CreateUser,
 * UpdateUser, SetUserPassword) are generated there from services/registry/user-wire-schemas.ts.
 */
type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Schema, description = 'OK'): Schema => ({ description, content: { 'application/json': { schema } } });
const body = (name: string): Schema => ({ required: true, content: { 'application/json': { schema: ref(name) } } });
const errors: Record<string, Schema> = {
  400: json(ref('Error'), 'invalid request or field (the description says what to fix)'),
  401: json(ref('Error'), 'no, invalid, expired or revoked admin token (RFC 6750 §3.1)'),
  403: json(ref('Error'), 'the token lacks the keyward:admin scope (RFC 6750 §3.1 insufficient_scope)'),
};
const notFound: Record<string, Schema> = { 404: json(ref('Error'), 'no such user') };
const userParam: Schema = { name: 'user', in: 'path', required: true, description: 'sub or username', schema: { type: 'string' } };
const dateTime: Schema = { type: 'string', format: 'date-time' };

const op = (operationId: string, summary: string, responses: Record<string, Schema>, extra: Schema = {}) =>
  ({ operationId, summary, tags: ['users'], responses: { ...responses, ...errors }, ...extra });

/** The /users paths. */
export const USER_PATHS = {
  '/users': {
    get: op('listUsers', 'List end users (ordered by username)', { 200: json({ type: 'object', properties: { users: { type: 'array', items: ref('User') }, next_after: { type: 'string' } } }) }, {
      parameters: [{ name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000 } }, { name: 'after', in: 'query', schema: { type: 'string' } }],
    }),
    post: op('createUser', 'Create an end user', { 201: json(ref('User'), 'created'), 409: json(ref('Error'), 'username taken') }, { requestBody: body('CreateUser') }),
  },
  '/users/{user}': {
    get: op('getUser', 'Read an end user', { 200: json(ref('User')), ...notFound }, { parameters: [userParam] }),
    patch: op('updateUser', 'Update an end user (null clears an optional field; status disabled ends its sessions)', { 200: json(ref('User')), 409: json(ref('Error'), 'username taken'), ...notFound }, { parameters: [userParam], requestBody: body('UpdateUser') }),
    delete: op('deleteUser', 'Delete an end user, its passkeys and its sessions', { 200: json({ type: 'object', properties: { deleted: { type: 'boolean' }, sub: { type: 'string' } } }), ...notFound }, { parameters: [userParam] }),
  },
  '/users/{user}/passkey-link': {
    post: op('createPasskeyLink', 'Create a single-use link with which the end user registers one passkey without signing in (its first passkey); shown once', { 201: json(ref('PasskeyLink'), 'created; enrolment_url is shown only here'), ...notFound }, { parameters: [userParam] }),
  },
  '/users/{user}/password': {
    post: op('setUserPassword', 'Set an end user\'s password (ends its sessions)', { 200: json(ref('User')), ...notFound }, { parameters: [userParam], requestBody: body('SetUserPassword') }),
  },
} as const;

/** The component schemas the /users paths use (besides Error and the generated bodies). */
export const USER_SCHEMAS: Record<string, Schema> = {
  PasskeyLink: {
    type: 'object',
    properties: {
      sub: { type: 'string' }, username: { type: 'string' },
      enrolment_url: { type: 'string', format: 'uri', description: 'the link to give the end user; its secret is in the fragment' },
      expires_at: dateTime,
    },
  },
  User: {
    type: 'object',
    properties: {
      sub: { type: 'string' }, username: { type: 'string' }, name: { type: 'string' }, email: { type: 'string' },
      status: { enum: ['active', 'disabled'] }, require_passkey: { type: 'boolean' }, has_password: { type: 'boolean' },
      created_at: dateTime, updated_at: dateTime, last_sign_in_at: dateTime, sessions_ended: { type: 'integer' },
    },
  },
};
