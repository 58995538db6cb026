import { Writable } from 'node:stream';
import pino from 'pino';
import { createRootLogger, requestLineLogger } from './logger';

const LOG_INFO = { logLevel: 'info', logFlushMs: 0 } as const;

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString('utf8'));
      callback();
    },
  });
  return { stream, lines: () => chunks.join('').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l)) };
}

describe('request line logger', () => {
  const line = {
    requestId: '4a6f1c1e-8f7e-4c55-9a43-0f6f5f0c2a11',
    method: 'GET',
    path: '/api/v1/catalogs/sales',
    route: '/api/v1/catalogs/:name',
    status: 200,
    durationMs: 1.234,
    tenant: '7d1d3a42-5b1c-4f0e-8a4e-2b1f7f0f9c10',
  };

  it('writes a request line exactly as the root logger does (same fields, level, base, message)', () => {
    const viaRoot = capture();
    const viaRequestLines = capture();
    createRootLogger(LOG_INFO, viaRoot.stream).info(line, 'request');
    requestLineLogger(createRootLogger(LOG_INFO, viaRequestLines.stream)).info(line, 'request');
    const withoutTime = ({ time, ...rest }: Record<string, unknown>) => (typeof time === 'string' ? rest : { time, ...rest });
    expect(viaRequestLines.lines().map(withoutTime)).toEqual(viaRoot.lines().map(withoutTime));
    expect(viaRequestLines.lines()[0]).toMatchObject({ level: 'info', service: 'pangolin', msg: 'request', ...line });
  });

  it('follows the level of the root logger', () => {
    const out = capture();
    const lines = requestLineLogger(createRootLogger({ ...LOG_INFO, logLevel: 'warn' }, out.stream));
    lines.info(line, 'request');
    lines.error(line, 'request failed');
    expect(out.lines().map((l) => l.msg)).toEqual(['request failed']);
  });

  it('leaves the redaction of every other log line in place', () => {
    const out = capture();
    const root = createRootLogger(LOG_INFO, out.stream);
    requestLineLogger(root);
    root.info({ headers: { authorization: 'Bearer secret-token' }, password: 'hunter2' }, 'something');
    expect(out.lines()[0]).toMatchObject({ headers: { authorization: '[redacted]' }, password: '[redacted]' });
  });
});

describe('standard output of the log', () => {
  const streamOf = (logger: pino.Logger) => (logger as unknown as Record<symbol, { minLength?: number; sync?: boolean }>)[pino.symbols.streamSym];

  it('is written in batches when PANGOLIN_LOG_FLUSH_MS is above 0 (one write per batch, not per line)', () => {
    const stream = streamOf(createRootLogger({ logLevel: 'info', logFlushMs: 200 }));
    expect(stream.minLength).toBeGreaterThan(0);
    expect(stream.sync).toBe(false);
  });

  it('writes each line at once with PANGOLIN_LOG_FLUSH_MS=0', () => {
    expect(streamOf(createRootLogger({ logLevel: 'info', logFlushMs: 0 })).minLength ?? 0).toBe(0);
  });
});
