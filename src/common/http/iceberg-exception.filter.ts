import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, ExpectationFailedError, NotFoundError } from '../errors';
import { assertNever } from '../assert-never';
import { classifyError, ClassifiedError } from './error-classification';
import { logIfServerFault, sendError } from './management-exception.filter';

/**
 * An HTTP error raised by an Iceberg controller with an explicit exception type, for the cases a domain
 * error does not express (e.g. 422 UnprocessableEntityException for a key in both `updates` and `removals`).
 */
export class IcebergErrorException extends HttpException {
  constructor(
    status: number,
    readonly icebergType: string,
    message: string,
  ) {
    super(message, status);
  }
}

export interface IcebergErrorBody {
  error: { message: string; type: string; code: number };
}

/** The Iceberg REST error envelope (contract iceberg-rest §3.2); `stack` is never sent. */
export function icebergErrorBody(error: ClassifiedError, path: string): IcebergErrorBody {
  return { error: { message: error.message, type: icebergErrorType(error, path), code: error.status } };
}

export function icebergErrorType(error: ClassifiedError, path: string): string {
  if (error.domainError) return icebergTypeOfDomainError(error.domainError, path);
  if (error.httpException instanceof IcebergErrorException) return error.httpException.icebergType;
  return ICEBERG_TYPE_BY_STATUS[error.status] ?? (error.status >= 500 ? 'InternalServerError' : 'BadRequestException');
}

/** Exhaustive over DomainErrorKind: adding a kind without a case here does not compile. */
function icebergTypeOfDomainError(err: DomainError, path: string): string {
  const kind = err.kind;
  switch (kind) {
    case 'not-found':
      return err instanceof NotFoundError ? icebergNotFoundType(err.resource, path) : 'NotFoundException';
    case 'already-exists':
      return 'AlreadyExistsException';
    case 'expectation-failed':
      // A create that lost a race against another create is "already exists", not a failed commit.
      return err instanceof ExpectationFailedError && err.failure === 'exists'
        ? 'AlreadyExistsException'
        : 'CommitFailedException';
    case 'conflict':
      return 'CommitFailedException';
    case 'namespace-not-empty':
      return 'NamespaceNotEmptyException';
    case 'validation':
      return 'BadRequestException';
    case 'forbidden':
      return 'ForbiddenException';
    case 'unauthenticated':
      return 'NotAuthorizedException';
    case 'unsupported':
      return 'UnsupportedOperationException';
    case 'commit-state-unknown':
      return 'CommitStateUnknownException';
    case 'backend-unavailable':
    case 'storage-unavailable':
      return 'ServiceUnavailableException';
    default:
      return assertNever(kind);
  }
}

/** `/namespaces/<ns>/tables/<t>[/...]` or `/tables/rename`: the route addresses one table. */
const TABLE_ROUTE = /\/namespaces\/[^/]+\/tables\/[^/]+|\/tables\/rename$/;
/** `/namespaces/<ns>/views/<v>[/...]` or `/views/rename`: the route addresses one view. */
const VIEW_ROUTE = /\/namespaces\/[^/]+\/views\/[^/]+|\/views\/rename$/;

/**
 * Which "no such" exception a 404 carries (contract iceberg-rest §3.2). Java picks NoSuchNamespaceException
 * vs NoSuchTableException from `type`, so a missing catalog or branch is reported in the terms of the
 * route: on a route addressing one table (load, commit, drop, HEAD, rename) it is NoSuchTableException; on
 * a view route NoSuchViewException; on namespace routes and list/create/register table it is
 * NoSuchNamespaceException.
 */
export function icebergNotFoundType(resource: NotFoundError['resource'], path: string): string {
  const routeType = VIEW_ROUTE.test(path)
    ? 'NoSuchViewException'
    : TABLE_ROUTE.test(path)
      ? 'NoSuchTableException'
      : 'NoSuchNamespaceException';
  switch (resource) {
    case 'namespace':
      return 'NoSuchNamespaceException';
    case 'table':
      return 'NoSuchTableException';
    case 'asset':
      return routeType === 'NoSuchViewException' ? 'NoSuchViewException' : 'NoSuchTableException';
    case 'catalog':
    case 'branch':
      return routeType;
    case 'tenant':
    case 'warehouse':
    case 'commit':
    case 'tag':
    case 'merge-operation':
    case 'conflict':
    case 'user':
    case 'role':
    case 'token':
    case 'service-user':
    case 'permission':
    case 'file':
      return 'NotFoundException';
    default:
      return assertNever(resource);
  }
}

/** Type names for errors that are not domain errors (framework rejections, HttpExceptions). */
const ICEBERG_TYPE_BY_STATUS: Record<number, string> = {
  400: 'BadRequestException',
  401: 'NotAuthorizedException',
  403: 'ForbiddenException',
  404: 'NotFoundException',
  405: 'MethodNotAllowedException',
  406: 'UnsupportedOperationException',
  409: 'CommitFailedException',
  413: 'RequestTooLargeException',
  415: 'UnsupportedMediaTypeException',
  422: 'UnprocessableEntityException',
  500: 'InternalServerError',
  501: 'UnsupportedOperationException',
  503: 'ServiceUnavailableException',
};

/**
 * Answers errors on the Iceberg REST surface (`/v1/...`) with the Iceberg envelope. Registered through
 * ApiExceptionFilter, which picks the surface by path.
 */
@Catch()
export class IcebergExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('IcebergApi');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const error = classifyError(exception);
    logIfServerFault(this.logger, req, exception, error);
    sendError(http.getResponse<Response>(), error.status, icebergErrorBody(error, req.path));
  }
}
