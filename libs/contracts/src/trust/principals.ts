import { dlqTopic, ServiceName, TOPICS } from '../topics';

/**
 * Who may talk to the broker, and what each may do: the one table the local stack, the
 * compose file and the Kubernetes manifests (Strimzi KafkaUser) are generated from. Every
 * principal is a SASL/SCRAM user; the broker denies what no ACL allows
 * (allow.everyone.if.no.acl.found=false), so a principal not listed here can do nothing.
 */
export type PrincipalKind = 'service' | 'border-post' | 'payment-system' | 'auditor' | 'admin';

export type AclOperation = 'READ' | 'WRITE' | 'DESCRIBE' | 'DESCRIBE_CONFIGS' | 'DELETE';
export type AclResource = 'topic' | 'group' | 'transactional-id';
export type AclPattern = 'literal' | 'prefixed';

export interface AclGrant {
  resource: AclResource;
  name: string;
  pattern: AclPattern;
  operations: AclOperation[];
}

export interface PrincipalSpec {
  /** The SASL user name, also the signer name in the key registry. */
  name: string;
  kind: PrincipalKind;
  description: string;
  /** Topics it writes (WRITE implies DESCRIBE). */
  produces: string[];
  /** Topics it reads (READ implies DESCRIBE). */
  consumes: string[];
  /** Consumer groups it may use. */
  groups: { name: string; pattern: AclPattern }[];
  /** Transactional ids it may use (prefixes: one per replica and partition slot). */
  transactionalIds: string[];
  /** Anything else (the auditor reads topic settings, deletes its own scratch groups). */
  extra?: AclGrant[];
}

/** The broker's super user: topic creation, ACLs, credentials. Never a business signer. */
export const BROKER_SUPER_USER = 'kafka-admin';

export const SERVICE_PRINCIPAL: Record<ServiceName | 'audit', string> = {
  intake: 'svc-intake',
  risk: 'svc-risk',
  valuation: 'svc-valuation',
  release: 'svc-release',
  audit: 'svc-audit',
};

// Kafka user names double as Kubernetes names (Strimzi KafkaUser): lower case, no '_'.
const PARTNER_ID = /^[A-Za-z0-9][A-Za-z0-9.-]{0,59}$/;

/** The principal (Kafka user and signer) of a border post: `bp-` and its id in lower case. */
export const borderPostPrincipal = (post: string) => `bp-${post.toLowerCase()}`;
export const paymentSystemPrincipal = (id: string) => `pay-${id.toLowerCase()}`;
export const AUDITOR_PRINCIPAL = 'auditor';
export const ADMIN_PRINCIPAL = 'admin';

/** Consumer groups of the auditor's readers (each run its own, deleted afterwards). */
export const AUDITOR_GROUP_PREFIX = 'customs-audit-';
/**
 * Scratch copies of the log an administrator makes for an investigation (`audit-<case>.`
 * before the contract names): the auditor reads them like the log itself.
 */
export const AUDIT_SCRATCH_PREFIX = 'audit-';
/** The admin CLI's dead-letter redrive: one group and transactional id per service. */
export const REDRIVE_PREFIX = 'customs-dlq-redrive-';
/** The checkpointer's consumer groups (one per run). */
export const CHECKPOINTER_GROUP = 'customs-checkpointer';

/** What the audit log consists of: every topic a declaration's history is read from. */
const AUDITED: string[] = [
  TOPICS.submitted,
  TOPICS.accepted,
  TOPICS.rejected,
  TOPICS.riskAssessed,
  TOPICS.valued,
  TOPICS.held,
  TOPICS.released,
  TOPICS.payments,
  TOPICS.controlResults,
  TOPICS.notifications,
  TOPICS.amendments,
  TOPICS.accounts,
];

const CHECKPOINTS_TOPIC = TOPICS.checkpoints;

const SERVICES_DLQ = (['intake', 'risk', 'valuation', 'release'] as const).map(dlqTopic);

