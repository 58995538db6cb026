import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

/**
 * Installs the in-process MongoDB-wire-compatible test server under `<repo>/.test-servers/mongo/` (gitignored)
 * when it is missing.
 *
 * No real mongod can be installed on the machines the tests run on, so the tests use the pure-TypeScript
 * wire-protocol server shipped inside the npm package `@push.rocks/smartmongo` (its `dist_ts/congodb`
 * directory, built on `mingo`). That package's declared dependency ranges do not all resolve on the npm
 * registry, so it cannot be installed normally: the package is fetched with `npm pack`, unpacked, and only
 * the modules its server code imports are installed next to it. Nothing of it is committed to the project.
 *
 * Safe when several test runs start at once: everything is installed into a private staging directory that
 * is renamed into place at the end (a rename is atomic); whoever renames first wins, the others discard theirs.
 */

const execFileAsync = promisify(execFile);

export const SMARTMONGO_PACKAGE = '@push.rocks/smartmongo';
export const SMARTMONGO_VERSION = '2.2.0';

/**
 * The only dependencies `dist_ts/congodb` imports (see its `congodb.plugins.js`). Their version ranges are
 * taken from the package's own manifest so they stay what its authors built against.
 */
const SERVER_IMPORTS = [
  'bson',
  'mingo',
  '@push.rocks/smartfs',
  '@push.rocks/smartpath',
  '@push.rocks/smartpromise',
  '@push.rocks/smartrx',
] as const;

/** Written last into a complete installation; its absence means the directory is unusable. */
const MARKER_FILE = 'installed.json';

export interface InstalledTestMongo {
  /** Directory of the installation (`<repo>/.test-servers/mongo`). */
  directory: string;
  /** Absolute path of the server's ESM entry module (`.../dist_ts/congodb/index.js`). */
  serverModule: string;
}

export function testMongoDirectory(repoRoot: string): string {
  return path.join(repoRoot, '.test-servers', 'mongo');
}

function serverModulePath(directory: string): string {
  return path.join(directory, 'smartmongo', 'dist_ts', 'congodb', 'index.js');
}

function isComplete(directory: string): boolean {
  const marker = path.join(directory, MARKER_FILE);
  if (!existsSync(marker) || !existsSync(serverModulePath(directory))) return false;
  try {
    const recorded = JSON.parse(readFileSync(marker, 'utf8')) as { version?: string };
    return recorded.version === SMARTMONGO_VERSION;
  } catch {
    return false;
  }
}

/**
 * Returns the installation, installing it first when needed. Throws an Error explaining what failed (the
 * caller reports it; Mongo tests must not be skipped silently).
 */
export async function ensureTestMongoInstalled(repoRoot: string, log: (line: string) => void = () => undefined): Promise<InstalledTestMongo> {
  const directory = testMongoDirectory(repoRoot);
  if (isComplete(directory)) return { directory, serverModule: serverModulePath(directory) };

  const parent = path.dirname(directory);
  mkdirSync(parent, { recursive: true });
  const staging = path.join(parent, `mongo.staging-${process.pid}-${Date.now()}`);
  mkdirSync(staging);
  try {
    log(`installing ${SMARTMONGO_PACKAGE}@${SMARTMONGO_VERSION} (server code only) into ${directory}`);
    await installInto(staging);
    if (existsSync(directory)) {
      if (isComplete(directory)) {
        // Another run finished first; use its installation.
        rmSync(staging, { recursive: true, force: true });
        return { directory, serverModule: serverModulePath(directory) };
      }
      // An incomplete leftover (an interrupted older install without the marker): replace it.
      rmSync(directory, { recursive: true, force: true });
    }
    try {
      renameSync(staging, directory);
    } catch (error) {
      if (!isComplete(directory)) throw error;
      rmSync(staging, { recursive: true, force: true });
    }
    return { directory, serverModule: serverModulePath(directory) };
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(
      `Could not install the in-process MongoDB test server (${SMARTMONGO_PACKAGE}@${SMARTMONGO_VERSION}) into ` +
        `${directory}: ${(error as Error).message}. Set PANGOLIN_TEST_MONGODB_URI to a real MongoDB replica set ` +
        `to test against it instead.`,
    );
  }
}

async function installInto(staging: string): Promise<void> {
  // A package.json of its own keeps npm from walking up into the project's manifest.
  writeFileSync(
    path.join(staging, 'package.json'),
    JSON.stringify({ name: 'pangolin-test-mongo-server', private: true, description: 'test-only, not committed' }, null, 2),
  );

  const { stdout } = await npm(['pack', `${SMARTMONGO_PACKAGE}@${SMARTMONGO_VERSION}`, '--silent'], staging);
  const tarball = stdout.trim().split('\n').pop()?.trim();
  if (!tarball || !existsSync(path.join(staging, tarball))) {
    throw new Error(`npm pack did not produce a tarball (output: ${stdout.trim() || '<empty>'})`);
  }
  await run('tar', ['-xzf', tarball], staging);
  rmSync(path.join(staging, tarball));
  // npm pack archives unpack into `package/`.
  renameSync(path.join(staging, 'package'), path.join(staging, 'smartmongo'));

  const manifest = JSON.parse(readFileSync(path.join(staging, 'smartmongo', 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  const specs = SERVER_IMPORTS.map((name) => {
    const range = manifest.dependencies?.[name];
    if (!range) throw new Error(`${SMARTMONGO_PACKAGE}@${SMARTMONGO_VERSION} no longer declares ${name}`);
    return `${name}@${range}`;
  });
  await npm(['install', '--no-save', '--no-audit', '--no-fund', '--no-package-lock', '--ignore-scripts', ...specs], staging);

  const missing = SERVER_IMPORTS.filter((name) => !existsSync(path.join(staging, 'node_modules', name, 'package.json')));
  if (missing.length > 0) throw new Error(`npm install left out ${missing.join(', ')}`);
  if (!existsSync(serverModulePath(staging))) throw new Error('the package no longer contains dist_ts/congodb');

  writeFileSync(
    path.join(staging, MARKER_FILE),
    JSON.stringify(
      {
        package: SMARTMONGO_PACKAGE,
        version: SMARTMONGO_VERSION,
        dependencies: readdirSync(path.join(staging, 'node_modules')),
        installedAt: new Date().toISOString(),
      },
      null,
      2,
    ),
  );
}

function npm(args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  return run(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, cwd);
}

async function run(command: string, args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  try {
    return await execFileAsync(command, args, { cwd, maxBuffer: 16 * 1024 * 1024, env: process.env });
  } catch (error) {
    const failure = error as Error & { stderr?: string };
    const detail = failure.stderr?.trim().split('\n').slice(-5).join(' | ');
    throw new Error(`\`${command} ${args.join(' ')}\` failed${detail ? `: ${detail}` : `: ${failure.message}`}`);
  }
}
