import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ApiExceptionFilter } from './api-exception.filter';

/**
 * HTTP plumbing shared by every API surface: the one global exception filter. The caller's Principal is
 * attached by the authentication middleware of src/auth (AuthModule), which also makes sure the default
 * tenant exists at start-up.
 */
@Module({
  providers: [{ provide: APP_FILTER, useClass: ApiExceptionFilter }],
})
export class HttpCommonModule {}
