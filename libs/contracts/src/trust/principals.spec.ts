import { dlqTopic, TOPICS } from '../topics';
import {
  aclsOf,
  allPrincipals,
  borderPostPrincipal,
  findPrincipal,
  partnerPrincipals,
  SERVICE_PRINCIPAL,
  servicePrincipals,
  topicsOf,
} from './principals';
import { strimziKafkaUsers } from './strimzi-users';

const registry = { borderPosts: ['NL-RTM-MAASVLAKTE', 'FR-BP-CALAIS'], paymentSystems: ['BANK-1'] };
const all = allPrincipals(registry);
const writers = (topic: string) =>
  all
    .filter((p) => p.produces.includes(topic))
    .map((p) => p.name)
    .sort();

describe('the principals table', () => {
  it('names each party once, in names Kafka and Kubernetes both accept', () => {
    expect(new Set(all.map((p) => p.name)).size).toBe(all.length);
    for (const p of all) expect(p.name).toMatch(/^[a-z0-9][a-z0-9.-]*$/);
    expect(borderPostPrincipal('NL-RTM-MAASVLAKTE')).toBe('bp-nl-rtm-maasvlakte');
  });

  it('lets each stage alone write its outcome topic (and the admin re-inject dead letters)', () => {
    expect(writers(TOPICS.accepted)).toEqual(['admin', 'svc-intake', 'svc-release']);
    expect(writers(TOPICS.riskAssessed)).toEqual(['admin', 'svc-risk']);
    expect(writers(TOPICS.valued)).toEqual(['admin', 'svc-valuation']);
    expect(writers(TOPICS.released)).toEqual(['admin', 'svc-release']);
    expect(writers(TOPICS.held)).toEqual(['admin', 'svc-release']);
    expect(writers(dlqTopic('risk'))).toEqual(['svc-risk']);
  });

  it('lets partners write their one input topic and read nothing', () => {
    for (const p of partnerPrincipals(registry)) {
      expect(p.consumes).toEqual([]);
      expect(p.groups).toEqual([]);
      expect(p.transactionalIds).toEqual([]);
      expect(p.produces).toEqual([p.kind === 'border-post' ? TOPICS.submitted : TOPICS.payments]);
    }
  });

  it("gives no one but the notification feed's owner read access to notifications", () => {
    const readers = all.filter((p) => p.consumes.includes(TOPICS.notifications)).map((p) => p.name);
    expect(readers.sort()).toEqual(['auditor', 'svc-audit', 'svc-release']);
  });

  it('keeps every service to its own literal groups and transactional-id prefix', () => {
    // The pipeline services; the checkpointer uses a group per run (prefixed).
    for (const s of servicePrincipals().filter((p) => p.name !== 'svc-audit')) {
      const groups = aclsOf(s).filter((a) => a.resource === 'group');
      for (const g of groups) expect(g.pattern).toBe('literal');
      const others = servicePrincipals().filter((o) => o.name !== s.name);
      for (const g of groups)
        for (const o of others) expect(o.groups.map((x) => x.name)).not.toContain(g.name);
    }
    expect(findPrincipal(all, SERVICE_PRINCIPAL.risk).groups).toEqual([
      { name: 'customs-risk', pattern: 'literal' },
    ]);
  });

  it('gives the auditor reads, topic settings and its own groups, never a write', () => {
    const auditor = findPrincipal(all, 'auditor');
    expect(auditor.produces).toEqual([]);
    const ops = new Set(aclsOf(auditor).flatMap((a) => a.operations));
    expect(ops.has('WRITE')).toBe(false);
    expect(auditor.groups).toEqual([{ name: 'customs-audit-', pattern: 'prefixed' }]);
  });

  it('lists the topics a service must find at start', () => {
    expect(topicsOf(findPrincipal(all, SERVICE_PRINCIPAL.valuation)).sort()).toEqual(
      [TOPICS.riskAssessed, TOPICS.valued, dlqTopic('valuation')].sort(),
    );
  });

  it('refuses partner ids that cannot be user names, and an unknown principal by name', () => {
    expect(() => allPrincipals({ borderPosts: ['has space'], paymentSystems: [] })).toThrow(
      /border post id "has space"/,
    );
    expect(() => allPrincipals({ borderPosts: ['A', 'a'], paymentSystems: [] })).toThrow(
      /listed twice/,
    );
    expect(() => findPrincipal(all, 'mallory')).toThrow(/unknown principal "mallory"/);
  });

  it('renders as Strimzi KafkaUsers with the same ACLs', () => {
    const users = strimziKafkaUsers(all) as {
      metadata: { name: string };
      spec: { authorization: { acls: { resource: { type: string }; operations: string[] }[] } };
    }[];
    expect(users.map((u) => u.metadata.name)).toEqual(all.map((p) => p.name));
    const intake = users.find((u) => u.metadata.name === 'svc-intake')!;
    expect(intake.spec.authorization.acls.length).toBe(aclsOf(all[0]).length);
    expect(intake.spec.authorization.acls.some((a) => a.resource.type === 'transactionalId')).toBe(
      true,
    );
  });
});
