import { DynamicModule, Global, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { MetadataWorkersModule } from '../metadata-workers/metadata-workers.module';
import { MetricsController } from './metrics.controller';
import { MetricsSources } from './metrics-sources';
import { MetricsService } from './metrics.service';
import { ROOT_LOGGER } from './observability.tokens';
import { ShutdownCoordinator } from './shutdown.coordinator';

@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(options: { logger: Logger; metricsEnabled: boolean }): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [MetadataWorkersModule],
      controllers: options.metricsEnabled ? [MetricsController] : [],
      providers: [MetricsService, MetricsSources, ShutdownCoordinator, { provide: ROOT_LOGGER, useValue: options.logger }],
      exports: [MetricsService, ROOT_LOGGER],
    };
  }
}
