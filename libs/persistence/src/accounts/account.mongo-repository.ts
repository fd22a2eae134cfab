import { Connection, Model, mongo, Schema } from 'mongoose';
import { isDuplicateKey } from '../mongo-connection';
import {
  AccountChange,
  AccountChangeResult,
  AccountContendedError,
  AccountEntry,
  AccountRepository,
  StoredAccount,
} from './account.repository';

/**
 * An account is a ledger of entries, one per movement, each holding the balance after it.
 * Why not one document updated in place: FerretDB v1 does not apply an update's filter
 * atomically with its write, so a conditional update on a version field still lets two
 * concurrent writers both win (measured: 19 races in 20). A unique index, though, is
 * enforced by the underlying store, so writers claim the next version by inserting entry
 * `<account>#<version>`: exactly one wins, the others re-read and retry. A second unique
 * index on the movement id makes every movement idempotent across replicas.
 *
 * Why every hot read is by `_id`: FerretDB (SQLite) answers `{_id: <string>}` from the _id
 * index (~1 ms) but reads and parses the whole collection for any other filter, sort or
 * `$in`, and the ledger only grows. So the head is found by probing entry ids (versions are
 * contiguous from 0), and "was movement M applied" is answered by a marker document
 * `account_movements/<M>`, written right after M's entry. A writer crashing between the
 * two leaves its entry unmarked; the next writer of that account marks the head before
 * claiming the version after it, so only the head can lack its marker, and `get` and
 * `applyOnce` check the head's own movement id. The unique movementId index stays the
 * safety net: whatever a marker says, a movement cannot be inserted twice.
 */
interface AccountEntryDocument {
  /** `<accountId>#<version, 12 digits>`: the claim on that version. */
  _id: string;
  accountId: string;
  version: number;
  kind: 'guarantee' | 'deferment';
  currency: string;
  /** Copied from the opening to every entry, so the head alone tells who may use the account. */
  holder?: string;
  authorisedDeclarants?: string[];
  /** The AccountOpened event id, copied forward like the holder. */
  openedBy?: string;
  balance: string;
  movementId: string;
  movementKind: 'open' | 'debit' | 'credit';
  amount: string;
}

/** `_id` = movement id: the movement is in entry `<accountId>#<version>`. */
interface MovementMarkerDocument {
  _id: string;
  accountId: string;
  version: number;
}

const schema = new Schema<AccountEntryDocument>(
  {
    _id: String,
    accountId: String,
    version: Number,
    kind: String,
    currency: String,
    holder: String,
    authorisedDeclarants: [String],
    openedBy: String,
    balance: String,
    movementId: String,
    movementKind: String,
    amount: String,
  },
  { versionKey: false, collection: 'account_entries' },
);
schema.index({ movementId: 1 }, { unique: true });
schema.index({ accountId: 1, version: -1 });

const markerSchema = new Schema<MovementMarkerDocument>(
  { _id: String, accountId: String, version: Number },
  { versionKey: false, collection: 'account_movements' },
);

/**
 * Marks that every entry written before markers existed has its marker. Not a movement id
 * (those are event ids and `open/<account>`), and its empty accountId matches no account.
 */
const BACKFILLED = '#markers-backfilled/v1';

const entryId = (accountId: string, version: number) =>
  `${accountId}#${String(version).padStart(12, '0')}`;

