import { IdempotencyClaim } from './idempotency-key.model';

export type ClaimResult = { claimed: true } | { claimed: false; existing: IdempotencyClaim };

export abstract class IdempotencyKeyRepository {
  abstract find(declarantId: string, key: string): Promise<IdempotencyClaim | null>;
  /** Claims the key for this request unless another request (any replica) holds it already. */
  abstract claim(claim: IdempotencyClaim): Promise<ClaimResult>;
  abstract markPublished(declarantId: string, key: string): Promise<void>;
  /** Removes a claim whose request turned out to need no publishing. */
  abstract withdraw(declarantId: string, key: string): Promise<void>;
}
