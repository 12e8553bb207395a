/**
 * The /alerts part of the admin OpenAPI document (paths), kept apart from openapi-document.ts like
 * user-openapi.ts. The Alert schema is generated there from the zod view (services/alerts/
 * alert-wire.ts), so the document cannot drift from what the routes answer.
 */
import { ALERT_KINDS, ALERT_STATES } from '../../../store/contract.ts';
import { ALERT_DEFAULT_LIMIT, ALERT_MAX_LIMIT } from '../../../store/shared/alert-rows.ts';

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Schema, description = 'OK'): Schema => ({ description, content: { 'application/json': { schema } } });
const errors: Record<string, Schema> = {
  400: json(ref('Error'), 'invalid query parameter (the description names it)'),
  401: json(ref('Error'), 'no, invalid, expired or revoked admin token (RFC 6750 §3.1)'),
  403: json(ref('Error'), 'the token lacks the keyward:admin scope (RFC 6750 §3.1 insufficient_scope)'),
};
const notFound: Record<string, Schema> = { 404: json(ref('Error'), 'no such alert') };
const conflict = (what: string): Record<string, Schema> => ({ 409: json(ref('Error'), `alert_state_conflict: ${what}`) });
const idParam: Schema = { name: 'id', in: 'path', required: true, description: 'the alert id', schema: { type: 'string' } };
const counts: Schema = {
  type: 'object', description: 'how many alerts are in each state (all alerts, whatever the filters)',
  properties: Object.fromEntries(ALERT_STATES.map((state) => [state, { type: 'integer' }])),
};

const op = (operationId: string, summary: string, responses: Record<string, Schema>, extra: Schema = {}) =>
  ({ operationId, summary, tags: ['alerts'], responses: { ...responses, ...errors }, ...extra });

/** The /alerts paths. */
export const ALERT_PATHS = {
  '/alerts': {
    get: op('listAlerts', 'List alerts, newest first, a page at a time', {
      200: json({
        type: 'object',
        properties: {
          alerts: { type: 'array', items: ref('Alert') },
          next_cursor: { type: ['string', 'null'], description: 'when the page is full: pass it as `cursor` for the next page; else null' },
          counts,
        },
      }),
    }, {
      parameters: [
        { name: 'state', in: 'query', schema: { enum: [...ALERT_STATES] } },
        { name: 'kind', in: 'query', schema: { enum: [...ALERT_KINDS] } },
        { name: 'client_id', in: 'query', schema: { type: 'string' } },
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: ALERT_MAX_LIMIT, default: ALERT_DEFAULT_LIMIT } },
        { name: 'cursor', in: 'query', description: 'paging cursor: the next_cursor of the previous page (alerts after that one)', schema: { type: 'string' } },
      ],
    }),
  },
  '/alerts/{id}': {
    get: op('getAlert', 'Read an alert', { 200: json(ref('Alert')), ...notFound }, { parameters: [idParam] }),
  },
  '/alerts/{id}/acknowledge': {
    post: op('acknowledgeAlert', 'Acknowledge an open alert (audited as alert.acknowledged)', { 200: json(ref('Alert')), ...notFound, ...conflict('the alert is not open') }, { parameters: [idParam] }),
  },
  '/alerts/{id}/resolve': {
    post: op('resolveAlert', 'Resolve an open or acknowledged alert (audited as alert.resolved)', { 200: json(ref('Alert')), ...notFound, ...conflict('the alert is already resolved') }, { parameters: [idParam] }),
  },
} as const;
