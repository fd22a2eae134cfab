/**
 * Release: the pure state machine deciding when goods leave the border.
 *
 * One `ReleaseState` document per MRN; `applyReleaseInput(state, input, ctx)` takes one
 * input (valued, payment, control-result, officer-decision) and returns the new state, the
 * outcomes to publish (held / released / refused, with derived event ids), the account
 * movements to apply and the notifications to send. The decision is a function of the set
 * of inputs seen, so arrival order and redelivery do not change it (see the property spec).
 *
 * What the service does with a step: save the state, apply `accountMovements` to its
 * account store (`applyAccountMovement`, idempotent by movement id), publish each outcome
 * with `nextEvent({ causationId: causationEventId, discriminator })` (same id as
 * `outcome.eventId`) and each notification keyed by `payload.recipient`. A redelivered input
 * returns the same state object and nothing to do.
 */
export * from './account.model';
export * from './account-events.rules';
export * from './release.errors';
export * from './release-state.model';
export * from './release-requirements.rules';
export * from './release-notifications.rules';
export * from './release-changes.rules';
export * from './release.engine';
