/** Liveness of the active backend, for /health/ready. */
export abstract class PersistenceHealthPort {
  /** Resolves when the backend answers a trivial query; rejects otherwise. */
  abstract ping(): Promise<void>;

  /** Releases connections; called once on application shutdown. */
  abstract close(): Promise<void>;
}
