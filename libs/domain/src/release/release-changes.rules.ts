import { AmendedPayload, Declaration, InvalidatedPayload, ValuedPayload } from '@customs/contracts';
import { money, moneyString } from './money.model';
import { AccountMovement } from './account.model';
import { RELEASE_NOTIFICATION_CODES } from './release-notifications.rules';
import {
  ChangeRefusalCode,
  DeclarationChange,
  ReleaseInput,
  ReleaseNotification,
  ReleaseState,
} from './release-state.model';

/**
 * Amendment and invalidation, as release applies them.
 *
 * Release is the single writer of the chain links for change requests: it holds the tail.
 * While risk and valuation hold it (before the first valued event, or between an appended
 * DeclarationAmended and the new version's valued event) a request is kept, in arrival
 * order, and applied when the next valued event hands the tail back. Versions come from
 * intake (unique per MRN in its store) or from release itself for an officer's correction;
 * a request whose version is not newer than the newest release has taken, or which amends
 * another version than the newest (previousPayloadHash), lost a race and is refused.
 *
 * Money. Release debits a guarantee or deferment account only when it releases (the final
 * decision), and a change is only applied before the final decision, so an amendment never
 * meets a debit: the new version's release debits once, its own amount, under the one debit
 * id of the declaration. An invalidation still gives back whatever a securing account holds
 * for the declaration (debited less credited): nothing under today's rules, but the books
 * stay right if securing ever moves to the hold.
 */

/** CDS 03 "rejected": the code release sends when it cannot apply a change request. */
export const CHANGE_REFUSED_CODE = RELEASE_NOTIFICATION_CODES.changeRefused;

export function invalidationCreditEventId(mrn: string): string {
  return `release/${mrn}/invalidation-credit`;
}

/** Version the declaration's newest taken change has (applied, pending or queued); 1 if none. */
export function latestVersion(s: ReleaseState): number {
  const queued = (s.queuedChanges ?? []).map((c) => c.version);
  return Math.max(s.version ?? 1, s.pendingAmendment?.version ?? 0, ...queued);
}

/** The newest version of the declaration release knows (queued or pending amendments included). */
export function latestDeclaration(s: ReleaseState): Declaration | null {
  const queued = (s.queuedChanges ?? []).filter((c) => c.kind === 'amendment');
  const last = queued[queued.length - 1];
  if (last?.kind === 'amendment') return last.declaration;
  return s.valued?.payload.declaration ?? null;
}

/** The declaration version a valued (or risk-assessed) payload carries: 1 unless amended. */
export function versionOfValued(payload: ValuedPayload): number {
  const v = (payload as { amendment?: { version?: unknown } }).amendment?.version;
  return typeof v === 'number' ? v : 1;
}

export function changeOf(input: ReleaseInput): DeclarationChange {
  if (input.type === 'amendment-requested') {
    const a = input.payload.amendment;
    return {
      kind: 'amendment',
      eventId: input.eventId,
      version: a.version,
      declaration: a.declaration,
      payloadHash: a.payloadHash,
      previousPayloadHash: a.previousPayloadHash,
      ...(a.requestedBy !== undefined ? { requestedBy: a.requestedBy } : {}),
      ...(a.findings !== undefined ? { findings: a.findings } : {}),
    };
  }
  if (input.type === 'invalidation-requested') {
    const i = input.payload.invalidation;
    return {
      kind: 'invalidation',
      eventId: input.eventId,
      version: i.version,
      reason: i.reason,
      requestedBy: i.requestedBy,
    };
  }
  throw new Error(`${input.type} is not a change request`);
}

/** Why a change cannot be taken now, or null when it can (applied now or queued). */
export function changeRefusal(
  s: ReleaseState,
  change: DeclarationChange,
): { code: ChangeRefusalCode; message: string } | null {
  const what = `${change.kind} to version ${change.version} of ${s.mrn}`;
  if (s.status === 'released')
    return { code: 'DECLARATION_RELEASED', message: `${what} refused: the goods are released` };
  if (s.status === 'refused')
    return { code: 'DECLARATION_REFUSED', message: `${what} refused: release was refused` };
  if (s.status === 'invalidated')
    return { code: 'DECLARATION_INVALIDATED', message: `${what} refused: it is invalidated` };
  if ((s.queuedChanges ?? []).some((c) => c.kind === 'invalidation'))
    return {
      code: 'INVALIDATION_PENDING',
      message: `${what} refused: an invalidation is waiting to apply`,
    };
  const latest = latestVersion(s);
  if (change.version <= latest)
    return {
      code: 'VERSION_CONFLICT',
      message: `${what} refused: version ${latest} is already taken; amend the current version`,
    };
  if (change.kind === 'amendment' && s.payloadHash && change.previousPayloadHash !== s.payloadHash)
    return {
      code: 'VERSION_CONFLICT',
      message: `${what} refused: it amends another version than the current one (${latest})`,
    };
  return null;
}

