import mongoose, { Connection } from 'mongoose';

/**
 * The valuation database for a short-lived reader (the `quote` command): the same settings
 * as `connectStore`, but giving up after `timeoutMs` so that a tool with a fallback (the
 * seed reference data) does not wait the services' ten seconds for a store that is down.
 */
export async function connectValuationStoreWithin(
  url: string,
  dbName: string,
  timeoutMs: number,
): Promise<Connection> {
  mongoose.set('strictQuery', true);
  mongoose.set('sanitizeFilter', true);
  const connection = mongoose.createConnection(url, {
    dbName,
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
    maxPoolSize: 2,
    autoIndex: false,
  });
  try {
    await connection.asPromise();
  } catch (error) {
    await connection.close().catch(() => undefined);
    throw error;
  }
  return connection;
}
