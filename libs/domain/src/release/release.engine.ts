import {
  CHANNELS,
  derivedEventId,
  EVENT_TYPES,
  HeldPayload,
  HeldRelease,
  ReleaseDecision,
  ReleasedPayload,
  ValuedPayload,
} from '@customs/contracts';
import { AccountStanding } from './account.model';
import { isDecimalString, money, moneyString } from './money.model';
import { InvalidReleaseInputError, MrnMismatchError } from './release.errors';
import { notificationsFor } from './release-notifications.rules';
import {
  amendedPayload,
  changeOf,
  changeRefusal,
  changeRefusalNotifications,
  invalidation,
  versionOfValued,
} from './release-changes.rules';
import {
  evaluateRelease,
  securityDebitEventId,
  settlementCreditEventId,
} from './release-requirements.rules';
import {
  ControlKind,
  DeclarationChange,
  InputEffect,
  initialReleaseState,
  ReleaseContext,
  ReleaseInput,
  ReleaseChangeLink,
  ReleaseOutcome,
  ReleaseState,
  ReleaseStep,
  TimelineEntry,
} from './release-state.model';

const CONTROLS: readonly ControlKind[] = ['documentary-check', 'physical-inspection'];

const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/** Shape checks the type system cannot make on data from the wire: a failure goes to dead letter. */
function validateInput(input: ReleaseInput): void {
  const bad = (why: string): never => {
    throw new InvalidReleaseInputError(`${input.type} ${String(input.eventId)}: ${why}`);
  };
  if (!nonEmpty(input.eventId)) bad('no eventId');
  if (!nonEmpty(input.mrn)) bad('no mrn');
  switch (input.type) {
    case 'valued': {
      const p = input.payload;
      if (p?.acceptance?.mrn !== input.mrn)
        throw new MrnMismatchError(input.mrn, String(p?.acceptance?.mrn));
      if (!CHANNELS.includes(p.risk?.channel)) bad(`unknown channel '${String(p.risk?.channel)}'`);
      if (!isDecimalString(p.valuation?.totalToPay)) bad('totalToPay is not a decimal string');
      if (!nonEmpty(p.valuation.currency)) bad('no valuation currency');
      if (!Array.isArray(p.valuation.alerts)) bad('no valuation alerts list');
      if (
        !nonEmpty(p.declaration?.lrn) ||
        !nonEmpty(p.declaration.declarant?.id) ||
        !nonEmpty(p.declaration.borderPost)
      ) {
        bad('LRN, declarant id and border post are needed to notify');
      }
      return;
    }
    case 'payment': {
      const p = input.payload;
      if (p?.kind !== 'payment' && p?.kind !== 'guarantee')
        bad(`unknown kind '${String(p?.kind)}'`);
      if (!isDecimalString(p.amount)) bad(`amount '${String(p.amount)}' is not a decimal string`);
      if (!nonEmpty(p.currency)) bad('no currency');
      return;
    }
    case 'control-result': {
      const p = input.payload;
      if (!CONTROLS.includes(p?.control)) bad(`unknown control '${String(p?.control)}'`);
      if (p.outcome !== 'conform' && p.outcome !== 'not-conform')
        bad('outcome must be conform or not-conform');
      if (!nonEmpty(p.officerId)) bad('no officerId');
      return;
    }
    case 'officer-decision': {
      const p = input.payload;
      if (p?.decision !== 'release' && p?.decision !== 'refuse')
        bad('decision must be release or refuse');
      if (!nonEmpty(p.officerId)) bad('no officerId');
      if (!Array.isArray(p.grounds) || !p.grounds.every(nonEmpty)) bad('grounds must be strings');
      if (p.decision === 'refuse' && p.grounds.length === 0) bad('a refusal needs grounds');
      return;
    }
    case 'amendment-requested': {
      const a = input.payload?.amendment;
      if (!Number.isInteger(a?.version) || a.version < 2) bad('version must be an integer >= 2');
      if (!nonEmpty(a.payloadHash) || !nonEmpty(a.previousPayloadHash)) bad('no payload hashes');
      if (
        !nonEmpty(a.declaration?.lrn) ||
        !nonEmpty(a.declaration.declarant?.id) ||
        !nonEmpty(a.declaration.borderPost) ||
        !Array.isArray(a.declaration.items)
      )
        bad('the amended declaration needs its LRN, declarant id, border post and items');
      return;
    }
    case 'invalidation-requested': {
      const i = input.payload?.invalidation;
      if (!Number.isInteger(i?.version) || i.version < 2) bad('version must be an integer >= 2');
      if (!nonEmpty(i.reason)) bad('no reason');
      if (!nonEmpty(i.requestedBy)) bad('no requestedBy');
      return;
    }
    default:
      bad(`unknown input type '${String((input as { type: unknown }).type)}'`);
  }
}

