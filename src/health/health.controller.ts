import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import type { Response } from 'express';
import { PersistenceHealthPort } from '../persistence/ports';
import { ReadinessState } from './readiness.state';
import type { HotRoute } from '../common/http/hot-routes';

const LIVENESS_ANSWER = { status: 'alive' } as const;

/** The liveness probe on the lean path (common/http/hot-routes.ts): polled often, it depends on nothing. */
export function healthHotRoutes(): HotRoute[] {
  return [{ pattern: '/health/live', handle: () => ({ status: 200, json: LIVENESS_ANSWER }) }];
}

/**
 * Probes. /health/live depends on nothing (the process answers); /health/ready pings the active backend and
 * turns false while the service drains on shutdown; /health is an alias of ready.
 */
@Controller('health')
export class HealthController {
  constructor(
    private readonly persistence: PersistenceHealthPort,
    private readonly readiness: ReadinessState,
  ) {}

  @Get('live')
  @HttpCode(200)
  live(): typeof LIVENESS_ANSWER {
    return LIVENESS_ANSWER;
  }

  @Get('ready')
  async ready(@Res() res: Response): Promise<void> {
    await this.answerReadiness(res);
  }

  @Get()
  async health(@Res() res: Response): Promise<void> {
    await this.answerReadiness(res);
  }

  private async answerReadiness(res: Response): Promise<void> {
    if (this.readiness.draining) {
      res.status(503).json({ status: 'draining' });
      return;
    }
    const started = process.hrtime.bigint();
    try {
      await this.persistence.ping();
      const latencyMs = Number(process.hrtime.bigint() - started) / 1e6;
      res.status(200).json({ status: 'ready', store: 'ok', store_latency_ms: Math.round(latencyMs * 1000) / 1000 });
    } catch (err) {
      res.status(503).json({ status: 'unready', store: 'unreachable', error: 'backend did not answer' });
    }
  }
}
