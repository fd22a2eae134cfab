import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { EVENT_TYPES, TOPICS } from '@customs/contracts';
import { ReleaseInput } from '@customs/domain';
import { BatchItem, KafkaRecordMeta, OutgoingRecord } from '@customs/messaging';
import { requireVersion } from '@customs/platform';
import { ReleaseDecisionService, ReleaseInputItem } from './release-decision.service';

/**
 * Where a record was read, to tell a redelivery from a second copy of an input. Release's
 * own format (stored outboxes hold it), not the platform's `topic:partition:offset`.
 */
const sourceOf = (r: Pick<KafkaRecordMeta, 'topic' | 'partition' | 'offset'>): string =>
  `${r.topic}/${r.partition}/${r.offset}`;

/** Which reducer input each event type becomes, per input topic. */
const VALUED_INPUTS = { [EVENT_TYPES.valued]: 'valued' } as const;
const PAYMENT_INPUTS = { [EVENT_TYPES.payment]: 'payment' } as const;
const CONTROL_INPUTS = {
  [EVENT_TYPES.controlResult]: 'control-result',
  [EVENT_TYPES.officerDecision]: 'officer-decision',
} as const;
const CHANGE_INPUTS = {
  [EVENT_TYPES.amendmentRequested]: 'amendment-requested',
  [EVENT_TYPES.invalidationRequested]: 'invalidation-requested',
} as const;

/**
 * The four streams release decides on (six inputs); they may arrive in any order, and more
 * than once. Each is taken a chunk of one partition at a time: one read and one write of
 * release's records per chunk instead of two round trips per input.
 */
@Controller()
export class ReleaseInputsHandler {
  constructor(private readonly release: ReleaseDecisionService) {}

  @EventPattern(TOPICS.valued, { batch: true })
  onValued(@Payload() items: BatchItem[]): Promise<OutgoingRecord[]> {
    return this.dispatch(TOPICS.valued, VALUED_INPUTS, items);
  }

  @EventPattern(TOPICS.payments, { batch: true })
  onPayment(@Payload() items: BatchItem[]): Promise<OutgoingRecord[]> {
    return this.dispatch(TOPICS.payments, PAYMENT_INPUTS, items);
  }

  /**
   * Officers' inputs share one topic (keyed by MRN, so a declaration's controls and its
   * decision stay in order): dispatched by event type.
   */
  @EventPattern(TOPICS.controlResults, { batch: true })
  onOfficerInput(@Payload() items: BatchItem[]): Promise<OutgoingRecord[]> {
    return this.dispatch(TOPICS.controlResults, CONTROL_INPUTS, items);
  }

  /**
   * Amendment and invalidation requests (intake's, and officers' corrections): release holds
   * each declaration's chain tail, so it is the one to append their links.
   */
  @EventPattern(TOPICS.amendments, { batch: true })
  onChangeRequest(@Payload() items: BatchItem[]): Promise<OutgoingRecord[]> {
    return this.dispatch(TOPICS.amendments, CHANGE_INPUTS, items);
  }

  /**
   * Every event of the chunk as the reducer input its type names on this topic (schema
   * version 1), all checked before any is applied: one of another type fails the chunk
   * before anything moved, the transport redoes it record by record, and that one alone is
   * refused by name and goes to the dead-letter topic.
   */
  private dispatch(
    topic: string,
    inputs: Readonly<Record<string, ReleaseInput['type']>>,
    items: readonly BatchItem[],
  ): Promise<OutgoingRecord[]> {
    return this.release.applyMany(items.map((i) => toInput(topic, inputs, i)));
  }
}

function toInput(
  topic: string,
  inputs: Readonly<Record<string, ReleaseInput['type']>>,
  { envelope: e, record }: BatchItem,
): ReleaseInputItem {
  const type = Object.prototype.hasOwnProperty.call(inputs, e.type) ? inputs[e.type] : undefined;
  if (!type) {
    throw Object.assign(
      new Error(`${topic} carries ${Object.keys(inputs).join(' or ')}, not ${String(e.type)}`),
      { retryable: false, code: 'UNEXPECTED_EVENT_TYPE' },
    );
  }
  requireVersion(e, e.type, [1]);
  // The payload's shape is the contract of its event type; the reducer checks what it uses.
  const input = {
    type,
    eventId: e.eventId,
    mrn: e.mrn!,
    occurredAt: e.occurredAt,
    payload: e.payload,
  } as ReleaseInput;
  return { event: e, input, source: sourceOf(record) };
}
