/** Connection-pool figures of the active backend, for metrics. */
export interface ConnectionPoolStats {
  /** Open connections (idle + in use). */
  total: number;
  /** Open connections not in use. */
  idle: number;
  /** Callers waiting for a connection. */
  waiting: number;
}

/** Liveness of the active backend, for /health/ready, and its pool figures, for /metrics. */
export abstract class PersistenceHealthPort {
  /** Resolves when the backend answers a trivial query; rejects otherwise. */
  abstract ping(): Promise<void>;

  /** Releases connections; called once on application shutdown. */
  abstract close(): Promise<void>;

  /** Pool figures, or null for a backend without a client-side pool (memory, SQLite's single connection). */
  connectionPoolStats(): ConnectionPoolStats | null {
    return null;
  }
}