function recordInput(s: ReleaseState, input: ReleaseInput, effect: InputEffect): void {
  const entry: TimelineEntry = {
    entry: 'input',
    eventId: input.eventId,
    inputType: input.type,
    effect,
  };
  if (input.occurredAt !== undefined) entry.occurredAt = input.occurredAt;
  s.timeline.push(entry);
}

function outcomeBase(s: ReleaseState, causationEventId: string, eventType: string) {
  s.outcomeCount += 1;
  const discriminator = `release-${s.outcomeCount}`;
  return {
    decisionId: `${s.mrn}/release/${s.outcomeCount}`,
    discriminator,
    causationEventId,
    eventId: derivedEventId(causationEventId, eventType, discriminator),
  };
}

function emit(
  s: ReleaseState,
  step: ReleaseStep,
  causationEventId: string,
  kind:
    | { outcome: 'held'; release: HeldRelease }
    | { outcome: 'released' | 'refused'; release: ReleaseDecision },
  standing?: AccountStanding,
): void {
  const eventType = kind.outcome === 'held' ? EVENT_TYPES.held : EVENT_TYPES.released;
  const base = outcomeBase(s, causationEventId, eventType);
  const outcome: ReleaseOutcome =
    kind.outcome === 'held'
      ? { ...base, outcome: 'held', eventType: EVENT_TYPES.held, release: kind.release }
      : { ...base, outcome: kind.outcome, eventType: EVENT_TYPES.released, release: kind.release };
  const entry: TimelineEntry = {
    entry: 'outcome',
    decisionId: base.decisionId,
    eventId: base.eventId,
    outcome: kind.outcome,
    causationEventId,
  };
  if (kind.outcome === 'held') {
    entry.waitingFor = [...kind.release.waitingFor];
    if (kind.release.reasons) entry.reasons = [...kind.release.reasons];
  } else {
    entry.grounds = [...kind.release.grounds];
  }
  s.timeline.push(entry);
  step.decisions.push(outcome);
  step.notifications.push(...notificationsFor(s.valued!.payload, outcome, standing));
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** Re-evaluates a valued declaration after an input and emits what changed. */
function decide(s: ReleaseState, step: ReleaseStep, causationEventId: string, ctx: ReleaseContext) {
  const valued = s.valued!.payload;
  const postClearanceAudit = valued.risk.channel === 'blue';
  const evaluation = evaluateRelease(s, ctx);

  if (evaluation.verdict === 'hold') {
    const changed =
      s.status !== 'held' ||
      !sameList(s.waitingFor, evaluation.waitingFor) ||
      !sameList(s.holdReasons, evaluation.reasons);
    s.status = 'held';
    s.waitingFor = evaluation.waitingFor;
    s.holdReasons = evaluation.reasons;
    if (!changed) return;
    const release: HeldRelease = {
      status: 'held',
      waitingFor: [...evaluation.waitingFor],
      postClearanceAudit,
    };
    if (evaluation.reasons.length > 0) release.reasons = [...evaluation.reasons];
    if (evaluation.account) release.account = { ...evaluation.account };
    emit(s, step, causationEventId, { outcome: 'held', release }, evaluation.standing);
    return;
  }

  s.waitingFor = [];
  s.holdReasons = [];
  if (evaluation.verdict === 'refuse') {
    const decision: ReleaseDecision = {
      status: 'refused',
      grounds: evaluation.grounds,
      postClearanceAudit: false,
      decidedBy: evaluation.decidedBy,
    };
    s.status = 'refused';
    s.decision = decision;
    emit(s, step, causationEventId, { outcome: 'refused', release: decision });
    return;
  }

  const { security } = evaluation;
  const decision: ReleaseDecision = {
    status: 'released',
    grounds: evaluation.grounds,
    postClearanceAudit,
    securedBy: security.securedBy,
    debtFinal: security.debtFinal,
  };
  if (evaluation.decidedBy) decision.decidedBy = evaluation.decidedBy;
  if (security.debit) {
    const { account, amount } = security.debit;
    decision.account = { id: account.id, kind: account.kind, debited: amount };
    s.securingAccount = {
      id: account.id,
      kind: account.kind,
      currency: account.currency,
      debited: amount,
      credited: '0',
    };
    step.accountMovements.push({
      accountId: account.id,
      kind: 'debit',
      amount,
      currency: account.currency,
      eventId: securityDebitEventId(s.mrn),
    });
  }
  s.status = 'released';
  s.decision = decision;
  emit(s, step, causationEventId, { outcome: 'released', release: decision }, security.standing);
}

/**
 * After the final decision nothing changes the decision. One thing still happens: a payment
 * or guarantee for a declaration released on its account gives the account back what it
 * secured (up to what was debited), so the debt is discharged.
 */
function afterFinal(s: ReleaseState, step: ReleaseStep, input: ReleaseInput): void {
  const account = s.securingAccount;
  if (input.type === 'payment' && s.status === 'released' && account) {
    const remaining = money(account.debited).minus(money(account.credited));
    if (
      input.payload.currency === account.currency &&
      remaining.gt(0) &&
      money(input.payload.amount).gt(0)
    ) {
      const amount = money(input.payload.amount).lt(remaining)
        ? money(input.payload.amount)
        : remaining;
      account.credited = moneyString(money(account.credited).plus(amount));
      s.payments.push({ ...input.payload, eventId: input.eventId });
      step.accountMovements.push({
        accountId: account.id,
        kind: 'credit',
        amount: moneyString(amount),
        currency: account.currency,
        eventId: settlementCreditEventId(s.mrn, input.eventId),
      });
      recordInput(s, input, 'settlement');
      return;
    }
  }
  s.ignoredAfterFinal += 1;
  recordInput(s, input, 'ignored-after-final');
}

/**
 * The release reducer: one input in, the new state and what to publish out. Pure and
 * deterministic; a redelivered input (same eventId) returns the state unchanged and nothing
 * to publish. `ctx.accounts` must hold the account named by the declaration's
 * guaranteeReference, as stored when the input is processed.
 */
export function applyReleaseInput(
  state: ReleaseState | undefined,
  input: ReleaseInput,
  ctx: ReleaseContext = {},
): ReleaseStep {
  validateInput(input);
  const current = state ?? initialReleaseState(input.mrn);
  if (current.mrn !== input.mrn) throw new MrnMismatchError(current.mrn, input.mrn);
  if (current.processedEventIds.includes(input.eventId)) {
    return { state: current, decisions: [], accountMovements: [], notifications: [] };
  }
  const s: ReleaseState = structuredClone(current);
  const step: ReleaseStep = { state: s, decisions: [], accountMovements: [], notifications: [] };
  s.processedEventIds.push(input.eventId);

  if (input.type === 'amendment-requested' || input.type === 'invalidation-requested') {
    takeChange(s, step, input);
    return step;
  }
  if (isFinal(s)) {
    afterFinal(s, step, input);
    return step;
  }

  let replaced = false;
  switch (input.type) {
    case 'valued': {
      const pending = s.pendingAmendment ?? null;
      const version = versionOfValued(input.payload);
      if (!s.valued && !pending) {
        s.valued = { eventId: input.eventId, payload: input.payload };
        s.version = version;
      } else if (pending && version === pending.version) {
        // The new version's valuation replaces the old one; payments, controls and officer
        // decisions stay (a control done stays done; the new lane may ask for more).
        s.valued = { eventId: input.eventId, payload: input.payload };
        s.version = version;
        s.pendingAmendment = null;
        replaced = true;
      } else {
        recordInput(s, input, 'ignored-conflicting-valuation');
        return step;
      }
      break;
    }
    case 'payment':
      s.payments.push({ ...input.payload, eventId: input.eventId });
      break;
    case 'control-result':
      s.controls.push({ ...input.payload, eventId: input.eventId });
      break;
    case 'officer-decision':
      s.officerDecisions.push({ ...input.payload, eventId: input.eventId });
      break;
  }
  // Without the tail (not valued yet, or an amendment out at risk and valuation) release
  // must not append: the input is kept and counts at the next decision.
  if (!s.valued || s.pendingAmendment) {
    recordInput(s, input, 'kept-until-valued');
    return step;
  }
  recordInput(s, input, replaced ? 'replaced-valuation' : 'applied');
  // A valued event hands the tail back: requests kept meanwhile go first, in order.
  if (input.type === 'valued' && applyQueuedChanges(s, step)) return step;
  decide(s, step, input.eventId, ctx);
  return step;
}

const isFinal = (s: ReleaseState) =>
  s.status === 'released' || s.status === 'refused' || s.status === 'invalidated';

/** Takes a change request: refused, kept until release holds the tail, or applied now. */
function takeChange(s: ReleaseState, step: ReleaseStep, input: ReleaseInput): void {
  const change = changeOf(input);
  const refusal = changeRefusal(s, change);
  if (refusal) {
    if (isFinal(s)) s.ignoredAfterFinal += 1;
    step.notifications.push(...changeRefusalNotifications(s, input, change, refusal));
    recordInput(s, input, 'change-refused');
    return;
  }
  if (change.kind === 'amendment') s.payloadHash = change.payloadHash;
  if (!s.valued || s.pendingAmendment) {
    s.queuedChanges = [...(s.queuedChanges ?? []), change];
    recordInput(s, input, 'change-queued');
    return;
  }
  recordInput(s, input, 'change-applied');
  applyChange(s, step, change);
}

/** Applies the requests kept while release did not hold the tail; true if one was applied. */
function applyQueuedChanges(s: ReleaseState, step: ReleaseStep): boolean {
  const queue = s.queuedChanges ?? [];
  if (queue.length === 0) return false;
  // One at a time: an amendment hands the tail to risk again, the rest wait for its valuation.
  const [next, ...rest] = queue;
  s.queuedChanges = rest;
  applyChange(s, step, next);
  return true;
}

const link = (step: ReleaseStep, l: ReleaseChangeLink) =>
  (step.changeLinks = [...(step.changeLinks ?? []), l]);

/** Appends the chain link of a change (release holds the tail and the declaration is not final). */
function applyChange(s: ReleaseState, step: ReleaseStep, change: DeclarationChange): void {
  const valued = s.valued!.payload;
  s.waitingFor = [];
  s.holdReasons = [];
  if (change.kind === 'amendment') {
    const base = outcomeBase(s, change.eventId, EVENT_TYPES.amended);
    const payload = amendedPayload(valued, change);
    link(step, {
      ...base,
      outcome: 'amended',
      eventType: EVENT_TYPES.amended,
      payload,
    });
    s.timeline.push({
      entry: 'outcome',
      decisionId: base.decisionId,
      eventId: base.eventId,
      outcome: 'amended',
      causationEventId: change.eventId,
    });
    s.status = 'amending';
    s.pendingAmendment = {
      eventId: change.eventId,
      version: change.version,
      amendedEventId: base.eventId,
    };
    return;
  }
  const base = outcomeBase(s, change.eventId, EVENT_TYPES.invalidated);
  const { payload, movements } = invalidation(s, change);
  step.accountMovements.push(...movements);
  link(step, {
    ...base,
    outcome: 'invalidated',
    eventType: EVENT_TYPES.invalidated,
    payload,
  });
  s.timeline.push({
    entry: 'outcome',
    decisionId: base.decisionId,
    eventId: base.eventId,
    outcome: 'invalidated',
    causationEventId: change.eventId,
    grounds: [...payload.release.grounds],
  });
  s.status = 'invalidated';
  s.invalidation = {
    version: change.version,
    reason: change.reason,
    requestedBy: change.requestedBy,
    eventId: change.eventId,
  };
  s.pendingAmendment = null;
  // Nothing queued can apply to an invalidated declaration (takeChange refuses new ones).
  s.queuedChanges = [];
}

/** Controls officers still have to perform (a work queue): empty unless held for them. */
export function pendingControls(state: ReleaseState): ControlKind[] {
  if (state.status !== 'held') return [];
  return CONTROLS.filter((c) => state.waitingFor.includes(c));
}

/** Inputs taken and outcomes emitted, in order, with their event ids (for officers and auditors). */
export function timeline(state: ReleaseState): TimelineEntry[] {
  return structuredClone(state.timeline);
}

/** The payload of the held or released event to publish for an outcome: the valued declaration plus `release`. */
export function releaseEventPayload(
  valued: ValuedPayload,
  outcome: ReleaseOutcome,
): HeldPayload | ReleasedPayload {
  return { ...valued, release: outcome.release } as HeldPayload | ReleasedPayload;
}