/** The notifications of a refused change, to the declarant and the border post, about the request. */
export function changeRefusalNotifications(
  s: ReleaseState,
  input: ReleaseInput,
  change: DeclarationChange,
  refusal: { code: ChangeRefusalCode; message: string },
): ReleaseNotification[] {
  const declaration =
    s.valued?.payload.declaration ??
    latestDeclaration(s) ??
    (change.kind === 'amendment' ? change.declaration : null);
  const declarantId =
    declaration?.declarant.id ?? (change.kind === 'invalidation' ? change.requestedBy : s.mrn);
  const borderPost = declaration?.borderPost ?? declarantId;
  const lrn = declaration?.lrn ?? '';
  const recipients: { role: 'declarant' | 'border-post'; id: string }[] = [
    { role: 'declarant', id: declarantId },
  ];
  if (borderPost !== declarantId) recipients.push({ role: 'border-post', id: borderPost });
  return recipients.map(({ role, id }) => ({
    discriminator: `change/${change.version}/${CHANGE_REFUSED_CODE}/${role}`,
    decisionId: '',
    causationEventId: input.eventId,
    aboutInput: true,
    payload: {
      code: CHANGE_REFUSED_CODE,
      // The reason code leads the text: the notification payload has no field for it.
      text: `${refusal.code}: ${refusal.message}`,
      recipient: id,
      recipientKind: role,
      declarantId,
      borderPost,
      mrn: s.mrn,
      lrn,
      aboutEventId: input.eventId,
    },
  }));
}

/**
 * The DeclarationAmended payload: the new version with the ORIGINAL acceptance (same MRN,
 * same acceptedAt). An amended declaration is judged by the reference data in force when
 * the declaration was accepted, not when it was amended: risk and valuation select their
 * versions by `acceptance.acceptedAt`, so this is what makes them do so.
 */
export function amendedPayload(
  valued: ValuedPayload,
  change: Extract<DeclarationChange, { kind: 'amendment' }>,
): AmendedPayload {
  const amendment: AmendedPayload['amendment'] & { requestedBy?: string; findings?: string } = {
    version: change.version,
    requestEventId: change.eventId,
    payloadHash: change.payloadHash,
    previousPayloadHash: change.previousPayloadHash,
  };
  if (change.requestedBy !== undefined) amendment.requestedBy = change.requestedBy;
  if (change.findings !== undefined) amendment.findings = change.findings;
  return { declaration: change.declaration, acceptance: valued.acceptance, amendment };
}

/** The DeclarationInvalidated payload and the credit giving back what an account secured. */
export function invalidation(
  s: ReleaseState,
  change: Extract<DeclarationChange, { kind: 'invalidation' }>,
): { payload: InvalidatedPayload; movements: AccountMovement[] } {
  const valued = s.valued!.payload;
  const grounds = [`invalidated at the request of ${change.requestedBy}: ${change.reason}`];
  const movements: AccountMovement[] = [];
  const account = s.securingAccount;
  if (account) {
    const remaining = money(account.debited).minus(money(account.credited));
    if (remaining.gt(0)) {
      movements.push({
        accountId: account.id,
        kind: 'credit',
        amount: moneyString(remaining),
        currency: account.currency,
        eventId: invalidationCreditEventId(s.mrn),
      });
      account.credited = account.debited;
      grounds.push(`${account.kind} account ${account.id} credited back ${moneyString(remaining)}`);
    }
  }
  const paid = s.payments.filter((p) => p.kind === 'payment');
  if (paid.length > 0)
    grounds.push(
      `payments received, to be repaid: ${paid.map((p) => `${p.amount} ${p.currency} (${p.reference})`).join(', ')}`,
    );
  return {
    payload: {
      declaration: valued.declaration,
      acceptance: valued.acceptance,
      invalidation: {
        version: change.version,
        reason: change.reason,
        requestedBy: change.requestedBy,
        requestEventId: change.eventId,
      },
      release: { status: 'invalidated', grounds },
    },
    movements,
  };
}
