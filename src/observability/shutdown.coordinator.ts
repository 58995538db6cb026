import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { ReadinessState } from '../health/readiness.state';
import { MetricsService } from './metrics.service';
import { ROOT_LOGGER } from './observability.tokens';

/**
 * Graceful shutdown, first step. Nest then closes the HTTP server (which waits for in-flight requests such as
 * commits) and only after that runs onApplicationShutdown hooks (worker pool, database connections).
 * Readiness turns false first; the drain delay gives load balancers time to stop routing here while new
 * requests are already refused with 503.
 */
@Injectable()
export class ShutdownCoordinator implements BeforeApplicationShutdown {
  constructor(
    private readonly readiness: ReadinessState,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {}

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.readiness.draining = true;
    this.metrics.ready.set(0);
    this.logger.info({ signal, drainDelayMs: this.config.shutdownDrainMs }, 'shutting down: readiness off, draining');
    if (this.config.shutdownDrainMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, this.config.shutdownDrainMs));
    }
  }
}
