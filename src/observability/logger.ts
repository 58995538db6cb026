import type { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';
import type { AppConfig } from '../config/config';

/**
 * Structured JSON logs. Secrets never reach a log line: the request logger writes only method, path (without
 * the query string), route, status, duration, request id and tenant; the redaction list below catches
 * secrets in anything else that is logged by accident.
 */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers["x-api-key"]',
  '*.headers["x-api-key"]',
  'access_token',
  '*.access_token',
  'client_secret',
  '*.client_secret',
  'secret_access_key',
  '*.secret_access_key',
];

/** A batch of log lines written to standard output at once (see standardOutput). */
const LOG_BATCH_BYTES = 4096;

export function createRootLogger(config: Pick<AppConfig, 'logLevel' | 'logFlushMs'>, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level: config.logLevel,
      base: { service: 'pangolin' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? standardOutput(config),
  );
}

/**
 * Standard output, written in batches: one write per 4 KiB of lines, or `logFlushMs` after the first
 * buffered line, whichever comes first. Writing each request's line on its own costs a system call (and a
 * hand-over to the I/O thread pool) per request, more CPU than the rest of the line's formatting. Lines
 * still buffered when the process exits are written synchronously on the way out (pino's exit hook); only
 * a SIGKILL loses them. `logFlushMs` 0 keeps pino's default: each line is written at once.
 */
function standardOutput(config: Pick<AppConfig, 'logLevel' | 'logFlushMs'>): pino.DestinationStream | undefined {
  if (config.logFlushMs === 0 || config.logLevel === 'silent') return undefined;
  return pino.destination({ dest: 1, sync: false, minLength: LOG_BATCH_BYTES, periodicFlush: config.logFlushMs });
}

/**
 * The logger of the per-request lines (see observeRequest): the root logger without the redaction pass.
 * Those lines hold fixed fields only (request id, method, path without the query, route pattern, status,
 * duration, tenant), none of them a key the list above names, so redacting them changed nothing; yet with
 * wildcard paths, pino runs the redaction over every field of every line, a sizeable part of a request's
 * CPU on the framework path. Same destination, level and fields as the root logger.
 */
export function requestLineLogger(root: Logger): Logger {
  return root.child({}, { redact: [] });
}

/** Routes Nest's own log calls (bootstrap, module init, exceptions) into the same JSON stream. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.logger.info(fields(rest), stringify(message));
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.logger.error(fields(rest), stringify(message));
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.logger.warn(fields(rest), stringify(message));
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.logger.debug(fields(rest), stringify(message));
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.logger.trace(fields(rest), stringify(message));
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.logger.fatal(fields(rest), stringify(message));
  }
}

/** Nest passes an optional stack and a context name as trailing arguments. */
function fields(rest: unknown[]): Record<string, unknown> {
  const strings = rest.filter((r): r is string => typeof r === 'string');
  const context = strings.length > 0 ? strings[strings.length - 1] : undefined;
  const stack = strings.length > 1 ? strings[0] : undefined;
  return { ...(context ? { context } : {}), ...(stack ? { stack } : {}) };
}

function stringify(message: unknown): string {
  if (typeof message === 'string') return message;
  if (message instanceof Error) return message.message;
  try {
    return JSON.stringify(message);
  } catch {
    return String(message);
  }
}
