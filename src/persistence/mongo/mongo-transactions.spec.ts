import { MongoNetworkError, MongoServerError } from 'mongodb';
import type { ClientSession, Connection } from 'mongoose';
import {
  AlreadyExistsError,
  BackendUnavailableError,
  CommitStateUnknownError,
  ConflictError,
  NotFoundError,
} from '../../common/errors';
import { duplicateKeyToDomain, translateMongoError } from './mongo-errors';
import { MongoTransactions, RetryTransaction } from './mongo-transactions';

/**
 * Write conflicts, lost commit acknowledgements and dropped connections cannot be produced on demand with
 * the test server (and not deterministically with a real one), so the transaction runner is driven here by
 * a scripted session. Everything else about transactions is covered by the contract suite on a real server.
 */

function serverError(code: number, errmsg: string, labels: string[] = [], extra: Record<string, unknown> = {}): MongoServerError {
  const error = new MongoServerError({ ok: 0, code, errmsg, ...extra });
  for (const label of labels) error.addErrorLabel(label);
  return error;
}

const writeConflict = () => serverError(112, 'WriteConflict error', ['TransientTransactionError']);
const unknownCommit = () => serverError(91, 'primary stepped down', ['UnknownTransactionCommitResult']);

/** A session whose commitTransaction answers from a script; records what the runner did. */
class ScriptedSession {
  readonly log: string[] = [];
  private active = false;
  constructor(private readonly commitOutcomes: (Error | null)[] = []) {}

  startTransaction() {
    this.active = true;
    this.log.push('start');
  }
  inTransaction() {
    return this.active;
  }
  async commitTransaction() {
    this.log.push('commit');
    const outcome = this.commitOutcomes.shift() ?? null;
    if (outcome) throw outcome;
    this.active = false;
  }
  async abortTransaction() {
    this.log.push('abort');
    this.active = false;
  }
  async endSession() {
    this.log.push('end');
  }
}

function runnerWith(session: ScriptedSession): MongoTransactions {
  const connection = { startSession: async () => session as unknown as ClientSession } as unknown as Connection;
  return new MongoTransactions(connection);
}

describe('MongoTransactions', () => {
  it('commits the body once and ends the session', async () => {
    const session = new ScriptedSession();
    await expect(runnerWith(session).run(async () => 'done')).resolves.toBe('done');
    expect(session.log).toEqual(['start', 'commit', 'end']);
  });

  it('re-runs the whole body after a write conflict, then succeeds', async () => {
    const session = new ScriptedSession();
    let calls = 0;
    const result = await runnerWith(session).run(async () => {
      calls++;
      if (calls < 3) throw writeConflict();
      return calls;
    });
    expect(result).toBe(3);
    expect(session.log).toEqual(['start', 'abort', 'start', 'abort', 'start', 'commit', 'end']);
  });

  it('re-runs after a lost compare-and-swap and after a transient commit failure', async () => {
    const session = new ScriptedSession([writeConflict(), null]);
    let calls = 0;
    await runnerWith(session).run(async () => {
      calls++;
      if (calls === 1) throw new RetryTransaction('head moved');
    });
    expect(calls).toBe(3);
    expect(session.log).toEqual(['start', 'abort', 'start', 'commit', 'abort', 'start', 'commit', 'end']);
  });

  it('gives up after maxAttempts with ConflictError, keeping the driver error as the cause', async () => {
    const session = new ScriptedSession();
    let calls = 0;
    const failure = runnerWith(session).run(
      async () => {
        calls++;
        throw writeConflict();
      },
      { maxAttempts: 4 },
    );
    await expect(failure).rejects.toBeInstanceOf(ConflictError);
    await expect(failure).rejects.toMatchObject({ cause: expect.any(MongoServerError) });
    expect(calls).toBe(4);
    expect(session.log.at(-1)).toBe('end');
  });

  it('a compare-and-swap lost on every attempt is a ConflictError naming the reason', async () => {
    const failure = runnerWith(new ScriptedSession()).run(
      async () => {
        throw new RetryTransaction("head of branch 'main' moved");
      },
      { maxAttempts: 2 },
    );
    await expect(failure).rejects.toThrow(/head of branch 'main' moved/);
    await expect(failure).rejects.toBeInstanceOf(ConflictError);
  });

  it('domain errors from the body are final: no retry, no translation', async () => {
    const session = new ScriptedSession();
    let calls = 0;
    const failure = runnerWith(session).run(async () => {
      calls++;
      throw new NotFoundError('branch', 'ghost');
    });
    await expect(failure).rejects.toBeInstanceOf(NotFoundError);
    expect(calls).toBe(1);
    expect(session.log).toEqual(['start', 'abort', 'end']);
  });

  it('retries an unacknowledged commit, and reports CommitStateUnknownError (never a conflict) when it stays unknown', async () => {
    const recovered = new ScriptedSession([unknownCommit(), null]);
    await expect(runnerWith(recovered).run(async () => 'ok')).resolves.toBe('ok');
    expect(recovered.log).toEqual(['start', 'commit', 'commit', 'end']);

    const lost = new ScriptedSession([unknownCommit(), unknownCommit(), unknownCommit()]);
    let calls = 0;
    const failure = runnerWith(lost).run(async () => {
      calls++;
    });
    await expect(failure).rejects.toBeInstanceOf(CommitStateUnknownError);
    await expect(failure).rejects.not.toBeInstanceOf(ConflictError);
    expect(calls).toBe(1);
  });

  it('a duplicate key is retried (the body re-checks), then reported through onDuplicateKey', async () => {
    const duplicate = () =>
      serverError(11000, 'E11000 duplicate key error collection: pangolin.tags index: tags_name_unique dup key: { name: "v1" }');
    let calls = 0;
    const failure = runnerWith(new ScriptedSession()).run(
      async () => {
        calls++;
        throw duplicate();
      },
      { maxAttempts: 2, onDuplicateKey: () => new AlreadyExistsError('tag', 'v1') },
    );
    await expect(failure).rejects.toMatchObject({ resource: 'tag', resourceName: 'v1' });
    expect(calls).toBe(2);
  });
});

describe('translateMongoError', () => {
  it('names the resource of a duplicate key from its collection', () => {
    const error = serverError(
      11000,
      'E11000 duplicate key error collection: pangolin.catalogs index: catalogs_tenant_name_unique dup key: { tenantId: "t", name: "sales" }',
      [],
      { keyValue: { tenantId: 't', name: 'sales' } },
    );
    const translated = duplicateKeyToDomain(error);
    expect(translated).toBeInstanceOf(AlreadyExistsError);
    expect(translated).toMatchObject({ resource: 'catalog', resourceName: 'sales' });
    expect(translateMongoError(error)).toMatchObject({ resource: 'catalog' });
  });

  it('an unknown collection gives a generic conflict, never a 5xx', () => {
    const error = serverError(11000, 'E11000 duplicate key error collection: pangolin.elsewhere index: x dup key: { }');
    expect(translateMongoError(error)).toBeInstanceOf(ConflictError);
  });

  it('connectivity failures become BackendUnavailableError; unknown errors pass through', () => {
    expect(translateMongoError(new MongoNetworkError('connection reset'))).toBeInstanceOf(BackendUnavailableError);
    const bug = new TypeError('programming error');
    expect(translateMongoError(bug)).toBe(bug);
  });
});
