import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { classifyError, type ClassifiedError } from './error-classification';
import { icebergErrorBody } from './iceberg-exception.filter';
import { logIfServerFault, managementErrorBody, sendError } from './management-exception.filter';
import { isOAuthTokenPath, oauthErrorBody } from './oauth-error';

/** True for the Iceberg REST surface: `/v1` and everything under it. */
export function isIcebergPath(path: string): boolean {
  return path === '/v1' || path.startsWith('/v1/');
}

/**
 * The error body for a request path: the OAuth shape for client errors on the token routes, the Iceberg
 * envelope under `/v1`, `{"error": "<message>"}` everywhere else. Status codes are the same on every surface.
 */
export function errorBodyFor(path: string, error: ClassifiedError): unknown {
  if (isOAuthTokenPath(path) && error.status < 500) return oauthErrorBody(error);
  if (isIcebergPath(path)) return icebergErrorBody(error, path);
  return managementErrorBody(error);
}

/**
 * THE global exception filter. It sees every error of every request, including those raised before a route
 * is chosen (unrouted paths, body parser: malformed JSON 400, too large 413, unsupported charset 415), and
 * picks the body shape from the path: the Iceberg envelope under `/v1`, the OAuth shape for client errors on
 * the token routes, `{"error": "<message>"}` everywhere else. Status codes are the same on every surface.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    const error = classifyError(exception);
    logIfServerFault(this.logger, req, exception, error);
    sendError(res, error.status, errorBodyFor(req.path ?? req.url, error));
  }
}
