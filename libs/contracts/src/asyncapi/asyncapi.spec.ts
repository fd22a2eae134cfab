import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import {
  AcceptedPayload,
  ALL_TOPICS,
  buildAsyncApiDocument,
  dlqTopic,
  EVENT_TYPES,
  EventEnvelope,
  firstEvent,
  nextEvent,
  SERVICES,
  TOPIC_EVENT_TYPES,
} from '@customs/contracts';
import {
  applyReleaseInput,
  assessRisk,
  assessValuation,
  buildValidDeclaration,
  FIXTURE_LODGEMENT_DATE,
} from '@customs/domain';
import {
  loadSeedRuleset,
  loadSeedTraderRegistry,
  loadSeedValuationReferenceData,
} from '@customs/reference-data';

const doc = buildAsyncApiDocument('test') as {
  channels: Record<string, { address: string; messages: Record<string, unknown> }>;
  components: {
    messages: Record<string, unknown>;
    schemas: Record<string, { properties?: Record<string, unknown> }>;
  };
};

function validator() {
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'asyncapi', components: doc.components }, 'asyncapi');
  return (type: string, event: unknown) => {
    const validate = ajv.compile({ $ref: `asyncapi#/components/messages/${type}/payload` });
    const ok = validate(event);
    return ok ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  };
}

describe('the AsyncAPI document agrees with the contracts', () => {
  it('has a channel for every topic, dead-letter topics included', () => {
    const addresses = Object.values(doc.channels).map((c) => c.address);
    expect(addresses.sort()).toEqual([...ALL_TOPICS, ...SERVICES.map(dlqTopic)].sort());
  });

  it('has a message for every event type and every type is on some topic', () => {
    for (const type of Object.values(EVENT_TYPES)) {
      expect(doc.components.messages[type]).toBeDefined();
      expect(Object.values(TOPIC_EVENT_TYPES).flat()).toContain(type);
    }
  });

  it('describes exactly the envelope fields the factory produces', () => {
    const event = firstEvent({
      type: 'X',
      schemaVersion: 1,
      lrn: 'L',
      producer: 'p@1',
      payload: {},
    });
    expect(Object.keys(doc.components.schemas.EventEnvelope.properties ?? {}).sort()).toEqual(
      Object.keys(event).sort(),
    );
  });

  it('validates a whole chain produced by the real engines, and refuses a broken one', () => {
    const check = validator();
    const declaration = buildValidDeclaration();
    const submitted = firstEvent({
      type: EVENT_TYPES.submitted,
      schemaVersion: 1,
      lrn: declaration.lrn,
      producer: 't@1',
      payload: { declaration, channel: 'http' },
    });
    const acceptedAt = `${FIXTURE_LODGEMENT_DATE}T10:00:00.000Z`;
    const mrn = '26NL0123456789ABCJ6';
    const acceptedPayload: AcceptedPayload = {
      declaration,
      acceptance: { mrn, acceptedAt, referenceData: { nomenclature: 'seed' } },
    };
    const accepted = nextEvent(submitted, {
      type: EVENT_TYPES.accepted,
      schemaVersion: 1,
      producer: 't@1',
      mrn,
      payload: acceptedPayload,
    });
    const risk = assessRisk(
      { declaration, mrn, acceptedAt },
      loadSeedRuleset(),
      loadSeedTraderRegistry(),
    );
    const assessed = nextEvent(accepted, {
      type: EVENT_TYPES.riskAssessed,
      schemaVersion: 1,
      producer: 't@1',
      payload: { ...acceptedPayload, risk },
    });
    const valuation = assessValuation(
      { declaration, acceptedAt },
      loadSeedValuationReferenceData(),
    );
    const valuedPayload = { ...acceptedPayload, risk, valuation };
    const valued = nextEvent(assessed, {
      type: EVENT_TYPES.valued,
      schemaVersion: 1,
      producer: 't@1',
      payload: valuedPayload,
    });
    const step = applyReleaseInput(undefined, {
      type: 'valued',
      eventId: valued.eventId,
      mrn,
      payload: valuedPayload,
    });
    expect(step.decisions.length).toBeGreaterThan(0);
    const events: EventEnvelope[] = [submitted, accepted, assessed, valued];
    let tail: EventEnvelope = valued;
    for (const d of step.decisions) {
      tail = nextEvent(tail, {
        type: d.eventType,
        schemaVersion: 1,
        producer: 't@1',
        payload: { ...valuedPayload, release: d.release },
      });
      events.push(tail);
    }
    for (const e of events)
      expect({ type: e.type, errors: check(e.type, e) }).toEqual({ type: e.type, errors: [] });

    const broken = {
      ...valued,
      payload: { ...valuedPayload, valuation: { ...valuation, totalToPay: 12.5 } },
    };
    expect(check(EVENT_TYPES.valued, broken).join()).toMatch(/totalToPay/);
    expect(check(EVENT_TYPES.accepted, { ...accepted, extra: 1 }).length).toBeGreaterThan(0);
  });
});

describe('docs/asyncapi.json', () => {
  it('is the generated document (regenerate: npm run -s customs -- asyncapi --out docs/asyncapi.json)', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const committed = require('../../../../docs/asyncapi.json') as { info: { version: string } };
    expect(committed).toEqual(buildAsyncApiDocument(committed.info.version));
  });
});
