import { QueryFailedError } from 'typeorm';
import type { DataSource, EntityManager, EntityTarget, FindOptionsWhere, ObjectLiteral, QueryRunner, Repository } from 'typeorm';
import type { Pagination } from '../models';
import { RecordNames, translateCommitError, translateDriverError } from './driver-errors';

export type Dialect = 'postgres' | 'sqlite';

/**
 * The adapter's access to the database: every port method runs inside `read` or `write`, which pick the
 * connection, open and close the transaction, and translate driver errors.
 *
 * PostgreSQL: a pooled connection per call; `write` is one transaction (READ COMMITTED, the server default) in
 * which the adapter takes row locks (`SELECT ... FOR UPDATE`) where it reads before writing.
 *
 * SQLite: better-sqlite3 is synchronous and TypeORM gives SQLite ONE connection, so two transactions started
 * by concurrent requests would interleave their statements on it (each `await` lets another request in).
 * Every call therefore runs under an in-process mutex; writes open with `BEGIN IMMEDIATE` so the write lock
 * is taken up front (another process on the same file waits for busy_timeout instead of failing halfway),
 * and reads also wait for the mutex so they never see another call's uncommitted rows.
 */
export class SqlDatabase {
  private readonly sqliteMutex = new Mutex();

  constructor(
    readonly dataSource: DataSource,
    readonly dialect: Dialect,
  ) {}

  /** Runs `work` outside a transaction (one statement, or reads that need no snapshot). */
  async read<T>(work: (session: SqlSession) => Promise<T>, names?: RecordNames): Promise<T> {
    if (this.dialect === 'sqlite') {
      return this.sqliteMutex.run(async () => {
        try {
          return await work(new SqlSession(this.dialect, this.dataSource.createQueryRunner()));
        } catch (error) {
          throw translateDriverError(error, names);
        }
      });
    }
    const runner = this.dataSource.createQueryRunner();
    try {
      return await work(new SqlSession(this.dialect, runner));
    } catch (error) {
      throw translateDriverError(error, names);
    } finally {
      await runner.release();
    }
  }

  /**
   * Runs `work` in one transaction: all of it is committed, or none of it (any error rolls back).
   *
   * PostgreSQL: with `openWithFirstStatements`, BEGIN is not sent on its own: it travels with the first
   * statements of the work, which then must be sent with `SqlSession.rowsOfEach` (one round trip for BEGIN
   * plus those statements; used where a transaction holds a contended lock, so every round trip counts).
   */
  async write<T>(
    work: (session: SqlSession) => Promise<T>,
    names?: RecordNames,
    options: { openWithFirstStatements?: boolean } = {},
  ): Promise<T> {
    if (this.dialect === 'sqlite') {
      return this.sqliteMutex.run(() => this.sqliteTransaction(work, names));
    }
    return options.openWithFirstStatements ? this.postgresTransactionOpenedByWork(work, names) : this.postgresTransaction(work, names);
  }

  private async sqliteTransaction<T>(work: (session: SqlSession) => Promise<T>, names?: RecordNames): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    let result: T;
    try {
      await runner.query('BEGIN IMMEDIATE');
    } catch (error) {
      throw translateDriverError(error, names);
    }
    try {
      result = await work(new SqlSession(this.dialect, runner));
    } catch (error) {
      // SQLite may already have rolled back (e.g. after SQLITE_FULL); a second ROLLBACK then fails harmlessly.
      await runner.query('ROLLBACK').catch(() => undefined);
      throw translateDriverError(error, names);
    }
    try {
      await runner.query('COMMIT');
    } catch (error) {
      await runner.query('ROLLBACK').catch(() => undefined);
      throw translateCommitError(error, names);
    }
    return result;
  }

  private async postgresTransaction<T>(work: (session: SqlSession) => Promise<T>, names?: RecordNames): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    try {
      try {
        await runner.startTransaction(); // the server default, READ COMMITTED; row locks do the rest
      } catch (error) {
        throw translateDriverError(error, names);
      }
      let result: T;
      try {
        result = await work(new SqlSession(this.dialect, runner));
      } catch (error) {
        await runner.rollbackTransaction().catch(() => undefined);
        throw translateDriverError(error, names);
      }
      try {
        await runner.commitTransaction();
      } catch (error) {
        throw translateCommitError(error, names);
      }
      return result;
    } finally {
      await runner.release().catch(() => undefined);
    }
  }

  /** As postgresTransaction, but BEGIN goes out with the work's first statements (see `write`). */
  private async postgresTransactionOpenedByWork<T>(work: (session: SqlSession) => Promise<T>, names?: RecordNames): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    const session = new SqlSession(this.dialect, runner, 'pending');
    try {
      let result: T;
      try {
        result = await work(session);
      } catch (error) {
        if (session.transaction !== 'pending') await runner.query('ROLLBACK').catch(() => undefined);
        throw translateDriverError(error, names);
      }
      if (session.transaction === 'pending') return result; // nothing was sent
      try {
        await runner.query('COMMIT');
      } catch (error) {
        throw translateCommitError(error, names);
      }
      return result;
    } finally {
      await runner.release().catch(() => undefined);
    }
  }
}

