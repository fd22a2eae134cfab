import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { hashLeaf } from './merkle-tree';

/** What a checkpoint commits to of one Kafka record. */
export interface LeafRecord {
  /** The record's offset (decimal string: Kafka offsets are 64-bit). */
  offset: string;
  key: string | null;
  value: Buffer | string | null;
  /** Headers, each value decoded as UTF-8 (the last one when a name repeats). */
  headers?: Readonly<Record<string, string>>;
}

/**
 * The leaf of a record in a partition's Merkle tree: the UTF-8 of the RFC 8785 canonical JSON
 *   {"headers": {<name>: <utf8 value>, ...sorted}, "key": <utf8 or null>,
 *    "offset": "<decimal>", "value": <sha256 hex of the value bytes, or null>}
 * The offset is in the leaf, so deleting records (deleteRecords moves the log start, the
 * remaining records keep their offsets) or any shift changes every later leaf; a rewritten
 * key, value or header (the signature headers among them) changes that record's leaf; a
 * truncated tail leaves fewer leaves than a published head counts. The value enters by its
 * hash so that a leaf stays small whatever the record's size.
 */
export function recordLeaf(record: LeafRecord): Buffer {
  if (!/^(0|[1-9]\d*)$/.test(record.offset))
    throw new Error(`record offset ${record.offset}: not a decimal offset`);
  const value =
    record.value === null
      ? null
      : createHash('sha256')
          .update(
            typeof record.value === 'string' ? Buffer.from(record.value, 'utf8') : record.value,
          )
          .digest('hex');
  // No prototype: a header named __proto__ is a header like any other.
  const headers = Object.create(null) as Record<string, string>;
  for (const name of Object.keys(record.headers ?? {}).sort())
    headers[name] = String(record.headers![name]);
  const canonical = canonicalize({ offset: record.offset, key: record.key, value, headers });
  if (canonical === undefined) throw new Error('record leaf cannot be canonicalised');
  return Buffer.from(canonical, 'utf8');
}

export function recordLeafHash(record: LeafRecord): Buffer {
  return hashLeaf(recordLeaf(record));
}

/** Kafka header values (a Buffer, a string, or an array of them when repeated) as the leaf takes them. */
export function headerStrings(
  headers: Readonly<Record<string, unknown>> | undefined,
): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const v = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    out[name] =
      v === undefined || v === null ? '' : Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
  }
  return out;
}