const toAccount = (d: AccountEntryDocument, applied: string[]): StoredAccount => ({
  id: d.accountId,
  kind: d.kind,
  balance: d.balance,
  currency: d.currency,
  holder: d.holder ?? '',
  authorisedDeclarants: [...(d.authorisedDeclarants ?? [])],
  ...(d.openedBy ? { openedBy: d.openedBy } : {}),
  appliedEventIds: applied,
  version: d.version,
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every write error of an (unordered) bulk insert is a duplicate key. */
const onlyDuplicates = (error: unknown): boolean => {
  const writeErrors = (error as { writeErrors?: unknown } | null)?.writeErrors;
  if (writeErrors === undefined) return isDuplicateKey(error);
  return ([] as unknown[]).concat(writeErrors).every(isDuplicateKey);
};

/** The newest entry this process has seen of an account, and whether its marker is known written. */
interface Head {
  doc: AccountEntryDocument;
  marked: boolean;
}

/** Accounts whose head is remembered; beyond that the oldest is forgotten (it is only a hint). */
const MAX_REMEMBERED_HEADS = 10_000;

export class MongoAccountRepository extends AccountRepository {
  private readonly model: Model<AccountEntryDocument>;
  private readonly markers: Model<MovementMarkerDocument>;
  /** The driver's collections, for inserts without Mongoose's per-document work. */
  private readonly rawEntries: mongo.Collection<AccountEntryDocument>;
  private readonly rawMarkers: mongo.Collection<MovementMarkerDocument>;
  /** Per account, where to start looking for the head: entries never change once written. */
  private readonly heads = new Map<string, Head>();

  constructor(connection: Connection) {
    super();
    // Several repositories may share a connection (a model is registered once per connection).
    this.model =
      (connection.models.AccountEntry as Model<AccountEntryDocument> | undefined) ??
      connection.model<AccountEntryDocument>('AccountEntry', schema);
    this.markers =
      (connection.models.AccountMovement as Model<MovementMarkerDocument> | undefined) ??
      connection.model<MovementMarkerDocument>('AccountMovement', markerSchema);
    this.rawEntries = this.model.collection as unknown as mongo.Collection<AccountEntryDocument>;
    this.rawMarkers = this.markers
      .collection as unknown as mongo.Collection<MovementMarkerDocument>;
  }

  /**
   * Builds the unique indexes before the first movement relies on them, and once per store
   * marks the movements of entries written before markers existed (one scan, then never).
   */
  async init(): Promise<void> {
    await Promise.all([this.model.init(), this.markers.init()]);
    if (await this.markers.findById(BACKFILLED).lean()) return;
    let batch: MovementMarkerDocument[] = [];
    const flush = async () => {
      if (batch.length > 0) await this.insertMarkers(batch);
      batch = [];
    };
    const cursor = this.model
      .find({}, { movementId: 1, accountId: 1, version: 1 })
      .lean()
      .cursor({ batchSize: 1000 });
    for await (const d of cursor) {
      batch.push({ _id: d.movementId, accountId: d.accountId, version: d.version });
      if (batch.length >= 1000) await flush();
    }
    await flush();
    await this.insertMarkers([{ _id: BACKFILLED, accountId: '', version: -1 }]);
  }

  private async insertMarkers(docs: MovementMarkerDocument[]): Promise<void> {
    try {
      await this.rawMarkers.insertMany(docs, { ordered: false });
    } catch (error) {
      if (!onlyDuplicates(error)) throw error;
    }
  }

  private entry(accountId: string, version: number): Promise<AccountEntryDocument | null> {
    return this.model.findById(entryId(accountId, version)).lean<AccountEntryDocument>().exec();
  }

  private marker(movementId: string): Promise<MovementMarkerDocument | null> {
    return this.markers.findById(movementId).lean<MovementMarkerDocument>().exec();
  }

  /** Writes the marker of an entry (already there = fine). */
  private mark(d: AccountEntryDocument): Promise<void> {
    return this.insertMarkers([{ _id: d.movementId, accountId: d.accountId, version: d.version }]);
  }

  /**
   * The same, best effort (true once known written): the entry is the fact and the marker an
   * index of it, which the next writer of the account repairs (it marks the head before
   * claiming the version after it).
   */
  private tryMark(d: AccountEntryDocument): Promise<boolean> {
    return this.mark(d).then(
      () => true,
      () => false,
    );
  }

  private remember(accountId: string, head: Head): Head {
    const known = this.heads.get(accountId);
    if (known && known.doc.version >= head.doc.version) return known;
    this.heads.delete(accountId);
    if (this.heads.size >= MAX_REMEMBERED_HEADS) {
      this.heads.delete(this.heads.keys().next().value as string);
    }
    this.heads.set(accountId, head);
    return head;
  }

  /**
   * The newest entry, by `_id` lookups only: from the remembered head (or version 0), probe
   * forward with doubling steps until a version is missing, then bisect between the last hit
   * and that miss. Versions are contiguous, so a miss means none after it (at that moment;
   * a head that is already stale just loses the insert race and is read again).
   */
  private async head(accountId: string): Promise<Head | null> {
    const known = this.heads.get(accountId);
    let last: AccountEntryDocument;
    if (known) {
      // Entries are never removed, so the remembered one is still there: start after it.
      const after = await this.entry(accountId, known.doc.version + 1);
      if (!after) return known;
      last = after;
    } else {
      const first = await this.entry(accountId, 0);
      if (!first) return null;
      last = first;
    }
    let miss: number | undefined;
    for (let step = 1; miss === undefined; step *= 2) {
      const probe = await this.entry(accountId, last.version + step);
      if (probe) last = probe;
      else miss = last.version + step;
    }
    while (miss - last.version > 1) {
      const mid = Math.floor((last.version + miss) / 2);
      const probe = await this.entry(accountId, mid);
      if (probe) last = probe;
      else miss = mid;
    }
    return this.remember(accountId, { doc: last, marked: false });
  }

  async get(id: string, movementIds: readonly string[] = []): Promise<StoredAccount | null> {
    const wanted = [...new Set(movementIds)];
    const [head, ...markers] = await Promise.all([
      this.head(id),
      ...wanted.map((m) => this.marker(m)),
    ]);
    if (!head) return null;
    // Only the head may lack its marker (its writer may have stopped right after inserting it).
    const applied = wanted.filter(
      (m, i) => markers[i]?.accountId === id || head.doc.movementId === m,
    );
    return toAccount(head.doc, applied);
  }

  async applyOnce(
    accountId: string,
    movement: { id: string; kind: 'debit' | 'credit'; amount: string },
    change: (current: StoredAccount) => AccountChange,
    maxAttempts = 50,
  ): Promise<AccountChangeResult> {
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const [marker, head] = await Promise.all([this.marker(movement.id), this.head(accountId)]);
      if (marker) return { outcome: 'duplicate' };
      if (!head) return { outcome: 'not-found' };
      if (head.doc.movementId === movement.id) {
        head.marked = await this.tryMark(head.doc);
        return { outcome: 'duplicate' };
      }
      const current = toAccount(head.doc, []);
      const decided = change(current);
      if ('refused' in decided)
        return { outcome: 'refused', reason: decided.refused, account: current };
      // The head must be marked before it stops being the head (see the class comment).
      if (!head.marked) {
        await this.mark(head.doc);
        head.marked = true;
      }
      const next: AccountEntryDocument = {
        _id: entryId(accountId, head.doc.version + 1),
        accountId,
        version: head.doc.version + 1,
        kind: head.doc.kind,
        currency: head.doc.currency,
        holder: head.doc.holder ?? '',
        authorisedDeclarants: head.doc.authorisedDeclarants ?? [],
        ...(head.doc.openedBy ? { openedBy: head.doc.openedBy } : {}),
        balance: decided.balance,
        movementId: movement.id,
        movementKind: movement.kind,
        amount: movement.amount,
      };
      try {
        await this.rawEntries.insertOne(next);
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        // Which unique index refused it? Another movement took the version (re-read, retry
        // after a short pause that spreads the losers out), or this movement is in the
        // ledger already.
        const [taken, markedNow] = await Promise.all([
          this.entry(accountId, next.version),
          this.marker(movement.id),
        ]);
        if (taken?.movementId === movement.id) {
          await this.tryMark(taken);
          return { outcome: 'duplicate' };
        }
        if (markedNow) return { outcome: 'duplicate' };
        if (!taken) {
          // Neither explains it: the movement is in an entry without a marker (written
          // before markers existed, or by writers that all stopped early). Rare: scan once.
          const applied = await this.model
            .findOne({ movementId: movement.id })
            .lean<AccountEntryDocument>()
            .exec();
          if (applied) {
            await this.tryMark(applied);
            return { outcome: 'duplicate' };
          }
        } else {
          this.remember(accountId, { doc: taken, marked: false });
        }
        await sleep(Math.min(2 ** Math.min(attempt, 6), 50) * Math.random());
        continue;
      }
      // Remembered before its marker is written: a concurrent call here must not skip it.
      const written: Head = { doc: next, marked: false };
      this.remember(accountId, written);
      written.marked = await this.tryMark(next);
      return { outcome: 'applied', account: toAccount(next, [movement.id]) };
    }
    throw new AccountContendedError(accountId, maxAttempts);
  }

  async createIfMissing(a: StoredAccount): Promise<boolean> {
    const opened: AccountEntryDocument = {
      _id: entryId(a.id, 0),
      accountId: a.id,
      version: 0,
      kind: a.kind,
      currency: a.currency,
      holder: a.holder,
      authorisedDeclarants: [...a.authorisedDeclarants],
      ...(a.openedBy ? { openedBy: a.openedBy } : {}),
      balance: a.balance,
      movementId: `open/${a.id}`,
      movementKind: 'open',
      amount: a.balance,
    };
    try {
      await this.model.create(opened);
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
    await this.tryMark(opened);
    return true;
  }

  async history(id: string): Promise<AccountEntry[]> {
    const docs = await this.model.find({ accountId: id }).sort({ version: 1 }).lean();
    return docs.map((d) => ({
      accountId: d.accountId,
      version: d.version,
      balance: d.balance,
      movementId: d.movementId,
      movementKind: d.movementKind,
      amount: d.amount,
    }));
  }
}