/**
 * Statements of one `read` or `write` call, on its connection. SQL is written once with PostgreSQL's `$n`
 * placeholders; for SQLite they are rewritten to positional `?` (better-sqlite3 binds neither `$n` by
 * number nor one value to a repeated placeholder).
 */
export class SqlSession {
  constructor(
    readonly dialect: Dialect,
    readonly runner: QueryRunner,
    /**
     * `pending`: a PostgreSQL transaction whose BEGIN has not been sent yet (it goes out with the next
     * statements); `open`: BEGIN sent, or no deferred transaction at all.
     */
    public transaction: 'pending' | 'open' = 'open',
  ) {}

  get manager(): EntityManager {
    return this.runner.manager;
  }

  repo<E extends ObjectLiteral>(entity: EntityTarget<E>): Repository<E> {
    return this.runner.manager.getRepository(entity);
  }

  /** Rows returned by the statement. */
  async rows<R = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
    await this.beginIfPending();
    const [text, values] = this.bind(sql, params);
    const result = await this.runner.query(text, values, true);
    return (result.records ?? []) as R[];
  }

  /** Number of rows the statement inserted, updated or deleted. */
  async run(sql: string, params: readonly unknown[] = []): Promise<number> {
    await this.beginIfPending();
    const [text, values] = this.bind(sql, params);
    const result = await this.runner.query(text, values, true);
    return result.affected ?? result.records?.length ?? 0;
  }

  /**
   * The rows of each statement, in order. On PostgreSQL the statements (and a pending BEGIN) travel in ONE
   * round trip: a multi-statement simple query, in which each statement still gets its own snapshot (so a
   * read after a lock sees what the previous lock holder committed). That protocol has no bound parameters,
   * so the values are inlined as escaped literals (strings and null only). SQLite runs them one by one.
   */
  async rowsOfEach(statements: { sql: string; params: readonly (string | null)[] }[]): Promise<Record<string, unknown>[][]> {
    if (this.dialect !== 'postgres') {
      const results: Record<string, unknown>[][] = [];
      for (const statement of statements) results.push(await this.rows(statement.sql, statement.params));
      return results;
    }
    const texts = statements.map(({ sql, params }) => sql.replace(/\$(\d+)/g, (_, n: string) => literal(params[Number(n) - 1])));
    const opensTransaction = this.transaction === 'pending';
    if (opensTransaction) texts.unshift('BEGIN');
    this.transaction = 'open';
    const results = await this.multiStatementQuery(texts.join(';\n'));
    return results.slice(opensTransaction ? 1 : 0).map((r) => r.rows ?? []);
  }

  /**
   * Sends a multi-statement query on this session's connection and returns node-postgres's result per
   * statement (TypeORM's `query` keeps only a single result's rows). It is logged and announced to
   * `beforeQuery` subscribers like every other statement (no `afterQuery` event), and fails with a
   * QueryFailedError as `query` does.
   */
  private async multiStatementQuery(text: string): Promise<{ rows?: Record<string, unknown>[] }[]> {
    const runner = this.runner as QueryRunner & {
      connect(): Promise<{ query(text: string): Promise<unknown> }>;
      broadcaster: { broadcast(event: 'BeforeQuery', query: string, parameters?: unknown[]): Promise<void> };
    };
    const client = await runner.connect();
    runner.connection.logger.logQuery(text, undefined, runner);
    await runner.broadcaster.broadcast('BeforeQuery', text, undefined);
    try {
      const raw = await client.query(text);
      return (Array.isArray(raw) ? raw : [raw]) as { rows?: Record<string, unknown>[] }[];
    } catch (error) {
      runner.connection.logger.logQueryError(error as Error, text, undefined, runner);
      throw new QueryFailedError(text, undefined, error as Error);
    }
  }

  private async beginIfPending(): Promise<void> {
    if (this.transaction !== 'pending') return;
    this.transaction = 'open';
    await this.runner.query('BEGIN');
  }

  /** Finds one row and, on PostgreSQL, locks it until the transaction ends (SQLite: the mutex already does). */
  findForUpdate<E extends ObjectLiteral>(entity: EntityTarget<E>, where: FindOptionsWhere<E>): Promise<E | null> {
    return this.repo(entity).findOne({
      where,
      lock: this.dialect === 'postgres' ? { mode: 'pessimistic_write' } : undefined,
    });
  }

  /** ` FOR UPDATE` on PostgreSQL, nothing on SQLite (which has no row locks; the mutex serialises writes). */
  get forUpdate(): string {
    return this.dialect === 'postgres' ? ' FOR UPDATE' : '';
  }

  /**
   * A table expression `l` over a JSON array of objects passed as parameter `$param`, with the given text
   * (or integer, or bigint) fields as columns: `json_to_recordset` on PostgreSQL, `json_each` on SQLite.
   *
   * Join it to a table as `FROM l CROSS JOIN <table> WHERE ...`: SQLite then keeps the list as the outer loop
   * and probes the table's index once per entry. With a plain JOIN its planner may scan the table's whole
   * range and the list for each row (quadratic: minutes for a 10k-entry list). PostgreSQL plans both alike.
   */
  jsonRecords(param: number, fields: Record<string, 'text' | 'integer' | 'bigint'>): string {
    const entries = Object.entries(fields);
    if (this.dialect === 'postgres') {
      const columns = entries.map(([name, type]) => `"${name}" ${type === 'text' ? 'text COLLATE "C"' : type}`);
      return `json_to_recordset(CAST($${param} AS json)) AS l(${columns.join(', ')})`;
    }
    const columns = entries.map(([name]) => `json_extract(value, '$.${name}') AS "${name}"`);
    return `(SELECT ${columns.join(', ')} FROM json_each($${param})) AS l`;
  }

  /** A subquery of the strings in the JSON array passed as parameter `$param`. */
  jsonStrings(param: number): string {
    return this.dialect === 'postgres'
      ? `SELECT value COLLATE "C" FROM json_array_elements_text(CAST($${param} AS json))`
      : `SELECT value FROM json_each($${param})`;
  }

  /** ` LIMIT … OFFSET …` for a page, appending its values to `params`. */
  paginate(page: Pagination | undefined, params: unknown[]): string {
    let clause = '';
    if (page?.limit !== undefined) {
      params.push(page.limit);
      clause += ` LIMIT $${params.length}`;
    } else if (page?.offset && this.dialect === 'sqlite') {
      clause += ' LIMIT -1'; // SQLite has no OFFSET without LIMIT
    }
    if (page?.offset) {
      params.push(page.offset);
      clause += ` OFFSET $${params.length}`;
    }
    return clause;
  }

  private bind(sql: string, params: readonly unknown[]): [string, unknown[]] {
    if (this.dialect === 'postgres') return [sql, params as unknown[]];
    const order: number[] = [];
    const text = sql.replace(/\$(\d+)/g, (_, n: string) => {
      order.push(Number(n) - 1);
      return '?';
    });
    return [text, order.map((i) => params[i])];
  }
}

/** A PostgreSQL literal of the value, escaped by the driver itself (node-postgres's escapeLiteral). */
function literal(value: string | null | undefined): string {
  if (value === null || value === undefined) return 'NULL';
  return postgresEscapeLiteral()(value);
}

let escapeLiteral: ((text: string) => string) | undefined;

/**
 * Loaded on first use, not at the top (SQLite deployments never load the PostgreSQL driver), and kept: a
 * `require` call resolves the module path again every time (measured: about 7% of the service's CPU under
 * a commit load, with up to a few literals per commit).
 */
function postgresEscapeLiteral(): (text: string) => string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily on purpose (see above)
  escapeLiteral ??= (require('pg') as { escapeLiteral(text: string): string }).escapeLiteral;
  return escapeLiteral;
}

/** A FIFO async mutex: `run` calls execute one at a time, in call order. */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
