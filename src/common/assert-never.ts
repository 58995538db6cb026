/**
 * The default branch of an exhaustive switch: a compile error when a case is left out, and a throw should a
 * value the types rule out arrive anyway. `what` names the kind of value in the message.
 */
export function assertNever(value: never, what = 'case'): never {
  throw new Error(`Unhandled ${what}: ${describeValue(value)}`);
}

function describeValue(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value); // BigInt, cycles
  }
}
