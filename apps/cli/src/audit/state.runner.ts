import { Kafka } from 'kafkajs';
import { EventEnvelope } from '@customs/contracts';
import {
  DECLARATION_ROLES,
  declarationStateAt,
  DeclarationStateAt,
  EXTERNAL_CAUSE_ROLES,
  readEnvelope,
} from '@customs/domain';
import { AuditTopic, resolveAuditTopics } from './audit-topics';
import { readLog, ReadOptions } from './kafka-log.reader';

/**
 * A declaration as it stood at an instant, from the log alone. Two passes: the MRN-keyed
 * topics give the chain (and its correlation id), then the submitted topic its first event,
 * which carries no MRN yet.
 */
export async function runState(
  kafka: Kafka,
  mrn: string,
  at: string,
  prefix = '',
  read: ReadOptions = {},
): Promise<DeclarationStateAt | null> {
  const roles = [...DECLARATION_ROLES, ...EXTERNAL_CAUSE_ROLES];
  const all = resolveAuditTopics(prefix, undefined, roles);
  const first: AuditTopic[] = all.filter((t) => t.role !== 'submitted');
  const chain: EventEnvelope[] = [];
  const external: EventEnvelope[] = [];
  await readLog(
    kafka,
    first,
    (r) => {
      // Records of this MRN are keyed by it: skip the others without parsing them.
      if (r.key !== mrn) return;
      const e = readEnvelope(r.value);
      if (!('envelope' in e) || e.envelope.mrn !== mrn) return;
      if (EXTERNAL_CAUSE_ROLES.includes(r.role)) external.push(e.envelope);
      else chain.push(e.envelope);
    },
    read,
  );
  if (chain.length === 0) return null;
  const correlation = new Set(chain.map((e) => e.correlationId));
  const lrns = new Set(chain.map((e) => e.lrn));
  await readLog(
    kafka,
    all.filter((t) => t.role === 'submitted'),
    (r) => {
      if (r.key === null || !lrns.has(r.key)) return;
      const e = readEnvelope(r.value);
      if ('envelope' in e && correlation.has(e.envelope.correlationId)) chain.push(e.envelope);
    },
    read,
  );
  return declarationStateAt(chain, external, at);
}

export function formatState(s: DeclarationStateAt): string {
  const lines = [
    `${s.mrn} (LRN ${s.lrn}) at ${s.at}`,
    `  stage         ${s.stage ?? 'not yet submitted'}`,
  ];
  if (s.acceptedAt) lines.push(`  accepted at   ${s.acceptedAt}`);
  if (s.rejection) lines.push(`  rejected      ${s.rejection.codes.join(', ')}`);
  if (s.risk)
    lines.push(
      `  lane          ${s.risk.channel} (score ${s.risk.score}, ruleset ${s.risk.rulesetVersion})`,
    );
  if (s.amounts)
    lines.push(
      `  customs value ${s.amounts.customsValue} ${s.amounts.currency}`,
      `  duties        ${s.amounts.totalDuties} ${s.amounts.currency}`,
      `  taxes         ${s.amounts.totalTaxes} ${s.amounts.currency}`,
      `  to pay        ${s.amounts.totalToPay} ${s.amounts.currency} (tariff ${s.amounts.tariffVersion}, rates ${s.amounts.exchangeRatesVersion})`,
    );
  if (s.release)
    lines.push(
      `  release       ${s.release.status}${s.release.waitingFor ? `, waiting for ${s.release.waitingFor.join(', ')}` : ''}${s.release.grounds ? ` (${s.release.grounds.join('; ')})` : ''}`,
    );
  for (const p of s.payments)
    lines.push(`  ${p.kind.padEnd(13)} ${p.amount} ${p.currency} at ${p.occurredAt}`);
  for (const c of s.controls)
    lines.push(`  ${c.control.padEnd(13)} ${c.outcome} at ${c.occurredAt}`);
  lines.push('  events:');
  for (const e of s.events)
    lines.push(`    ${String(e.sequence).padStart(3)} ${e.occurredAt} ${e.type}`);
  for (const u of s.unknown) lines.push(`  not understood: ${u}`);
  return lines.join('\n');
}