function service(
  name: ServiceName,
  description: string,
  produces: string[],
  consumes: string[],
  groups: string[],
): PrincipalSpec {
  return {
    name: SERVICE_PRINCIPAL[name],
    kind: 'service',
    description,
    produces: [...produces, dlqTopic(name)],
    consumes,
    groups: groups.map((g) => ({ name: g, pattern: 'literal' })),
    // bootstrapService: customs-<service>[-<group>]-<replica>-<slot>
    transactionalIds: [`customs-${name}-`],
  };
}

/** The four pipeline services and the checkpointer: fixed by the code. */
export function servicePrincipals(): PrincipalSpec[] {
  return [
    service(
      'intake',
      'validates submissions and assigns MRNs; keeps the timeline read model',
      // submitted: the HTTP lodgement publishes there and decides it like any submission.
      [TOPICS.submitted, TOPICS.accepted, TOPICS.rejected, TOPICS.notifications, TOPICS.amendments],
      [
        TOPICS.submitted,
        TOPICS.accepted,
        TOPICS.riskAssessed,
        TOPICS.valued,
        TOPICS.held,
        TOPICS.released,
      ],
      ['customs-intake', 'customs-intake-timeline'],
    ),
    service(
      'risk',
      'selects declarations for control',
      [TOPICS.riskAssessed],
      [TOPICS.accepted],
      ['customs-risk'],
    ),
    service(
      'valuation',
      'values declarations: customs value, duties, taxes',
      [TOPICS.valued],
      [TOPICS.riskAssessed],
      ['customs-valuation'],
    ),
    service(
      'release',
      'holds and releases; officer, payment and notification APIs',
      // payments, control results and amendments: its HTTP adapters for payment systems and
      // officers publish there, then decide them like any input. accepted: an amended
      // declaration goes back through risk and valuation as DeclarationAmended.
      [
        TOPICS.accepted,
        TOPICS.held,
        TOPICS.released,
        TOPICS.notifications,
        TOPICS.payments,
        TOPICS.controlResults,
        TOPICS.amendments,
      ],
      [
        TOPICS.valued,
        TOPICS.payments,
        TOPICS.controlResults,
        TOPICS.amendments,
        TOPICS.notifications,
        TOPICS.accounts,
      ],
      ['customs-release', 'customs-release-notifications', 'customs-release-accounts'],
    ),
    {
      name: SERVICE_PRINCIPAL.audit,
      kind: 'service',
      description: 'the checkpointer: signs Merkle tree heads of every audited partition',
      produces: [CHECKPOINTS_TOPIC],
      consumes: [...AUDITED, CHECKPOINTS_TOPIC],
      // One group per run: its offsets are in the published heads, not in the group.
      groups: [{ name: `${CHECKPOINTER_GROUP}-`, pattern: 'prefixed' }],
      transactionalIds: [],
      // It also checkpoints scratch copies of the log (CHECKPOINT_TOPIC_PREFIX).
      extra: [
        {
          resource: 'topic',
          name: AUDIT_SCRATCH_PREFIX,
          pattern: 'prefixed',
          operations: ['READ', 'WRITE'],
        },
      ],
    },
  ];
}

export interface PartnerRegistry {
  borderPosts: readonly string[];
  paymentSystems: readonly string[];
}

function checkPartnerId(kind: string, id: string): string {
  if (!PARTNER_ID.test(id))
    throw new Error(`${kind} id ${JSON.stringify(id)}: 1-60 letters, digits, "." or "-"`);
  return id;
}

/**
 * Partners write their one input topic and nothing else; they read nothing on the broker
 * (notifications are one topic keyed by recipient, and an ACL cannot tell keys apart, so
 * a partner reads its own feed over HTTP, where ownership is checked).
 */
export function partnerPrincipals(registry: PartnerRegistry): PrincipalSpec[] {
  return [
    ...registry.borderPosts.map((post) => ({
      name: borderPostPrincipal(checkPartnerId('border post', post)),
      kind: 'border-post' as const,
      description: `border post ${post}: lodges declarations`,
      produces: [TOPICS.submitted],
      consumes: [],
      groups: [],
      transactionalIds: [],
    })),
    ...registry.paymentSystems.map((id) => ({
      name: paymentSystemPrincipal(checkPartnerId('payment system', id)),
      kind: 'payment-system' as const,
      description: `payment system ${id}: reports payments`,
      produces: [TOPICS.payments],
      consumes: [],
      groups: [],
      transactionalIds: [],
    })),
  ];
}

