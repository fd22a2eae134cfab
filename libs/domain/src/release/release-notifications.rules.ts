import { NotificationRecipientKind, ValuedPayload } from '@customs/contracts';
import { AccountStanding } from './account.model';
import { ReleaseNotification, ReleaseOutcome } from './release-state.model';

/**
 * Notification codes release sends to the declarant and the border post, modelled on the UK
 * CDS notification function codes (DESIGN.md: 01 accepted, 02 received, 03 rejected, 05
 * physical control, 06 documents required, 08 released with debt not final, 09 cleared,
 * 14/15 insufficient deferment balance). 01 and 03 are intake's. Where CDS has no code for
 * what release says (awaiting payment, officer decision pending, refused), ours are in the
 * 5x range, which CDS does not use, so a reader never mistakes one for a CDS code. CDS uses
 * 14 and 15 both for insufficient deferment balance; we keep 14 for a deferment account and
 * give 15 to a guarantee account.
 *
 * | code | source        | meaning                                                        |
 * |------|---------------|----------------------------------------------------------------|
 * | 01   | CDS (intake)  | accepted, MRN assigned                                         |
 * | 03   | CDS (intake)  | rejected; release too, for an amendment or invalidation it     |
 * |      |               | cannot apply (the reason code leads the text)                  |
 * | 05   | CDS           | held: goods selected for physical inspection                   |
 * | 06   | CDS           | held: documents required (documentary check)                   |
 * | 08   | CDS           | released, debt not final (secured by a guarantee or deferment) |
 * | 09   | CDS           | cleared: released with duties paid (or nothing to pay)         |
 * | 14   | CDS           | held: insufficient balance on the deferment account            |
 * | 15   | CDS (adapted) | held: insufficient balance on the guarantee account            |
 * | 51   | ours          | held: awaiting payment or security of the duties               |
 * | 52   | ours          | held: a control was not conform, awaiting an officer decision  |
 * | 53   | ours          | refused: goods not released, with grounds                      |
 * | 54   | ours          | held: the named account is unknown, in another currency, or    |
 * |      |               | may not be used by this declarant                              |
 *
 * Figures: a hold for insufficient balance names the account's balance and what is needed
 * only in the notification to the declarant who holds the account. The border post, and a
 * representative the holder authorised, are told the balance is insufficient, not the
 * figures; a declarant naming someone else's account is told only that it may not use it.
 */
export const RELEASE_NOTIFICATION_CODES = {
  changeRefused: '03',
  physicalControl: '05',
  documentsRequired: '06',
  releasedDebtNotFinal: '08',
  cleared: '09',
  insufficientBalanceDeferment: '14',
  insufficientBalanceGuarantee: '15',
  awaitingPayment: '51',
  awaitingOfficerDecision: '52',
  refused: '53',
  accountNotUsable: '54',
} as const;

export type ReleaseNotificationCode =
  (typeof RELEASE_NOTIFICATION_CODES)[keyof typeof RELEASE_NOTIFICATION_CODES];

/** Which codes are CDS's and which are ours (the table above, for documentation and the API). */
export const RELEASE_NOTIFICATION_CODE_SOURCES: Readonly<
  Record<ReleaseNotificationCode, 'CDS' | 'CDS (adapted)' | 'ours'>
> = {
  '03': 'CDS',
  '05': 'CDS',
  '06': 'CDS',
  '08': 'CDS',
  '09': 'CDS',
  '14': 'CDS',
  '15': 'CDS (adapted)',
  '51': 'ours',
  '52': 'ours',
  '53': 'ours',
  '54': 'ours',
};

const C = RELEASE_NOTIFICATION_CODES;

/**
 * One code per outcome: for a hold, the most pressing thing waited for (an officer's
 * decision, then physical inspection, documents, then the money). The text lists all of it.
 */
