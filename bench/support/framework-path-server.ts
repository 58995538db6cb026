/**
 * One server of bench/framework-path.ts, run in its own process:
 *
 *   node -r ./bench/register-ts.js bench/support/framework-path-server.ts empty|app
 *
 * - `empty`: an empty Nest + Express application with one GET route (Nest's defaults), the floor of the
 *   framework path;
 * - `app`: the real application (createApp), configured by the environment the benchmark passes.
 *
 * It talks to the benchmark over the IPC channel only (its standard output is the service's log stream):
 * it sends `{ port }` once listening, and answers `cpu` with process.cpuUsage() (every thread of the
 * process: main, GC, workers), `profile-start` / `profile-stop` with a CPU profile of the main thread taken
 * through node:inspector (so the profile covers the measured requests only, not the start-up).
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { Session } from 'node:inspector';
import { Controller, Get, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

@Controller('ping')
class PingController {
  @Get()
  ping(): { ok: boolean } {
    return { ok: true };
  }
}

@Module({ controllers: [PingController] })
class EmptyModule {}

async function start(kind: string): Promise<INestApplication> {
  if (kind === 'empty') return NestFactory.create(EmptyModule, { logger: false });
  if (kind === 'app') {
    // Loaded only here, so the empty application's process holds none of the service's modules.
    const { loadConfig } = await import('../../src/config/config');
    const { createApp } = await import('../../src/app.factory');
    return createApp(loadConfig());
  }
  throw new Error(`unknown server kind '${kind}' (empty or app)`);
}

type Command = { type: 'cpu' } | { type: 'profile-start' } | { type: 'profile-stop'; file: string };

async function main(): Promise<void> {
  const app = await start(process.argv[2] ?? '');
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolve(result))),
    );
  process.on('message', (command: Command) => {
    void (async () => {
      if (command.type === 'cpu') {
        process.send!({ cpu: process.cpuUsage() });
      } else if (command.type === 'profile-start') {
        await post('Profiler.enable');
        await post('Profiler.setSamplingInterval', { interval: 100 });
        await post('Profiler.start');
        process.send!({ profiling: true });
      } else if (command.type === 'profile-stop') {
        const { profile } = (await post('Profiler.stop')) as { profile: unknown };
        writeFileSync(command.file, JSON.stringify(profile));
        process.send!({ profile: command.file });
      }
    })().catch((error: unknown) => process.send!({ error: String(error) }));
  });
  process.on('disconnect', () => process.exit(0));
  process.send!({ port });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
