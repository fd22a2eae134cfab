import mongoose, { Connection } from 'mongoose';
import { profileStore } from './store-profile';

/**
 * One connection per service database. `sanitizeFilter` strips operator objects smuggled in
 * from user input, `strictQuery` drops unknown filter paths: filters carry typed values only.
 */
export async function connectStore(url: string, dbName: string): Promise<Connection> {
  mongoose.set('strictQuery', true);
  mongoose.set('sanitizeFilter', true);
  const connection = mongoose.createConnection(url, {
    dbName,
    serverSelectionTimeoutMS: 10000,
    maxPoolSize: 20,
    autoIndex: true,
    monitorCommands: process.env.STORE_PROFILE === '1',
  });
  profileStore(connection);
  await connection.asPromise();
  return connection;
}

/** A unique index refused the write: the record is there already (idempotency, races between replicas). */
export function isDuplicateKey(error: unknown): boolean {
  return (error as { code?: number } | null)?.code === 11000;
}
