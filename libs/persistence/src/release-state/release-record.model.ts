/**
 * Release's record of one declaration: the reducer state (opaque JSON to the store), the
 * tail of the declaration's hash chain as release knows it, and the outputs produced for
 * each input, so that a redelivered input gets exactly the same records back.
 */
export interface ReleaseRecord<State = unknown> {
  mrn: string;
  state: State;
  tail: unknown | null;
  outbox: {
    inputId: string;
    outputs: unknown[];
    /**
     * Where the input was read (`topic/partition/offset`): the same record read again (the
     * transaction that would have committed its outputs aborted) gets the outputs again; a
     * second copy of the input at another offset does not (they were committed already).
     */
    source?: string | null;
  }[];
  /** Indexed copies for work queues. */
  status: string;
  waitingFor: string[];
  office: string | null;
  borderPost: string | null;
  declarantId: string | null;
}
