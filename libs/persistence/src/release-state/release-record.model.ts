/**
 * Release's record of one declaration: the reducer state (opaque JSON to the store), the
 * tail of the declaration's hash chain as release knows it, and the outputs produced for
 * each input, so that a redelivered input gets exactly the same records back.
 */
export interface ReleaseRecord<State = unknown> {
  mrn: string;
  state: State;
  tail: unknown | null;
  outbox: { inputId: string; outputs: unknown[] }[];
  /** Indexed copies for work queues. */
  status: string;
  waitingFor: string[];
  office: string | null;
  borderPost: string | null;
  declarantId: string | null;
}
