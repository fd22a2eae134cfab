import { createHash } from 'node:crypto';
import { hashLeaf } from './merkle-tree';
import { headerStrings, recordLeaf, recordLeafHash } from './record-leaf';

const record = {
  offset: '42',
  key: '26NL000000000001A4',
  value: '{"a":1}',
  headers: { 'x-signature': 'c2ln', 'x-key-id': 'svc-risk#1' },
};

describe('recordLeaf', () => {
  it('is the canonical JSON of offset, key, value hash and sorted headers', () => {
    const valueHash = createHash('sha256').update('{"a":1}').digest('hex');
    expect(recordLeaf(record).toString('utf8')).toBe(
      `{"headers":{"x-key-id":"svc-risk#1","x-signature":"c2ln"},"key":"26NL000000000001A4","offset":"42","value":"${valueHash}"}`,
    );
    expect(recordLeafHash(record).equals(hashLeaf(recordLeaf(record)))).toBe(true);
  });

  it('takes a Buffer value by its bytes, and null key, value and headers as null and {}', () => {
    expect(recordLeaf({ ...record, value: Buffer.from('{"a":1}') })).toEqual(recordLeaf(record));
    expect(recordLeaf({ offset: '0', key: null, value: null }).toString()).toBe(
      '{"headers":{},"key":null,"offset":"0","value":null}',
    );
  });

  it.each([
    ['offset', { offset: '43' }],
    ['key', { key: '26NL000000000002A2' }],
    ['value', { value: '{"a":2}' }],
    ['signature header', { headers: { ...record.headers, 'x-signature': 'Zm9v' } }],
    ['header removed', { headers: { 'x-key-id': 'svc-risk#1' } }],
    ['header added', { headers: { ...record.headers, extra: '' } }],
    ['null value', { value: null }],
    ['empty value', { value: '' }],
  ])('changes with the %s', (_what, change) => {
    expect(recordLeafHash({ ...record, ...change }).equals(recordLeafHash(record))).toBe(false);
  });

  it('does not depend on header order, and keeps a header named __proto__', () => {
    const reordered = { ...record, headers: { 'x-key-id': 'svc-risk#1', 'x-signature': 'c2ln' } };
    expect(recordLeaf(reordered)).toEqual(recordLeaf(record));
    const proto = headerStrings(JSON.parse('{"__proto__":"x"}') as Record<string, unknown>);
    expect(recordLeaf({ ...record, headers: proto }).toString()).toContain('"__proto__":"x"');
  });

  it('refuses an offset that is not decimal', () => {
    expect(() => recordLeaf({ ...record, offset: '-1' })).toThrow(/offset/);
    expect(() => recordLeaf({ ...record, offset: '01' })).toThrow(/offset/);
  });
});

describe('headerStrings', () => {
  it('decodes Buffers as UTF-8, takes the last of repeated values, empty for undefined', () => {
    expect(
      headerStrings({ a: Buffer.from('é'), b: [Buffer.from('1'), Buffer.from('2')], c: undefined }),
    ).toEqual({ a: 'é', b: '2', c: '' });
  });
});
