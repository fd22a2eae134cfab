import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Decimal from 'decimal.js';
import { Declaration, EventEnvelope, TOPICS, ValuedPayload } from '@customs/contracts';
import { connectStore, MongoReferenceVersionRepository } from '@customs/persistence';
import { loadSeedValuationReferenceData } from '@customs/reference-data';
import { ValuationPipelineHarness, VALUATION_E2E_DB } from './support/valuation-pipeline.harness';

jest.setTimeout(120_000);

const harness = new ValuationPipelineHarness();
const seed = loadSeedValuationReferenceData();
const dir = mkdtempSync(join(tmpdir(), 'valuation-e2e-'));
const stamp = Date.now().toString(36).toUpperCase();

beforeAll(async () => {
  await harness.start();
});

afterAll(async () => {
  await harness.stop();
});

/** A declaration in `currency`: FOB prices plus freight and insurance, split 60/20/20 so the shares are exact. */
function declaration(lrn: string, currency: string): Declaration {
  const doc = [{ code: 'N935', reference: `INV-${lrn}` }];
  return {
    lrn,
    declarationType: 'import',
    procedureCode: '4000',
    declarant: { id: 'NL123456789', name: 'Van Dijk Customs Brokers BV', country: 'NL' },
    importer: { id: 'NL987654321', name: 'Rotterdam Trading BV', country: 'NL' },
    seller: { id: 'AU51824753556', name: 'Sydney Exports Pty Ltd', country: 'AU' },
    officeOfLodgement: 'NL000396',
    borderPost: 'NL-RTM-MAASVLAKTE',
    transportMode: '1',
    dispatchCountry: 'AU',
    destinationCountry: 'NL',
    invoiceCurrency: currency,
    invoiceTotal: '10000.00',
    incoterm: 'FOB',
    incotermPlace: 'Sydney',
    costs: { freight: '400.00', insurance: '40.00' },
    relatedParty: false,
    valuationMethod: 1,
    items: [
      {
        itemNumber: 1,
        commodityCode: '610910',
        description: 'T-shirts of cotton, knitted',
        originCountry: 'CN',
        quantity: '2000',
        unit: 'NAR',
        netMass: '200.000',
        grossMass: '230.000',
        invoiceAmount: '6000.00',
        documents: doc,
      },
      {
        itemNumber: 2,
        commodityCode: '100630',
        description: 'Rice, semi-milled or wholly milled',
        originCountry: 'AU',
        quantity: '1500',
        unit: 'KGM',
        netMass: '1500.000',
        grossMass: '1530.000',
        invoiceAmount: '2000.00',
        documents: doc,
      },
      {
        itemNumber: 3,
        commodityCode: '090121',
        description: 'Coffee, roasted, not decaffeinated',
        originCountry: 'AU',
        quantity: '100',
        unit: 'KGM',
        netMass: '100.000',
        grossMass: '110.000',
        invoiceAmount: '2000.00',
        documents: doc,
      },
    ],
  };
}

const money = (x: Decimal.Value) => new Decimal(x).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);

async function valuedEvent(lrn: string): Promise<EventEnvelope<ValuedPayload>> {
  const pending = await harness.watcher.waitFor(
    [lrn],
    (o) => o.some((x) => x.topic === TOPICS.valued),
    60_000,
  );
  expect(pending).toEqual([]);
  const valued = harness.watcher.outcomes.get(lrn)!.filter((o) => o.topic === TOPICS.valued);
  expect(valued).toHaveLength(1);
  return valued[0].event as EventEnvelope<ValuedPayload>;
}