/** The auditor's reader and the admin CLI. */
export function operatorPrincipals(): PrincipalSpec[] {
  return [
    {
      name: AUDITOR_PRINCIPAL,
      kind: 'auditor',
      description: 'reads the audit log, the dead letters and topic settings; writes nothing',
      produces: [],
      consumes: [...AUDITED, ...SERVICES_DLQ, CHECKPOINTS_TOPIC],
      groups: [{ name: AUDITOR_GROUP_PREFIX, pattern: 'prefixed' }],
      transactionalIds: [],
      extra: [
        ...[...AUDITED, ...SERVICES_DLQ, CHECKPOINTS_TOPIC].map((t) => ({
          resource: 'topic' as const,
          name: t,
          pattern: 'literal' as const,
          operations: ['DESCRIBE_CONFIGS' as const],
        })),
        {
          resource: 'group',
          name: AUDITOR_GROUP_PREFIX,
          pattern: 'prefixed',
          operations: ['DELETE'],
        },
        {
          resource: 'topic',
          name: AUDIT_SCRATCH_PREFIX,
          pattern: 'prefixed',
          operations: ['READ', 'DESCRIBE_CONFIGS'],
        },
      ],
    },
    {
      name: ADMIN_PRINCIPAL,
      kind: 'admin',
      description:
        'the admin CLI: inspects dead letters and re-injects them (original bytes and signatures)',
      // Redrive writes a dead letter back to its origin topic; consumers still check its
      // signature, so this grants no power to forge.
      // It also opens and credits accounts (customs.accounts.v1), reading that log first
      // (in a reader's group) so that nothing is written twice.
      produces: [...AUDITED],
      consumes: [...SERVICES_DLQ, TOPICS.accounts],
      groups: [
        { name: REDRIVE_PREFIX, pattern: 'prefixed' },
        { name: AUDITOR_GROUP_PREFIX, pattern: 'prefixed' },
      ],
      transactionalIds: [REDRIVE_PREFIX],
      extra: [
        {
          resource: 'group',
          name: AUDITOR_GROUP_PREFIX,
          pattern: 'prefixed',
          operations: ['DELETE'],
        },
      ],
    },
  ];
}

export function allPrincipals(registry: PartnerRegistry): PrincipalSpec[] {
  const all = [...servicePrincipals(), ...partnerPrincipals(registry), ...operatorPrincipals()];
  const seen = new Set<string>();
  for (const p of all) {
    if (seen.has(p.name)) throw new Error(`principal ${p.name} is listed twice`);
    seen.add(p.name);
  }
  return all;
}

/** The ACLs of one principal, most specific first, each operation once per resource. */
export function aclsOf(p: PrincipalSpec): AclGrant[] {
  const grants = new Map<string, AclGrant>();
  const add = (resource: AclResource, name: string, pattern: AclPattern, op: AclOperation) => {
    const key = `${resource}|${pattern}|${name}`;
    const g = grants.get(key) ?? { resource, name, pattern, operations: [] };
    if (!g.operations.includes(op)) g.operations.push(op);
    grants.set(key, g);
  };
  for (const t of p.consumes) add('topic', t, 'literal', 'READ');
  for (const t of p.produces) add('topic', t, 'literal', 'WRITE');
  for (const g of p.groups) add('group', g.name, g.pattern, 'READ');
  for (const t of p.transactionalIds) add('transactional-id', t, 'prefixed', 'WRITE');
  for (const e of p.extra ?? [])
    for (const op of e.operations) add(e.resource, e.name, e.pattern, op);
  return [...grants.values()];
}

/** Topics a principal touches: a service checks at start that they exist. */
export function topicsOf(p: PrincipalSpec): string[] {
  return [...new Set([...p.produces, ...p.consumes])];
}

export function findPrincipal(all: readonly PrincipalSpec[], name: string): PrincipalSpec {
  const p = all.find((x) => x.name === name);
  if (!p)
    throw new Error(
      `unknown principal ${JSON.stringify(name)}; known: ${all.map((x) => x.name).join(', ')}`,
    );
  return p;
}
