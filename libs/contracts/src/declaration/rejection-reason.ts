/** A machine-readable reason for refusing a declaration: code, JSON path, human message. */
export interface RejectionReason {
  code: string;
  path: string;
  message: string;
}
