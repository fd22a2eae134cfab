import mongoose, { Connection, Model } from 'mongoose';
import { profileStore } from './store-profile';

/**
 * One connection per service database. `sanitizeFilter` strips operator objects smuggled in
 * from user input, `strictQuery` drops unknown filter paths: filters carry typed values only.
 */
export async function connectStore(
  url: string,
  dbName: string,
  /** A login given apart from the URL (its password from a secret file). */
  auth?: { username: string; password: string; authSource: string },
): Promise<Connection> {
  mongoose.set('strictQuery', true);
  mongoose.set('sanitizeFilter', true);
  const connection = mongoose.createConnection(url, {
    dbName,
    serverSelectionTimeoutMS: 10000,
    maxPoolSize: 20,
    autoIndex: true,
    monitorCommands: process.env.STORE_PROFILE === '1',
    ...(auth
      ? { auth: { username: auth.username, password: auth.password }, authSource: auth.authSource }
      : {}),
  });
  profileStore(connection);
  await connection.asPromise();
  return connection;
}

/** A unique index refused the write: the record is there already (idempotency, races between replicas). */
export function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: number } | null)?.code === 11000;
}

/**
 * One unordered `insertMany`: every row but the ones a unique index refused is written, in
 * one round trip. Returns the positions of the refused rows (already stored: idempotency, or
 * a race lost to another replica); any other failure is thrown.
 */
export async function insertManyRefusingDuplicates<D>(
  model: Model<D>,
  docs: readonly D[],
): Promise<Set<number>> {
  const refused = new Set<number>();
  if (docs.length === 0) return refused;
  try {
    await model.insertMany(docs as D[], { ordered: false });
  } catch (error) {
    const writeErrors = (
      error as {
        writeErrors?: { err?: { code?: number; index?: number }; code?: number; index?: number }[];
      }
    ).writeErrors;
    if (!writeErrors?.length || !writeErrors.every((w) => (w.err?.code ?? w.code) === 11000))
      throw error;
    for (const w of writeErrors) {
      const index = w.index ?? w.err?.index;
      if (index === undefined) throw error;
      refused.add(index);
    }
  }
  return refused;
}
