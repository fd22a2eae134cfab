import { Kafka, logLevel } from 'kafkajs';
import {
  AUDITOR_PRINCIPAL,
  borderPostPrincipal,
  paymentSystemPrincipal,
  SERVICE_PRINCIPAL,
  TOPICS,
} from '@customs/contracts';
import mongoose from 'mongoose';
import { localMongoUrl, localSecurity } from '@customs/stack';

/**
 * Issue 14, identities on the broker: the local stack's broker authenticates every client
 * (SASL/SCRAM-SHA-512) and authorises with the ACLs of the principals table; what no ACL
 * grants is refused. Each case connects as the principal it tries.
 */
const BROKERS = [process.env.KAFKA_BROKERS ?? '127.0.0.1:9092'];
const POST = 'NL-RTM-MAASVLAKTE';
const DENIED = /TOPIC_AUTHORIZATION_FAILED/;
/**
 * A group refused: the broker answers FindCoordinator with GROUP_AUTHORIZATION_FAILED, which
 * kafkajs reports as "coordinator not found" (the auditor's own group, joined in the same
 * way, shows that the coordinator itself is there).
 */
const GROUP_DENIED =
  /GROUP_AUTHORIZATION_FAILED|TOPIC_AUTHORIZATION_FAILED|KafkaJSGroupCoordinatorNotFound/;

function clientAs(principal: string | null, password?: string): Kafka {
  const security = principal ? localSecurity(principal) : {};
  if (password && security.sasl) Object.assign(security.sasl, { password });
  return new Kafka({
    clientId: `trust-e2e-${principal ?? 'anonymous'}`,
    brokers: BROKERS,
    ...security,
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 3000,
    authenticationTimeout: 3000,
  });
}

/** The broker's error codes behind a kafkajs error (it wraps them in retry errors). */
function errorTypes(error: unknown): string {
  const out: string[] = [];
  let e = error as
    { type?: string; name?: string; cause?: unknown; originalError?: unknown } | undefined;
  for (let depth = 0; e && depth < 6; depth++) {
    out.push(String(e.type ?? e.name));
    e = (e.originalError ?? e.cause) as typeof e;
  }
  return out.join(' < ');
}

/** The broker's answer to one write as `principal`: 'ok' or the error's type/name. */
async function tryWrite(principal: string, topic: string): Promise<string> {
  const producer = clientAs(principal).producer({ retry: { retries: 0 } });
  try {
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: [{ key: 'TRUST-E2E', value: '{"probe":"not an envelope"}' }],
    });
    return 'ok';
  } catch (error) {
    return errorTypes(error);
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}

/** Tries to join `groupId` on `topic` as `principal`: 'joined' or the error's type. */
async function tryJoin(principal: string, groupId: string, topic: string): Promise<string> {
  const consumer = clientAs(principal).consumer({ groupId, retry: { retries: 0 } });
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic] });
    return await new Promise<string>((resolve) => {
      const timer = setTimeout(() => resolve('no answer within 20 s'), 20000);
      consumer.on(consumer.events.GROUP_JOIN, () => {
        clearTimeout(timer);
        resolve('joined');
      });
      consumer.on(consumer.events.CRASH, (e) => {
        clearTimeout(timer);
        resolve(errorTypes(e.payload.error));
      });
      consumer.run({ eachMessage: async () => undefined }).catch((error: unknown) => {
        clearTimeout(timer);
        resolve(errorTypes(error));
      });
    });
  } catch (error) {
    return errorTypes(error);
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
}

