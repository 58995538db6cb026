import * as domainErrors from '../common/errors';
import * as metadataErrors from '../iceberg/metadata/errors';

/**
 * Errors thrown in a worker thread reach the main thread through a structured clone, which keeps only
 * `message` (and turns every class into a plain Error). The service maps errors by class, so a worker
 * returns its error as data (name, message, own fields) and the main thread rebuilds an instance of the
 * same class. Unknown errors (bugs) become a plain Error carrying the original name and stack: a 500.
 */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  fields: Record<string, unknown>;
}

type ErrorClass = abstract new (...args: never[]) => Error;

const TRANSPORTABLE: Record<string, ErrorClass> = {};
for (const candidate of [...Object.values(domainErrors), ...Object.values(metadataErrors)]) {
  if (typeof candidate === 'function' && candidate.prototype instanceof Error) {
    TRANSPORTABLE[candidate.name] = candidate as ErrorClass;
  }
}

export function serializeError(err: unknown): SerializedError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(err)) {
    const value = (err as unknown as Record<string, unknown>)[key];
    if (value === null || ['string', 'number', 'boolean', 'bigint'].includes(typeof value)) fields[key] = value;
  }
  return { name: err.constructor?.name ?? err.name, message: err.message, stack: err.stack, fields };
}

export function deserializeError(serialized: SerializedError): Error {
  const errorClass = TRANSPORTABLE[serialized.name];
  // Rebuilt without running the constructor (each class has its own signature); the own fields, `kind`
  // included, are restored as they were.
  const err: Error = errorClass ? Object.create(errorClass.prototype as object) : new Error(serialized.message);
  Object.defineProperty(err, 'message', { value: serialized.message, writable: true, configurable: true });
  Object.assign(err, serialized.fields);
  if (!errorClass && serialized.name !== 'Error') {
    Object.defineProperty(err, 'name', { value: serialized.name, writable: true, configurable: true });
  }
  Object.defineProperty(err, 'stack', {
    value: serialized.stack ?? `${serialized.name}: ${serialized.message}`,
    writable: true,
    configurable: true,
  });
  return err;
}
