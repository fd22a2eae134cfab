import { ADMIN_PRINCIPAL, EVENT_TYPES, TOPICS } from '@customs/contracts';
import { loadSigner, signedMessages } from '@customs/messaging';
import { readEnvelope } from '@customs/domain';
import { loadSeedAccounts } from '@customs/reference-data';
import { Kafka } from 'kafkajs';
import { readLog } from '../audit/kafka-log.reader';
import { AccountRecord, notYetLogged, seedOpenings } from './account-events.builder';

/** Event ids and opened accounts already on customs.accounts.v1. */
export async function loggedAccountEvents(kafka: Kafka) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(TOPICS.accounts))
      throw new Error(
        `topic ${TOPICS.accounts} does not exist: run \`customs stack up\` (or start release) first`,
      );
  } finally {
    await admin.disconnect();
  }
  const eventIds = new Set<string>();
  const openedAccounts = new Set<string>();
  await readLog(kafka, [{ role: 'accounts', topic: TOPICS.accounts }], (r) => {
    const read = readEnvelope(r.value);
    if (!('envelope' in read) || !read.hashValid) return;
    eventIds.add(read.envelope.eventId);
    if (read.envelope.type === EVENT_TYPES.accountOpened && r.key) openedAccounts.add(r.key);
  });
  return { eventIds, openedAccounts };
}

/**
 * Writes what is not on the log yet, in one idempotent send; returns what it wrote (or,
 * with `dryRun`, would write). Run twice, the second run writes nothing.
 */
export async function publishAccountEvents(
  kafka: Kafka,
  records: AccountRecord[],
  o: { dryRun?: boolean } = {},
): Promise<AccountRecord[]> {
  const todo = notYetLogged(records, await loggedAccountEvents(kafka));
  if (o.dryRun || todo.length === 0) return todo;
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await producer.send({
      topic: TOPICS.accounts,
      acks: -1,
      // Signed by the administration: only admin may open or credit an account.
      messages: signedMessages(
        TOPICS.accounts,
        todo.map((r) => ({
          key: r.key,
          value: JSON.stringify(r.value),
          headers: { 'content-type': 'application/json' },
        })),
        loadSigner(ADMIN_PRINCIPAL),
      ),
    });
  } finally {
    await producer.disconnect();
  }
  return todo;
}

/**
 * The demonstration accounts, opened on the log once (what `customs accounts seed` does):
 * for `stack up`, the demo and the e2e harness, before anything is declared on them.
 */
export function publishSeedAccounts(kafka: Kafka): Promise<AccountRecord[]> {
  return publishAccountEvents(
    kafka,
    seedOpenings(loadSeedAccounts().accounts, new Date().toISOString()),
  );
}