describe('valuation by imported reference data, through the pipeline', () => {
  it('values a declaration at the exchange rate of a version imported while the services run', async () => {
    // A first declaration loads the service's reference catalog before the import, so the
    // import below must be picked up without a restart.
    const warm = await harness.post(declaration(`EV${stamp}-USD`, 'USD'));
    expect(warm.status).toBe(202);
    expect((await valuedEvent(`EV${stamp}-USD`)).payload.valuation.currency).toBe('EUR');

    // The seed has no AUD rate: without the import this declaration could not be valued.
    const today = new Date().toISOString().slice(0, 10);
    const version = `EXR-E2E-${stamp}`;
    const rate = '0.6173';
    const file = join(dir, 'rates.json');
    writeFileSync(
      file,
      JSON.stringify({
        ...seed.exchangeRates,
        version,
        effectiveFrom: new Date().toISOString(),
        rates: [...seed.exchangeRates.rates, { currency: 'AUD', rate, validFrom: today }],
      }),
    );
    const imported = await harness.cli('reference', 'import', 'exchange-rates', file, '--json');
    expect(imported.stderr).toBe('');
    expect(imported.status).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({
      kind: 'exchange-rates',
      version,
      outcome: 'created',
    });
    // The service re-reads its versions every 2 s.
    await new Promise((r) => setTimeout(r, 2500));

    const lrn = `EV${stamp}-AUD`;
    const decl = declaration(lrn, 'AUD');
    const answer = await harness.post(decl);
    expect(answer.status).toBe(202);
    const event = await valuedEvent(lrn);
    const v = event.payload.valuation;

    // Independently: CIF value = FOB price + freight + insurance shares (by invoice amount),
    // at the imported rate; duties at the seed's rates; VAT on value plus duty; each line
    // rounded half-up to the cent.
    const fx = new Decimal(rate);
    const total = new Decimal(decl.invoiceTotal!);
    const cv = decl.items.map((it) => {
      const share = new Decimal(it.invoiceAmount).div(total);
      return money(
        new Decimal(it.invoiceAmount).plus(share.times(400)).plus(share.times(40)).times(fx),
      );
    });
    const duty = [
      money(cv[0].times('0.12')), // TC-6109: 12 %
      money(new Decimal('1500').div(1000).times(175)), // TC-100630: 175 EUR / 1000 kg net
      money(cv[2].times('0.075')), // TC-090121: 7.5 %
    ];
    const vatRate = ['0.21', '0.09', '0.09']; // standard; reduced for chapters 10 and 09
    const vat = cv.map((c, i) => money(c.plus(duty[i]).times(vatRate[i])));
    const sum = (xs: Decimal[]) => xs.reduce((a, b) => a.plus(b), new Decimal(0));

    expect(v.exchangeRate).toMatchObject({ from: 'AUD', to: 'EUR', rate, version });
    expect(v.items.map((it) => it.customsValue)).toEqual(cv.map((x) => x.toFixed(2)));
    expect(
      v.items.map((it) =>
        it.duties.filter((d) => d.type === 'customs-duty').map((d) => [d.measureId, d.amount]),
      ),
    ).toEqual([
      [['TC-6109', duty[0].toFixed(2)]],
      [['TC-100630', duty[1].toFixed(2)]],
      [['TC-090121', duty[2].toFixed(2)]],
    ]);
    expect(
      v.items.map((it) => it.duties.filter((d) => d.type === 'vat').map((d) => [d.base, d.amount])),
    ).toEqual(cv.map((c, i) => [[c.plus(duty[i]).toFixed(2), vat[i].toFixed(2)]]));
    expect(v.items.flatMap((it) => it.duties.filter((d) => d.type === 'excise'))).toEqual([]);
    expect(v.customsValue).toBe(sum(cv).toFixed(2));
    expect(v.totalDuties).toBe(sum(duty).toFixed(2));
    expect(v.totalVat).toBe(sum(vat).toFixed(2));
    expect(v.totalToPay).toBe(sum(duty).plus(sum(vat)).toFixed(2));
    expect(v.complete).toBe(true);
    expect(v.alerts).toEqual([]);
    expect(v.versions).toEqual({
      exchangeRates: version,
      tariff: seed.tariff.version,
      referencePrices: seed.referencePrices.version,
      preferences: seed.preferences.version,
      vat: seed.vat.version,
      excise: seed.excise.version,
    });

    // `quote` reads the same local store and gives the very same valuation; from the seed
    // alone there is no AUD rate.
    const declFile = join(dir, 'declaration.json');
    writeFileSync(declFile, JSON.stringify(decl));
    const acceptedAt = event.payload.acceptance.acceptedAt;
    const quoted = await harness.cli('quote', declFile, '--at', acceptedAt, '--json');
    expect(quoted.status).toBe(0);
    expect(JSON.parse(quoted.stdout)).toEqual(v);
    const seedOnly = await harness.cli('quote', declFile, '--at', acceptedAt, '--seed-only');
    expect(seedOnly.status).toBe(1);
    expect(seedOnly.stderr).toMatch(
      /NO_EXCHANGE_RATE at declaration\.invoiceCurrency: no AUD rate/,
    );
  });

  it('refuses a bad tariff file naming the JSON paths, and stores nothing', async () => {
    const version = `TARIC-E2E-BAD-${stamp}`;
    const file = join(dir, 'bad-tariff.json');
    writeFileSync(
      file,
      JSON.stringify({
        version,
        measures: [
          seed.tariff.measures[0],
          { ...seed.tariff.measures[1], id: 'E2E-1', dutyExpression: '12 % + EUR / 100 kg' },
          { ...seed.tariff.measures[2], id: 'E2E-2', validFrom: '2026-13-01' },
        ],
      }),
    );
    const r = await harness.cli('reference', 'import', 'tariff', file);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${file} is not a valid tariff file (2 problems)`);
    expect(r.stderr).toMatch(/\$\.measures\[1\]\.dutyExpression: invalid duty expression/);
    expect(r.stderr).toMatch(/\$\.measures\[2\]\.validFrom: expected YYYY-MM-DD, got '2026-13-01'/);
    const connection = await connectStore(
      process.env.MONGO_URL ?? 'mongodb://127.0.0.1:27017',
      VALUATION_E2E_DB,
    );
    try {
      expect(
        await new MongoReferenceVersionRepository(connection).get('tariff', version),
      ).toBeNull();
    } finally {
      await connection.close();
    }
  });
});
