import { DynamicModule, Inject, Injectable, Logger, Module, OnApplicationShutdown, Provider } from '@nestjs/common';
import { AppConfig, redactUrl } from '../config/config';
import { withLookupCache } from './lookup-cache';
import { openPersistence } from './open-persistence';
import { PORT_BINDINGS, PersistencePorts } from './persistence-ports';

export const PERSISTENCE = Symbol('PERSISTENCE');

@Injectable()
class PersistenceLifecycle implements OnApplicationShutdown {
  constructor(@Inject(PERSISTENCE) private readonly ports: PersistencePorts) {}

  async onApplicationShutdown(): Promise<void> {
    await this.ports.health.close();
  }
}

/**
 * Binds every port token to the backend chosen by the configuration. Global, so feature modules inject the
 * ports they need (and only those) without importing this module.
 */
@Module({})
export class PersistenceModule {
  static forRoot(config: AppConfig): DynamicModule {
    const logger = new Logger('Persistence');
    const root: Provider = {
      provide: PERSISTENCE,
      useFactory: async () => {
        const db = config.database;
        const where =
          db.kind === 'sqlite' ? db.file : db.kind === 'memory' ? 'process memory' : redactUrl(db.url);
        logger.log(`Opening ${db.kind} backend (${where})`);
        const ports = await openPersistence(db, { runMigrations: config.runMigrations });
        return withLookupCache(ports, config.lookupCacheMs);
      },
    };
    return PersistenceModule.fromPorts(root, true);
  }

  /** For tests: bind already-opened ports (the caller closes them), with the configured lookup cache. */
  static forPorts(ports: PersistencePorts, lookupCacheMs = 0): DynamicModule {
    return PersistenceModule.fromPorts({ provide: PERSISTENCE, useValue: withLookupCache(ports, lookupCacheMs) }, false);
  }

  private static fromPorts(root: Provider, closeOnShutdown: boolean): DynamicModule {
    const bindings: Provider[] = PORT_BINDINGS.map(([token, field]) => ({
      provide: token,
      useFactory: (ports: PersistencePorts) => ports[field],
      inject: [PERSISTENCE],
    }));
    return {
      module: PersistenceModule,
      global: true,
      providers: [root, ...bindings, ...(closeOnShutdown ? [PersistenceLifecycle] : [])],
      exports: [PERSISTENCE, ...PORT_BINDINGS.map(([token]) => token)],
    };
  }
}
