import { Global, Module } from '@nestjs/common';
import { HealthController, HealthHotRoutes } from './health.controller';
import { ReadinessState } from './readiness.state';

@Global()
@Module({
  controllers: [HealthController],
  providers: [ReadinessState, HealthHotRoutes],
  exports: [ReadinessState],
})
export class HealthModule {}
