import { Global, Module } from '@nestjs/common';
import { HealthController } from './health.controller';
import { ReadinessState } from './readiness.state';

@Global()
@Module({
  controllers: [HealthController],
  providers: [ReadinessState],
  exports: [ReadinessState],
})
export class HealthModule {}
