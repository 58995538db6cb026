import type { Connection } from 'mongoose';
import type { MongoModels } from './mongo-schemas';
import { translateMongoError } from './mongo-errors';
import type { MongoTransactions } from './mongo-transactions';

/** What every MongoDB port implementation shares: the connection, its models and the transaction runner. */
export interface MongoContext {
  connection: Connection;
  models: MongoModels;
  transactions: MongoTransactions;
}

/** Runs a read or single-document write, translating driver errors into domain errors. */
export async function guarded<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw translateMongoError(error);
  }
}
