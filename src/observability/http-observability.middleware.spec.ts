import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { ReadinessState } from '../health/readiness.state';
import type { MetricsService } from './metrics.service';
import { observeRequest } from './http-observability.middleware';

/** Completes one request through observeRequest and returns the level its log line was written at. */
function logLevelOf(answer: { path: string; status: number; draining: boolean; refusedWhileDraining?: boolean }): string {
  const written: string[] = [];
  const logger = {
    isLevelEnabled: () => true,
    info: () => written.push('info'),
    debug: () => written.push('debug'),
    warn: () => written.push('warn'),
    error: () => written.push('error'),
  } as unknown as Logger;
  const readiness = new ReadinessState();
  readiness.draining = answer.draining;
  const metrics = { recordRequest: () => undefined } as unknown as MetricsService;
  const req = { method: 'GET', headers: {} } as IncomingMessage;
  const res = Object.assign(new EventEmitter(), { statusCode: answer.status, setHeader: () => undefined }) as unknown as ServerResponse;
  observeRequest({ logger, metrics, readiness }, req, res, () => ({
    route: answer.path,
    path: answer.path,
    refusedWhileDraining: answer.refusedWhileDraining,
  }));
  res.emit('finish');
  expect(written).toHaveLength(1);
  return written[0];
}

describe('request log levels', () => {
  it('a readiness probe answering 503 while the instance drains is expected: info, not error', () => {
    expect(logLevelOf({ path: '/health/ready', status: 503, draining: true })).toBe('info');
    expect(logLevelOf({ path: '/health', status: 503, draining: true })).toBe('info');
    expect(logLevelOf({ path: '/v1/config', status: 503, draining: true, refusedWhileDraining: true })).toBe('info');
  });

  it('a 503 readiness answer outside a drain (backend unreachable) and other 5xx stay errors', () => {
    expect(logLevelOf({ path: '/health/ready', status: 503, draining: false })).toBe('error');
    expect(logLevelOf({ path: '/v1/config', status: 500, draining: true })).toBe('error');
  });

  it('probes that succeed are logged at debug', () => {
    expect(logLevelOf({ path: '/health/live', status: 200, draining: false })).toBe('debug');
  });
});
