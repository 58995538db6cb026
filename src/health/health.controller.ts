import { Controller, Get, HttpCode, Injectable, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from '../auth/access';
import { HotRoute, type HotRouteHandler } from '../http-edge/hot-route';
import { PersistenceHealthPort } from '../persistence/ports';
import { ReadinessState } from './readiness.state';

const LIVENESS_ANSWER = { status: 'alive' } as const;

/** The liveness probe on the lean path (src/http-edge/hot-routes.ts): polled often, it depends on nothing. */
@Injectable()
export class HealthHotRoutes {
  readonly live: HotRouteHandler = () => ({ status: 200, json: LIVENESS_ANSWER });
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
  @Public()
  @HotRoute(HealthHotRoutes, (lean) => lean.live)
  @HttpCode(200)
  live(): typeof LIVENESS_ANSWER {
    return LIVENESS_ANSWER;
  }

  @Get('ready')
  @Public()
  async ready(@Res() res: Response): Promise<void> {
    await this.answerReadiness(res);
  }

  @Get()
  @Public()
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
