/**
 * Error codes of control replies (docs/control.md, "Errors"): every refused
 * or failed request gets one, with a message saying why.
 */
export type ControlErrorCode =
  | 'bad-json'
  | 'bad-request'
  | 'unknown-command'
  | 'bad-args'
  | 'not-found'
  | 'refused'
  | 'unauthorized'
  | 'line-too-long'
  | 'too-many-clients'
  | 'failed';

export class ControlError extends Error {
  override name = 'ControlError';

  constructor(readonly code: ControlErrorCode, message: string) {
    super(message);
  }
}
