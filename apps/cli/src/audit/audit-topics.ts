import {
  ACCOUNT_ROLES,
  AUDIT_TOPIC_NAMES,
  DECLARATION_ROLES,
  EXTERNAL_CAUSE_ROLES,
  TopicRole,
} from '@customs/domain';

export interface AuditTopic {
  role: TopicRole;
  topic: string;
}

/**
 * Topics an audit reads: the declaration log, the external causes, the notifications and
 * the accounts log (every balance starts there).
 */
export const AUDITED_ROLES: readonly TopicRole[] = [
  ...DECLARATION_ROLES,
  ...EXTERNAL_CAUSE_ROLES,
  'notifications',
  ...ACCOUNT_ROLES,
];

/**
 * The actual topic names: the contract names, behind a prefix for scratch copies
 * (`--topic-prefix`), optionally restricted to some of them (`--topics`, contract names or
 * prefixed names). An unknown name is an error naming it.
 */
export function resolveAuditTopics(
  prefix = '',
  only?: string,
  roles: readonly TopicRole[] = AUDITED_ROLES,
): AuditTopic[] {
  const all = roles.map((role) => ({ role, topic: `${prefix}${AUDIT_TOPIC_NAMES[role]}` }));
  if (!only) return all;
  const wanted = only
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const unknown = wanted.filter(
    (w) => !all.some((a) => a.topic === w || AUDIT_TOPIC_NAMES[a.role] === w),
  );
  if (unknown.length > 0)
    throw new Error(
      `--topics: ${unknown.join(', ')} is not an audited topic; expected some of ${all.map((a) => a.topic).join(', ')}`,
    );
  return all.filter((a) => wanted.includes(a.topic) || wanted.includes(AUDIT_TOPIC_NAMES[a.role]));
}
