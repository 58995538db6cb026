import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { classifyError, ClassifiedError } from './error-classification';

/**
 * An error whose body is data the client needs, sent verbatim on management routes (the merge-conflict 409
 * keeps its four fields, contract management §0.5). Everything else is `{"error": "<message>"}`.
 */
export class ErrorBodyException extends HttpException {
  constructor(
    readonly body: Record<string, unknown>,
    status: number,
  ) {
    super(body, status);
  }
}

/** Body of a management (`/api/...`) error: `{"error": "<message>"}`. */
export function managementErrorBody(error: ClassifiedError): Record<string, unknown> {
  if (error.httpException instanceof ErrorBodyException) return error.httpException.body;
  return { error: error.message };
}

/**
 * Answers errors on the management surface and on every path outside `/v1` (unrouted paths, framework
 * rejections). Registered through ApiExceptionFilter, which picks the surface by path.
 */
@Catch()
export class ManagementExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ManagementApi');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const error = classifyError(exception);
    logIfServerFault(this.logger, http.getRequest<Request>(), exception, error);
    sendError(http.getResponse<Response>(), error.status, managementErrorBody(error));
  }
}

export function logIfServerFault(
  logger: Logger,
  req: { method?: string; originalUrl?: string; url?: string },
  exception: unknown,
  error: ClassifiedError,
): void {
  if (!error.serverFault) return;
  const what = `${req.method} ${req.originalUrl ?? req.url} -> ${error.status}`;
  if (exception instanceof Error) logger.error(`${what}: ${exception.message}`, exception.stack);
  else logger.error(`${what}: ${String(exception)}`);
}

export function sendError(res: Response, status: number, body: unknown): void {
  if (res.headersSent) {
    // Part of a response already went out; the connection is the only thing left to close.
    res.end();
    return;
  }
  res.status(status).json(body);
}
