import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

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

  readonly httpRequests = new Counter({
    name: 'pangolin_http_requests_total',
    help: 'HTTP requests by route pattern, method and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'pangolin_http_request_duration_seconds',
    help: 'HTTP request latency by route pattern, method and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
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
    const labels = { method, route, status: String(status) };
    this.httpRequests.inc(labels);
    this.httpDuration.observe(labels, seconds);
  }
}
