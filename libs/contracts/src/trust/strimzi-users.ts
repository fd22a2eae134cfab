import { aclsOf, AclOperation, PrincipalSpec } from './principals';

/** Strimzi's names for Kafka ACL operations and resource types. */
const OPERATION: Record<AclOperation, string> = {
  READ: 'Read',
  WRITE: 'Write',
  DESCRIBE: 'Describe',
  DESCRIBE_CONFIGS: 'DescribeConfigs',
  DELETE: 'Delete',
};
const RESOURCE = { topic: 'topic', group: 'group', 'transactional-id': 'transactionalId' };

/**
 * The principals table as Strimzi `KafkaUser` resources (SCRAM-SHA-512, simple
 * authorisation): the User Operator creates each user, its ACLs and a Secret of the same
 * name holding its password. Returned as plain objects, to be written as YAML.
 */
export function strimziKafkaUsers(
  principals: readonly PrincipalSpec[],
  cluster = 'customs',
): Record<string, unknown>[] {
  return principals.map((p) => ({
    apiVersion: 'kafka.strimzi.io/v1beta2',
    kind: 'KafkaUser',
    metadata: {
      name: p.name,
      labels: { 'strimzi.io/cluster': cluster, 'customs/principal-kind': p.kind },
    },
    spec: {
      authentication: { type: 'scram-sha-512' },
      authorization: {
        type: 'simple',
        acls: aclsOf(p).map((a) => ({
          resource: { type: RESOURCE[a.resource], name: a.name, patternType: a.pattern },
          operations: a.operations.map((o) => OPERATION[o]),
          host: '*',
        })),
      },
    },
  }));
}
