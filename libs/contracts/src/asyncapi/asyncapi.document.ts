import { dlqTopic, SERVICES, TOPICS } from '../topics';
import { KEY_ID_HEADER, SIGNATURE_HEADER } from '../trust/record-signature';
import { SIGNER_POLICY } from '../trust/signer-policy';
import { EVENT_TYPES } from '../events/declaration-events';
import { contractSchemas } from './payload.schemas';
import { CHECKPOINT_EVENT_TYPE } from '../trust/signed-tree-head';

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

const SIGNATURE_HEADERS = {
  [SIGNATURE_HEADER]: {
    type: 'string',
    description:
      'base64 Ed25519 signature of UTF-8 "customs-record-signature/v1\\n<topic>\\n<hex SHA-256 of key>\\n<hex SHA-256 of value>"',
  },
  [KEY_ID_HEADER]: {
    type: 'string',
    pattern: '^[a-z]+(-[A-Za-z0-9.]+)*:[0-9a-f]{16}$',
    description: '<principal>:<first 16 hex of SHA-256 of the raw public key>, in the key registry',
  },
};
const TRACE_HEADERS = {
  traceparent: { type: 'string', description: 'W3C trace context' },
  'content-type': { const: 'application/json' },
};

/** Who may sign each type on a topic (the signer policy), for the channel's description. */
const signersOf = (topic: string) =>
  Object.entries(SIGNER_POLICY[topic] ?? {})
    .map(([type, signers]) => `${type} by ${signers.join(' or ')}`)
    .join('; ');

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
        required: [SIGNATURE_HEADER, KEY_ID_HEADER],
        properties: { ...SIGNATURE_HEADERS, ...TRACE_HEADERS },
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
      'The original record bytes, unchanged, with headers dlq-origin-topic, dlq-origin-partition, dlq-origin-offset, dlq-error, dlq-error-code, dlq-service; signed by the service, the original signature kept in dlq-origin-signature and dlq-origin-key-id',
    headers: {
      type: 'object',
      required: [
        'dlq-origin-topic',
        'dlq-origin-partition',
        'dlq-origin-offset',
        'dlq-error',
        SIGNATURE_HEADER,
        KEY_ID_HEADER,
      ],
      properties: {
        ...Object.fromEntries(
          [
            'dlq-origin-topic',
            'dlq-origin-partition',
            'dlq-origin-offset',
            'dlq-error',
            'dlq-error-code',
            'dlq-service',
            'dlq-origin-signature',
            'dlq-origin-key-id',
          ].map((h) => [h, { type: 'string' }]),
        ),
        ...SIGNATURE_HEADERS,
      },
    },
    payload: {},
  };
  const channels: Record<string, unknown> = {};
  for (const [topic, types] of Object.entries(TOPIC_EVENT_TYPES)) {
    channels[channelId(topic)] = {
      address: topic,
      description: `key: ${KEYS[topic] ?? 'MRN'}; retention: forever (retention.ms=-1, cleanup.policy=delete); signers: ${signersOf(topic)}`,
      messages: Object.fromEntries(types.map((t) => [t, { $ref: `#/components/messages/${t}` }])),
    };
  }
  messages[CHECKPOINT_EVENT_TYPE] = {
    name: CHECKPOINT_EVENT_TYPE,
    contentType: 'application/json',
    description:
      'A signed RFC 9162 Merkle tree head over one audited partition (docs/audit.md: the leaf of a record)',
    payload: {
      allOf: [
        { $ref: '#/components/schemas/EventEnvelope' },
        {
          type: 'object',
          properties: {
            type: { const: CHECKPOINT_EVENT_TYPE },
            mrn: { type: 'null' },
            payload: {
              type: 'object',
              required: [
                'logId',
                'treeSize',
                'firstOffset',
                'lastOffset',
                'rootHash',
                'timestamp',
                'frontier',
                'keyId',
                'signature',
              ],
              properties: {
                logId: { type: 'string', description: '<topic>/<partition>' },
                treeSize: { type: 'integer', minimum: 0 },
                firstOffset: { type: 'string', pattern: '^(0|[1-9][0-9]*)?$' },
                lastOffset: { type: 'string', pattern: '^(0|[1-9][0-9]*)?$' },
                rootHash: { type: 'string', pattern: '^[0-9a-f]{64}$' },
                timestamp: { type: 'string', format: 'date-time' },
                frontier: { type: 'array', items: { type: 'string', pattern: '^[0-9a-f]{64}$' } },
                keyId: { type: 'string' },
                signature: {
                  type: 'string',
                  description:
                    'base64 Ed25519 over the canonical JSON of {logId, treeSize, firstOffset, lastOffset, rootHash, timestamp}',
                },
              },
            },
          },
        },
      ],
    },
  };
  channels[channelId(TOPICS.checkpoints)] = {
    address: TOPICS.checkpoints,
    description:
      'key: <topic>/<partition> of the checkpointed log; retention: forever (retention.ms=-1, cleanup.policy=delete)',
    messages: {
      [CHECKPOINT_EVENT_TYPE]: { $ref: `#/components/messages/${CHECKPOINT_EVENT_TYPE}` },
    },
  };
  for (const service of SERVICES) {
    channels[channelId(dlqTopic(service))] = {
      address: dlqTopic(service),
      description: `records ${service} could not process; key as the source; signer: svc-${service}`,
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
