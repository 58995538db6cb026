import { HttpException } from '@nestjs/common';
import { DomainError } from '../errors';
import { domainErrorResponse, INTERNAL_ERROR_MESSAGE, reasonPhrase } from './domain-error-http';

/**
 * Any thrown value, reduced to what every API surface needs to answer it: status, a client-safe message,
 * and whether it is a server fault to log. The surfaces differ only in the body shape they wrap it in.
 */
export interface ClassifiedError {
  status: number;
  message: string;
  serverFault: boolean;
  /** Set when the thrown value was a domain error (surfaces refine their error type from it). */
  domainError?: DomainError;
  /** Set when the thrown value was a Nest HttpException. */
  httpException?: HttpException;
}

export function classifyError(exception: unknown): ClassifiedError {
  if (exception instanceof DomainError) {
    return { ...domainErrorResponse(exception), domainError: exception };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    // The body parser's JSON syntax errors reach us wrapped in a 400; say what failed.
    const prefix = exception.cause instanceof SyntaxError ? 'Failed to parse the request body as JSON: ' : '';
    return {
      status,
      message: prefix + httpExceptionMessage(exception, status),
      serverFault: status >= 500,
      httpException: exception,
    };
  }
  // A programming error, a driver error an adapter failed to translate, ...: never shown to the client.
  return { status: 500, message: INTERNAL_ERROR_MESSAGE, serverFault: true };
}

/**
 * The message of an HttpException as Nest builds it: a string response, or `{message}` where message may be
 * a list (class-validator style). HttpExceptions are raised by our own HTTP layer or by the framework for
 * client input (body parser, routing), so their message is safe to show; a 5xx without one gets the reason
 * phrase.
 */
function httpExceptionMessage(exception: HttpException, status: number): string {
  const response = exception.getResponse();
  if (typeof response === 'string' && response !== '') return response;
  if (response && typeof response === 'object') {
    const message = (response as { message?: unknown }).message;
    if (typeof message === 'string' && message !== '') return message;
    if (Array.isArray(message) && message.length > 0) return message.map(String).join('; ');
  }
  return exception.message || reasonPhrase(status);
}