describe('the broker: authentication and least-privilege ACLs', () => {
  it('refuses a client without credentials and one with a wrong password', async () => {
    const anonymous = clientAs(null).admin();
    await expect(anonymous.connect().then(() => anonymous.listTopics())).rejects.toThrow();
    await anonymous.disconnect().catch(() => undefined);

    const wrong = clientAs(AUDITOR_PRINCIPAL, 'not-the-password').admin();
    await expect(wrong.connect()).rejects.toThrow(/SASL|authentication/i);
    await wrong.disconnect().catch(() => undefined);
  });

  it('lets a border post write its input topic and nothing else', async () => {
    const bp = borderPostPrincipal(POST);
    expect(await tryWrite(bp, TOPICS.submitted)).toBe('ok');
    for (const topic of [TOPICS.released, TOPICS.payments, TOPICS.valued, TOPICS.notifications])
      expect([topic, await tryWrite(bp, topic)]).toEqual([topic, expect.stringMatching(DENIED)]);
  });

  it("refuses a border post in a service's consumer group and on any read", async () => {
    const bp = borderPostPrincipal(POST);
    expect(await tryJoin(bp, 'customs-release', TOPICS.valued)).toMatch(GROUP_DENIED);
    // Not even its own notifications: one topic keyed by recipient cannot be split by ACL.
    expect(await tryJoin(bp, `customs-audit-trust-${Date.now()}`, TOPICS.notifications)).toMatch(
      GROUP_DENIED,
    );
  });

  it('lets a payment system write payments only', async () => {
    const pay = paymentSystemPrincipal('LOCAL-BANK');
    expect(await tryWrite(pay, TOPICS.payments)).toBe('ok');
    expect(await tryWrite(pay, TOPICS.released)).toMatch(DENIED);
  });

  it("refuses a service on another service's topic and group", async () => {
    const risk = SERVICE_PRINCIPAL.risk;
    expect(await tryWrite(risk, TOPICS.valued)).toMatch(DENIED);
    expect(await tryWrite(risk, TOPICS.released)).toMatch(DENIED);
    expect(await tryJoin(risk, 'customs-release', TOPICS.valued)).toMatch(GROUP_DENIED);
    expect(await tryJoin(risk, 'customs-valuation', TOPICS.accepted)).toMatch(GROUP_DENIED);
  });

  it('gives the auditor reads and no writes', async () => {
    expect(await tryWrite(AUDITOR_PRINCIPAL, TOPICS.accepted)).toMatch(DENIED);
    expect(
      await tryJoin(AUDITOR_PRINCIPAL, `customs-audit-trust-${Date.now()}`, TOPICS.accepted),
    ).toBe('joined');
    expect(await tryJoin(AUDITOR_PRINCIPAL, 'customs-release', TOPICS.valued)).toMatch(
      GROUP_DENIED,
    );
  });

  it('refuses topic administration to everyone but the super user', async () => {
    for (const principal of [SERVICE_PRINCIPAL.intake, AUDITOR_PRINCIPAL, 'admin']) {
      const admin = clientAs(principal).admin();
      await admin.connect();
      try {
        await expect(
          admin.deleteTopics({ topics: [TOPICS.accepted], timeout: 3000 }),
        ).rejects.toThrow();
        await expect(
          admin.alterConfigs({
            validateOnly: false,
            resources: [
              {
                type: 2, // TOPIC
                name: TOPICS.accepted,
                configEntries: [{ name: 'retention.ms', value: '1000' }],
              },
            ],
          }),
        ).rejects.toThrow();
      } finally {
        await admin.disconnect();
      }
    }
  });
});

describe('the store: a login per service', () => {
  const query = async (url: string) => {
    const c = mongoose.createConnection(url, {
      dbName: 'customs_release',
      serverSelectionTimeoutMS: 3000,
    });
    try {
      await c.asPromise();
      return await c.db!.collection('release_records').countDocuments();
    } finally {
      await c.close().catch(() => undefined);
    }
  };

  it('refuses a client without a login and one with a wrong password', async () => {
    await expect(query('mongodb://127.0.0.1:27017')).rejects.toThrow(/requires authentication/);
    const url = localMongoUrl('svc-release')!;
    await expect(query(url.replace(/:[^:@/]+@/, ':wrong@'))).rejects.toThrow(
      /Authentication failed/,
    );
    await expect(query(url)).resolves.toEqual(expect.any(Number));
  });
});
