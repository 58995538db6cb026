import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { RequestMetrics } from './request-metrics';

/** A gauge whose value is read from another component at scrape time. */
export interface GaugeSource {
  name: string;
  help: string;
  read(): number;
}

/**
 * Prometheus metrics. One registry per application instance (tests run several apps in one process).
 * Components that own a number (worker pool, metadata cache, database pool) register a GaugeSource instead of
 * depending on this service's internals.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  /** Counted outside the registry (see RequestMetrics) and appended to its exposition. */
  private readonly requests = new RequestMetrics({
    countName: 'pangolin_http_requests_total',
    countHelp: 'HTTP requests by route pattern, method and status',
    durationName: 'pangolin_http_request_duration_seconds',
    durationHelp: 'HTTP request latency by route pattern, method and status',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });

  readonly commitConflicts = new Counter({
    name: 'pangolin_table_commit_conflicts_total',
    help: 'Table commits answered 409 (a requirement failed or retries were exhausted)',
    registers: [this.registry],
  });

  readonly commitRetries = new Counter({
    name: 'pangolin_table_commit_retries_total',
    help: 'Server-side re-runs of a table commit after a concurrent metadata pointer change',
    registers: [this.registry],
  });

  readonly ready = new Gauge({
    name: 'pangolin_ready',
    help: '1 while the instance accepts traffic, 0 while draining',
    registers: [this.registry],
  });

  private readonly sourceNames = new Set<string>();

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'pangolin_process_' });
    this.ready.set(1);
  }

  /** Registers a gauge read at scrape time; a second registration under the same name is ignored. */
  registerGaugeSource(source: GaugeSource): void {
    if (this.sourceNames.has(source.name)) return;
    this.sourceNames.add(source.name);
    new Gauge({
      name: source.name,
      help: source.help,
      registers: [this.registry],
      collect() {
        this.set(source.read());
      },
    });
  }

  recordRequest(method: string, route: string, status: number, seconds: number): void {
    this.requests.record(method, route, status, seconds);
  }

  /** Every metric in the Prometheus text format: the registry's, then the request metrics. */
  async exposition(): Promise<string> {
    const registered = await this.registry.metrics();
    return `${registered.endsWith('\n') ? registered : `${registered}\n`}${this.requests.exposition()}`;
  }
}
