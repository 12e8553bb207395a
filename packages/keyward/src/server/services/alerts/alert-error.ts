/**
 * Refusals of the operator's alert operations (manage-alerts.ts), with stable codes. The admin API
 * answers `not_found` with 404, `alert_state_conflict` with 409 and `invalid` with 400
 * `invalid_request` (admin-errors.ts); the CLI maps them to its exit codes. Messages say what to do.
 */

/** Code of an {@link AlertError}. */
export type AlertErrorCode = 'not_found' | 'alert_state_conflict' | 'invalid';

/** An alert refusal with a stable code. */
export class AlertError extends Error {
  readonly code: AlertErrorCode;
  constructor(code: AlertErrorCode, message: string) {
    super(message);
    this.name = 'AlertError';
    this.code = code;
  }
}
