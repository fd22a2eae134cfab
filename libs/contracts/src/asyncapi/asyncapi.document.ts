import { dlqTopic, SERVICES, TOPICS } from '../topics';
import { EVENT_TYPES } from '../events/declaration-events';
import { contractSchemas } from './payload.schemas';

/** Which event types each topic carries: the contract consumers rely on. */
export const TOPIC_EVENT_TYPES: Record<string, readonly string[]> = {
  [TOPICS.submitted]: [EVENT_TYPES.submitted],
  [TOPICS.accepted]: [EVENT_TYPES.accepted, EVENT_TYPES.amended],
  [TOPICS.rejected]: [EVENT_TYPES.rejected],
  [TOPICS.riskAssessed]: [EVENT_TYPES.riskAssessed],
  [TOPICS.valued]: [EVENT_TYPES.valued],
  [TOPICS.held]: [EVENT_TYPES.held],
  [TOPICS.released]: [EVENT_TYPES.released, EVENT_TYPES.invalidated],
  [TOPICS.payments]: [EVENT_TYPES.payment],
  [TOPICS.controlResults]: [EVENT_TYPES.controlResult, EVENT_TYPES.officerDecision],
  [TOPICS.notifications]: [EVENT_TYPES.notification],
  [TOPICS.amendments]: [EVENT_TYPES.amendmentRequested, EVENT_TYPES.invalidationRequested],
  [TOPICS.accounts]: [EVENT_TYPES.accountOpened, EVENT_TYPES.accountCredited],
};

const KEYS: Record<string, string> = {
  [TOPICS.submitted]: 'LRN (declarant reference)',
  [TOPICS.rejected]: 'LRN',
  [TOPICS.notifications]: 'recipient: declarant or border-post id',
  [TOPICS.accounts]: 'account id',
};

const channelId = (topic: string) =>
  topic
    .replace(/^customs\./, '')
    .replace(/\.v\d+$/, '')
    .replace(/[.]/g, '-');

/**
 * The AsyncAPI 3.0 document of every topic and payload, generated from the contracts lib so
 * that it is the contract, not a description of it.
 */
export function buildAsyncApiDocument(version: string): Record<string, unknown> {
  const schemas = contractSchemas();
  const messages: Record<string, unknown> = {};
  for (const type of Object.values(EVENT_TYPES)) {
    messages[type] = {
      name: type,
      contentType: 'application/json',
      headers: {
        type: 'object',
        properties: {
          traceparent: { type: 'string', description: 'W3C trace context' },
          'content-type': { const: 'application/json' },
        },
      },
      payload: {
        allOf: [
          { $ref: '#/components/schemas/EventEnvelope' },
          {
            type: 'object',
            properties: {
              type: { const: type },
              payload: { $ref: `#/components/schemas/${type}Payload` },
            },
          },
        ],
      },
    };
  }
  messages.DeadLetter = {
    name: 'DeadLetter',
    description:
      'The original record bytes, unchanged, with headers dlq-origin-topic, dlq-origin-partition, dlq-origin-offset, dlq-error, dlq-error-code, dlq-service',
    headers: {
      type: 'object',
      required: ['dlq-origin-topic', 'dlq-origin-partition', 'dlq-origin-offset', 'dlq-error'],
      properties: Object.fromEntries(
        [
          'dlq-origin-topic',
          'dlq-origin-partition',
          'dlq-origin-offset',
          'dlq-error',
          'dlq-error-code',
          'dlq-service',
        ].map((h) => [h, { type: 'string' }]),
      ),
    },
    payload: {},
  };
  const channels: Record<string, unknown> = {};
  for (const [topic, types] of Object.entries(TOPIC_EVENT_TYPES)) {
    channels[channelId(topic)] = {
      address: topic,
      description: `key: ${KEYS[topic] ?? 'MRN'}; retention: forever (retention.ms=-1, cleanup.policy=delete)`,
      messages: Object.fromEntries(types.map((t) => [t, { $ref: `#/components/messages/${t}` }])),
    };
  }
  for (const service of SERVICES) {
    channels[channelId(dlqTopic(service))] = {
      address: dlqTopic(service),
      description: `records ${service} could not process; key as the source`,
      messages: { DeadLetter: { $ref: '#/components/messages/DeadLetter' } },
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Customs clearance events',
      version,
      description:
        'Every record value is one UTF-8 JSON event envelope; per declaration, sequence and prevHash form a SHA-256 hash chain.',
    },
    defaultContentType: 'application/json',
    channels,
    components: { schemas, messages },
  };
}
