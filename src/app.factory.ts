import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule, AppModuleOptions } from './app.module';
import type { AppConfig } from './config/config';

/**
 * Builds the configured HTTP application (used by main.ts and by the e2e tests, so both run the same
 * pipeline: body limits, filters, shutdown hooks).
 */
export async function createApp(config: AppConfig, options: AppModuleOptions = {}): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, options), {
    bodyParser: false,
    logger: config.logLevel === 'silent' ? false : undefined,
  });
  app.useBodyParser('json', { limit: config.maxBodyBytes });
  app.enableCors({
    origin: true,
    methods: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'],
    allowedHeaders: ['content-type', 'authorization', 'accept', 'x-pangolin-tenant', 'x-api-key', 'if-none-match'],
  });
  app.enableShutdownHooks();
  return app;
}