export function notificationCode(outcome: ReleaseOutcome): ReleaseNotificationCode {
  if (outcome.outcome !== 'held') {
    if (outcome.outcome === 'refused') return C.refused;
    return outcome.release.debtFinal === false ? C.releasedDebtNotFinal : C.cleared;
  }
  const { waitingFor, reasons = [], account } = outcome.release;
  if (waitingFor.includes('officer-decision')) return C.awaitingOfficerDecision;
  if (waitingFor.includes('physical-inspection')) return C.physicalControl;
  if (waitingFor.includes('documentary-check')) return C.documentsRequired;
  if (reasons.includes('insufficient-balance')) {
    return account?.kind === 'guarantee'
      ? C.insufficientBalanceGuarantee
      : C.insufficientBalanceDeferment;
  }
  if (reasons.length > 0) return C.accountNotUsable;
  return C.awaitingPayment;
}

/** Which recipient a text is for: only the account's holder sees the account's figures. */
interface Reader {
  kind: NotificationRecipientKind;
  /** How the declarant stands to the account the decision is about (if it is about one). */
  standing?: AccountStanding;
}

const seesFigures = (reader: Reader) => reader.kind === 'declarant' && reader.standing === 'holder';

function notificationText(mrn: string, outcome: ReleaseOutcome, reader: Reader): string {
  if (outcome.outcome !== 'held') {
    if (outcome.outcome === 'refused') {
      return `Declaration ${mrn} refused: ${outcome.release.grounds.join('; ')}`;
    }
    const r = outcome.release;
    const how =
      r.debtFinal === false
        ? r.account
          ? ` on ${r.account.kind} account ${r.account.id} (${r.account.debited} secured, debt not final)`
          : ' on guarantee (debt not final)'
        : ' (duties paid)';
    return `Declaration ${mrn} released${how}${r.postClearanceAudit ? '; subject to post-clearance audit' : ''}`;
  }
  const r = outcome.release;
  const details: string[] = [];
  if (r.account && r.reasons?.includes('insufficient-balance')) {
    details.push(
      seesFigures(reader)
        ? `${r.account.kind} account ${r.account.id} has ${r.account.available}, needs ${r.account.required}`
        : `insufficient balance on ${r.account.kind} account ${r.account.id}`,
    );
  }
  if (r.reasons?.includes('account-not-found')) details.push('the named account is not known');
  if (r.reasons?.includes('guarantee-not-authorised')) {
    details.push('the named account may not be used by this declarant');
  }
  if (r.reasons?.includes('account-currency-mismatch')) {
    details.push('the named account is kept in another currency');
  }
  return `Declaration ${mrn} held: waiting for ${r.waitingFor.join(', ')}${details.length ? ` (${details.join('; ')})` : ''}`;
}

/**
 * The notifications for one outcome: one to the declarant, one to the border post (one only
 * when they are the same party). The discriminator derives from the outcome's, so replaying
 * the same decision yields the same notifications, never new ones.
 */
export function notificationsFor(
  valued: ValuedPayload,
  outcome: ReleaseOutcome,
  standing?: AccountStanding,
): ReleaseNotification[] {
  const mrn = valued.acceptance.mrn;
  const declarantId = valued.declaration.declarant.id;
  const borderPost = valued.declaration.borderPost;
  const code = notificationCode(outcome);
  const recipients: { role: NotificationRecipientKind; id: string }[] = [
    { role: 'declarant', id: declarantId },
  ];
  if (borderPost !== declarantId) recipients.push({ role: 'border-post', id: borderPost });
  return recipients.map(({ role, id }) => ({
    discriminator: `${outcome.discriminator}/${code}/${role}`,
    decisionId: outcome.decisionId,
    causationEventId: outcome.causationEventId,
    payload: {
      code,
      text: notificationText(mrn, outcome, { kind: role, standing }),
      recipient: id,
      recipientKind: role,
      declarantId,
      borderPost,
      mrn,
      lrn: valued.declaration.lrn,
      aboutEventId: outcome.eventId,
    },
  }));
}
