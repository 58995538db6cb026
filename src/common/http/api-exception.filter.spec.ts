import {
  All,
  Controller,
  HttpException,
  MiddlewareConsumer,
  Module,
  NestModule,
  Query,
  RequestMethod,
  UnprocessableEntityException,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import {
  AlreadyExistsError,
  BackendUnavailableError,
  CommitStateUnknownError,
  ConflictError,
  DomainError,
  DomainErrorKind,
  ExpectationFailedError,
  ForbiddenError,
  NamespaceNotEmptyError,
  NotFoundError,
  ResourceKind,
  UnauthenticatedError,
  UnsupportedError,
  ValidationError,
} from '../errors';
import { openMemoryPersistence } from '../../persistence/memory/memory-persistence';
import { PersistenceModule } from '../../persistence/persistence.module';
import type { PersistencePorts } from '../../persistence/persistence-ports';
import { DefaultTenantBootstrap } from './default-tenant.bootstrap';
import { HttpCommonModule } from './http-common.module';
import { PrincipalMiddleware } from './principal.middleware';
import { IcebergErrorException } from './iceberg-exception.filter';
import { ErrorBodyException } from './management-exception.filter';
import { OAuthErrorException } from './oauth-error';
import { StorageUnavailableError } from '../../storage/errors';
import { CurrentPrincipal, type Principal } from './principal';

const SECRET_DETAIL = 'password=hunter2 at db.internal:5432';

/** One instance of every domain error kind: the switch below must grow with DomainErrorKind. */
function domainError(kind: DomainErrorKind, resource: ResourceKind): DomainError {
  switch (kind) {
    case 'not-found':
      return new NotFoundError(resource, 'x');
    case 'already-exists':
      return new AlreadyExistsError(resource, 'x');
    case 'conflict':
      return new ConflictError('conflicting state');
    case 'expectation-failed':
      return new ExpectationFailedError('db.t', 'location-mismatch');
    case 'namespace-not-empty':
      return new NamespaceNotEmptyError('Namespace db is not empty');
    case 'validation':
      return new ValidationError('bad input');
    case 'forbidden':
      return new ForbiddenError('Forbidden');
    case 'unauthenticated':
      return new UnauthenticatedError('Missing or invalid authorization header');
    case 'unsupported':
      return new UnsupportedError('Views are not supported');
    case 'commit-state-unknown':
      return new CommitStateUnknownError(`connection lost: ${SECRET_DETAIL}`);
    case 'backend-unavailable':
      return new BackendUnavailableError(`ECONNREFUSED ${SECRET_DETAIL}`);
    case 'storage-unavailable':
      return new StorageUnavailableError(`Could not write 'file:///srv/${SECRET_DETAIL}' (EIO)`, { action: 'write', code: 'EIO' });
  }
}

/** Answers every path and method by throwing what the query asks for. */
@Controller()
class ThrowingController {
  @All('{*path}')
  throw(@Query() query: Record<string, string>, @CurrentPrincipal() principal: Principal): unknown {
    switch (query.throw) {
      case 'domain':
        throw domainError(query.kind as DomainErrorKind, (query.resource ?? 'catalog') as ResourceKind);
      case 'expectation-exists':
        throw new ExpectationFailedError('db.t', 'exists');
      case 'http':
        throw new UnprocessableEntityException('unprocessable');
      case 'http-5xx':
        throw new HttpException('Upstream answered nonsense', 502);
      case 'iceberg-typed':
        throw new IcebergErrorException(422, 'UnprocessableEntityException', 'key in both updates and removals');
      case 'body':
        throw new ErrorBodyException({ status: 'conflicted', operation_id: 'op', conflicts: 2, message: 'm' }, 409);
      case 'oauth':
        throw new OAuthErrorException('unsupported_grant_type', 'grant_type must be client_credentials');
      case 'crash':
        throw new TypeError(`Cannot read properties of undefined (${SECRET_DETAIL})`);
      case 'non-error':
        throw { detail: SECRET_DETAIL };
      default:
        return { principal };
    }
  }
}

describe('ApiExceptionFilter and PrincipalMiddleware', () => {
  let app: NestExpressApplication;
  let ports: PersistencePorts;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    ports = await openMemoryPersistence();
    // The application attaches principals in AuthModule; this pipeline test keeps the fixed NO-AUTH one.
    @Module({
      imports: [PersistenceModule.forPorts(ports), HttpCommonModule],
      controllers: [ThrowingController],
      providers: [DefaultTenantBootstrap],
    })
    class TestModule implements NestModule {
      configure(consumer: MiddlewareConsumer): void {
        consumer.apply(PrincipalMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
      }
    }
    app = await NestFactory.create<NestExpressApplication>(TestModule, { logger: false, bodyParser: false });
    app.useBodyParser('json', { limit: 1024 });
    await app.init();
    http = request(app.getHttpServer());
  });
  afterAll(async () => {
    await app.close();
    await ports.health.close();
  });

  it('attaches the NO-AUTH principal to every request and creates the default tenant at boot', async () => {
    const res = await http.get('/anything').expect(200);
    expect(res.body.principal).toEqual({
      tenantId: '00000000-0000-0000-0000-000000000000',
      userId: '00000000-0000-0000-0000-000000000000',
      username: 'admin',
      role: 'tenant-admin',
    });
    expect(await ports.tenants.getTenant('00000000-0000-0000-0000-000000000000')).toEqual({
      id: '00000000-0000-0000-0000-000000000000',
      name: 'default',
      properties: {},
    });
  });

  const statusByKind: Record<DomainErrorKind, number> = {
    'not-found': 404,
    'already-exists': 409,
    conflict: 409,
    'expectation-failed': 409,
    'namespace-not-empty': 409,
    validation: 400,
    forbidden: 403,
    unauthenticated: 401,
    unsupported: 501,
    'commit-state-unknown': 500,
    'backend-unavailable': 503,
    'storage-unavailable': 503,
  };
  const icebergTypeByKind: Record<DomainErrorKind, string> = {
    'not-found': 'NoSuchNamespaceException',
    'already-exists': 'AlreadyExistsException',
    conflict: 'CommitFailedException',
    'expectation-failed': 'CommitFailedException',
    'namespace-not-empty': 'NamespaceNotEmptyException',
    validation: 'BadRequestException',
    forbidden: 'ForbiddenException',
    unauthenticated: 'NotAuthorizedException',
    unsupported: 'UnsupportedOperationException',
    'commit-state-unknown': 'CommitStateUnknownException',
    'backend-unavailable': 'ServiceUnavailableException',
    'storage-unavailable': 'ServiceUnavailableException',
  };

  it.each(Object.keys(statusByKind) as DomainErrorKind[])('maps %s on both surfaces', async (kind) => {
    const status = statusByKind[kind];
    const management = await http.get(`/api/v1/things?throw=domain&kind=${kind}`);
    expect(management.status).toBe(status);
    expect(Object.keys(management.body)).toEqual(['error']);
    expect(typeof management.body.error).toBe('string');

    const iceberg = await http.post(`/v1/cat/namespaces?throw=domain&kind=${kind}`);
    expect(iceberg.status).toBe(status);
    expect(iceberg.body).toEqual({
      error: { message: management.body.error, type: icebergTypeByKind[kind], code: status },
    });
    // A 5xx never shows the underlying message.
    if (status >= 500) expect(JSON.stringify([management.body, iceberg.body])).not.toContain('hunter2');
    // A storage failure says so, with what failed and the store's code.
    if (kind === 'storage-unavailable') expect(management.body.error).toBe('Object storage is unavailable: could not write a file (EIO)');
  });

  it.each([
    ['/v1/cat/namespaces/db/tables/t', 'catalog', 'NoSuchTableException'],
    ['/v1/cat/v1/namespaces/db/tables/t', 'branch', 'NoSuchTableException'],
    ['/v1/cat/namespaces/db/tables/t/metrics', 'catalog', 'NoSuchTableException'],
    ['/v1/cat/tables/rename', 'catalog', 'NoSuchTableException'],
    ['/v1/cat/namespaces/db/tables', 'catalog', 'NoSuchNamespaceException'],
    ['/v1/cat/namespaces/db/tables', 'branch', 'NoSuchNamespaceException'],
    ['/v1/cat/namespaces/db/register', 'catalog', 'NoSuchNamespaceException'],
    ['/v1/cat/namespaces/db', 'catalog', 'NoSuchNamespaceException'],
    ['/v1/cat/namespaces/db/tables/t', 'namespace', 'NoSuchNamespaceException'],
    ['/v1/cat/namespaces/db', 'table', 'NoSuchTableException'],
    ['/v1/cat/namespaces/db/tables/t', 'asset', 'NoSuchTableException'],
    ['/v1/cat/namespaces/db/views/v', 'asset', 'NoSuchViewException'],
    ['/v1/cat/namespaces/db/views/v', 'catalog', 'NoSuchViewException'],
    ['/v1/cat/namespaces/db/tables/t', 'warehouse', 'NotFoundException'],
  ])('a 404 on %s for a missing %s is %s', async (path, resource, type) => {
    const res = await http.get(`${path}?throw=domain&kind=not-found&resource=${resource}`).expect(404);
    expect(res.body.error).toMatchObject({ type, code: 404 });
  });

  it('a create that lost the race is AlreadyExistsException on Iceberg routes', async () => {
    const res = await http.post('/v1/cat/namespaces/db/tables?throw=expectation-exists').expect(409);
    expect(res.body.error.type).toBe('AlreadyExistsException');
  });

  it('keeps the status and message of HttpExceptions; explicit Iceberg types and verbatim bodies', async () => {
    expect((await http.get('/api/v1/x?throw=http').expect(422)).body).toEqual({ error: 'unprocessable' });
    expect((await http.get('/v1/x?throw=http').expect(422)).body).toEqual({
      error: { message: 'unprocessable', type: 'UnprocessableEntityException', code: 422 },
    });
    expect((await http.get('/v1/x?throw=http-5xx').expect(502)).body.error.type).toBe('InternalServerError');
    expect((await http.get('/v1/x?throw=iceberg-typed').expect(422)).body.error.type).toBe('UnprocessableEntityException');
    expect((await http.get('/api/v1/x?throw=body').expect(409)).body).toEqual({
      status: 'conflicted',
      operation_id: 'op',
      conflicts: 2,
      message: 'm',
    });
  });

  it('answers anything else with a generic 500 that leaks nothing', async () => {
    for (const kind of ['crash', 'non-error']) {
      const management = await http.get(`/api/v1/x?throw=${kind}`).expect(500);
      expect(management.body).toEqual({ error: 'Internal server error' });
      const iceberg = await http.get(`/v1/x?throw=${kind}`).expect(500);
      expect(iceberg.body).toEqual({ error: { message: 'Internal server error', type: 'InternalServerError', code: 500 } });
    }
  });

  it('uses the OAuth error shape for client errors on every token route alias', async () => {
    for (const path of ['/v1/oauth/tokens', '/v1/cat/v1/oauth/tokens', '/v1/cat/oauth/tokens', '/api/v1/iceberg/cat/oauth/tokens']) {
      const res = await http.post(`${path}?throw=oauth`).expect(400);
      expect(res.body).toEqual({ error: 'unsupported_grant_type', error_description: 'grant_type must be client_credentials' });
      const unauthenticated = await http.post(`${path}?throw=domain&kind=unauthenticated`).expect(401);
      expect(unauthenticated.body.error).toBe('invalid_client');
    }
  });

  it('answers body parser rejections in the shape of the surface', async () => {
    const malformed = await http.post('/api/v1/x').set('content-type', 'application/json').send('{"a":').expect(400);
    expect(malformed.body.error).toMatch(/^Failed to parse the request body as JSON/);
    const icebergMalformed = await http.post('/v1/x').set('content-type', 'application/json').send('{"a":').expect(400);
    expect(icebergMalformed.body.error).toMatchObject({ type: 'BadRequestException', code: 400 });
    const big = JSON.stringify({ a: 'x'.repeat(2048) });
    expect((await http.post('/api/v1/x').set('content-type', 'application/json').send(big).expect(413)).body).toEqual({
      error: expect.any(String),
    });
    expect((await http.post('/v1/x').set('content-type', 'application/json').send(big).expect(413)).body.error.code).toBe(413);
    const charset = await http.post('/api/v1/x').set('content-type', 'application/json; charset=klingon').send('{}').expect(415);
    expect(Object.keys(charset.body)).toEqual(['error']);
  });
});
