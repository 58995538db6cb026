import type { ClientSession, Connection } from 'mongoose';
import { CommitStateUnknownError, ConflictError, DomainError } from '../../common/errors';
import {
  isDuplicateKeyError,
  isTransientTransactionError,
  isUnknownCommitResult,
  translateMongoError,
} from './mongo-errors';

/**
 * Thrown inside a transaction body when a compare-and-swap lost against a concurrent writer (for example
 * the branch head moved). The runner aborts and re-runs the body, which re-reads and re-checks everything.
 */
export class RetryTransaction extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'RetryTransaction';
  }
}

export interface TransactionOptions {
  /** Attempts before giving up with ConflictError. */
  maxAttempts?: number;
  /** The domain error for a duplicate key that outlived every attempt (default: derived from the error). */
  onDuplicateKey?: () => DomainError;
}

const DEFAULT_MAX_ATTEMPTS = 8;
/** Re-sending commitTransaction is safe: the server commits a transaction at most once. */
const COMMIT_ATTEMPTS = 3;

/**
 * Runs multi-document writes in a MongoDB transaction (requires a replica set or a sharded cluster).
 *
 * Unlike `session.withTransaction`, retries are bounded and every retry re-runs the body from the start, so
 * the body's checks (expectations, uniqueness) are re-evaluated against the state that won. A write conflict
 * (TransientTransactionError), a lost compare-and-swap (RetryTransaction) and a duplicate key (the body's own
 * check-before-insert then reports it precisely) are retried; after the last attempt they become
 * ConflictError / AlreadyExistsError. A commit whose outcome stays unknown becomes CommitStateUnknownError,
 * never a conflict: the caller must reload before trying again.
 */
export class MongoTransactions {
  constructor(private readonly connection: Connection) {}

  async run<T>(body: (session: ClientSession) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    const maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    const session = await this.connection.startSession();
    try {
      for (let attempt = 1; ; attempt++) {
        session.startTransaction({
          readConcern: { level: 'snapshot' },
          writeConcern: { w: 'majority' },
          readPreference: 'primary',
        });
        let result: T;
        try {
          result = await body(session);
        } catch (error) {
          await abortQuietly(session);
          if (attempt < maxAttempts && isRetryable(error)) {
            await backoff(attempt);
            continue;
          }
          throw finalError(error, options);
        }
        try {
          await commitWithRetry(session);
          return result;
        } catch (error) {
          if (isUnknownCommitResult(error)) {
            throw new CommitStateUnknownError('The database did not confirm whether the change was committed');
          }
          await abortQuietly(session);
          if (attempt < maxAttempts && isRetryable(error)) {
            await backoff(attempt);
            continue;
          }
          throw finalError(error, options);
        }
      }
    } finally {
      await session.endSession().catch(() => undefined);
    }
  }
}

function isRetryable(error: unknown): boolean {
  if (error instanceof DomainError) return false;
  return error instanceof RetryTransaction || isTransientTransactionError(error) || isDuplicateKeyError(error);
}

function finalError(error: unknown, options: TransactionOptions): unknown {
  if (error instanceof RetryTransaction) {
    return new ConflictError(`Too many concurrent changes (${error.reason}); try again`);
  }
  return translateMongoError(error, options.onDuplicateKey);
}

async function commitWithRetry(session: ClientSession): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await session.commitTransaction();
      return;
    } catch (error) {
      if (isUnknownCommitResult(error) && attempt < COMMIT_ATTEMPTS) continue;
      throw error;
    }
  }
}

async function abortQuietly(session: ClientSession): Promise<void> {
  if (!session.inTransaction()) return;
  try {
    await session.abortTransaction();
  } catch {
    // The server aborts an unfinished transaction by itself; nothing else to do.
  }
}

/** Short randomised pause so competing writers do not collide again in lockstep. */
function backoff(attempt: number): Promise<void> {
  const ceiling = Math.min(200, 5 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}
