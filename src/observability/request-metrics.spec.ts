import { RequestMetrics } from './request-metrics';

function metrics(): RequestMetrics {
  return new RequestMetrics({
    countName: 'http_requests_total',
    countHelp: 'Requests',
    durationName: 'http_request_duration_seconds',
    durationHelp: 'Latency\nby route',
    buckets: [0.01, 0.1, 1],
  });
}

/** The value of one sample line, by its exact name and label set. */
function sample(text: string, nameAndLabels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${nameAndLabels} `));
  return line === undefined ? undefined : Number(line.slice(nameAndLabels.length + 1));
}

describe('RequestMetrics', () => {
  it('counts requests per method, route and status, with cumulative latency buckets, sum and count', () => {
    const m = metrics();
    m.record('GET', '/v1/config', 200, 0.005);
    m.record('GET', '/v1/config', 200, 0.01); // on a bound: counted in that bucket (le = less or equal)
    m.record('GET', '/v1/config', 200, 0.5);
    m.record('GET', '/v1/config', 200, 3);
    m.record('GET', '/v1/config', 404, 0.02);
    m.record('POST', '/v1/config', 200, 0.02);
    const text = m.exposition();
    const ok = 'method="GET",route="/v1/config",status="200"';
    expect(sample(text, `http_requests_total{${ok}}`)).toBe(4);
    expect(sample(text, 'http_requests_total{method="GET",route="/v1/config",status="404"}')).toBe(1);
    expect(sample(text, 'http_requests_total{method="POST",route="/v1/config",status="200"}')).toBe(1);
    expect(sample(text, `http_request_duration_seconds_bucket{le="0.01",${ok}}`)).toBe(2);
    expect(sample(text, `http_request_duration_seconds_bucket{le="0.1",${ok}}`)).toBe(2);
    expect(sample(text, `http_request_duration_seconds_bucket{le="1",${ok}}`)).toBe(3);
    expect(sample(text, `http_request_duration_seconds_bucket{le="+Inf",${ok}}`)).toBe(4);
    expect(sample(text, `http_request_duration_seconds_count{${ok}}`)).toBe(4);
    expect(sample(text, `http_request_duration_seconds_sum{${ok}}`)).toBeCloseTo(3.515, 10);
  });

  it('writes the families with HELP and TYPE lines, escaping help text and label values', () => {
    const m = metrics();
    m.record('GET', 'a"b\\c', 500, 0.001);
    const lines = m.exposition().split('\n');
    expect(lines).toContain('# TYPE http_requests_total counter');
    expect(lines).toContain('# TYPE http_request_duration_seconds histogram');
    expect(lines).toContain('# HELP http_request_duration_seconds Latency\\nby route');
    expect(lines).toContain('http_requests_total{method="GET",route="a\\"b\\\\c",status="500"} 1');
  });

  it('writes the HELP and TYPE lines before the first request', () => {
    expect(metrics().exposition()).toBe(
      '# HELP http_requests_total Requests\n# TYPE http_requests_total counter\n' +
        '# HELP http_request_duration_seconds Latency\\nby route\n# TYPE http_request_duration_seconds histogram\n',
    );
  });

  it('refuses buckets that are not strictly ascending', () => {
    expect(() => new RequestMetrics({ countName: 'a', countHelp: 'a', durationName: 'b', durationHelp: 'b', buckets: [1, 1] })).toThrow(/ascending/);
  });
});
