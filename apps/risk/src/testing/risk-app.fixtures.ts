// Fixtures for the risk app's unit specs: an in-memory reference store and small builders.
import {
  AcceptedPayload,
  Declaration,
  EVENT_TYPES,
  EventEnvelope,
  firstEvent,
  nextEvent,
} from '@customs/contracts';
import { mrnCheckDigit } from '@customs/domain';
import {
  ReferenceVersion,
  ReferenceVersionRepository,
  SaveReferenceResult,
} from '@customs/persistence';
import { contentSha256 } from '@customs/platform';
import { loadSeedRuleset } from '@customs/reference-data';

/** Same contract as the Mongo repository (immutable versions, conflict on other content). */
export class InMemoryReferenceRepository extends ReferenceVersionRepository {
  readonly versions = new Map<string, ReferenceVersion<unknown>>();
  lists = 0;

  async save<T>(v: ReferenceVersion<T>): Promise<SaveReferenceResult> {
    const key = `${v.kind}:${v.version}`;
    const existing = this.versions.get(key);
    if (existing) return existing.sha256 === v.sha256 ? 'unchanged' : 'conflict';
    this.versions.set(key, structuredClone(v) as ReferenceVersion<unknown>);
    return 'created';
  }

  async get<T>(kind: string, version: string): Promise<ReferenceVersion<T> | null> {
    return (this.versions.get(`${kind}:${version}`) as ReferenceVersion<T>) ?? null;
  }

  async list<T>(kind: string): Promise<ReferenceVersion<T>[]> {
    this.lists += 1;
    return [...this.versions.values()]
      .filter((v) => v.kind === kind)
      .sort(
        (a, b) => Date.parse(a.effectiveFrom) - Date.parse(b.effectiveFrom),
      ) as ReferenceVersion<T>[];
  }

  /** Stores a ruleset as the CLI importer would. */
  put(kind: string, content: Record<string, unknown>, importedAt = '2026-01-01T00:00:00Z'): void {
    this.versions.set(`${kind}:${String(content.version)}`, {
      kind,
      version: String(content.version),
      effectiveFrom: new Date(String(content.effectiveFrom)).toISOString(),
      importedAt,
      sha256: contentSha256(content),
      source: 'test',
      content,
    });
  }
}

/** The seed ruleset as JSON with another version, date and extra rules. */
export function rulesetBody(
  version: string,
  effectiveFrom: string,
  rules: unknown[] = [],
): Record<string, unknown> {
  const seed = JSON.parse(JSON.stringify(loadSeedRuleset())) as Record<string, unknown>;
  return { ...seed, version, effectiveFrom, rules: [...(seed.rules as unknown[]), ...rules] };
}

export function mrnFor(serial: number): string {
  const first17 = `26NL${String(serial).padStart(12, '0')}J`;
  return first17 + mrnCheckDigit(first17);
}

export function declaration(overrides: Partial<Declaration> = {}): Declaration {
  return {
    lrn: 'LRN-RISK-APP-1',
    declarationType: 'import',
    procedureCode: '4000',
    declarant: { id: 'NL123456789', name: 'Broker', country: 'NL' },
    importer: { id: 'NL987654321', name: 'Importer', country: 'NL' },
    exporter: { id: 'TR1234567890', name: 'Exporter', country: 'TR' },
    officeOfLodgement: 'NL000396',
    borderPost: 'NL-RTM-01',
    transportMode: '1',
    dispatchCountry: 'TR',
    destinationCountry: 'NL',
    invoiceCurrency: 'EUR',
    invoiceTotal: '3000.00',
    incoterm: 'FOB',
    incotermPlace: 'Izmir',
    relatedParty: false,
    valuationMethod: 1,
    items: [
      {
        itemNumber: 1,
        commodityCode: '8516600000',
        description: 'Electric ovens',
        originCountry: 'TR',
        quantity: '10',
        unit: 'NAR',
        netMass: '200',
        grossMass: '220',
        invoiceAmount: '3000.00',
      },
    ],
    ...overrides,
  };
}

/** A DeclarationAccepted event (sequence 2) for a declaration accepted at `acceptedAt`. */
export function acceptedEvent(
  d: Declaration,
  mrn: string,
  acceptedAt: string,
): EventEnvelope<AcceptedPayload> {
  const submitted = firstEvent({
    type: EVENT_TYPES.submitted,
    schemaVersion: 1,
    lrn: d.lrn,
    producer: 'test@0',
    payload: { declaration: d },
    occurredAt: acceptedAt,
  });
  return nextEvent<AcceptedPayload>(submitted, {
    type: EVENT_TYPES.accepted,
    schemaVersion: 1,
    producer: 'test@0',
    mrn,
    payload: {
      declaration: d,
      acceptance: { mrn, acceptedAt, referenceData: { nomenclature: 'n' } },
    },
    occurredAt: acceptedAt,
  });
}
