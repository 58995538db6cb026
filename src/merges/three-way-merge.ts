/**
 * Three-way merge of branch contents (DESIGN §2.6). Pure: no Nest, no IO.
 *
 * Each input maps an asset key (its qualified name, `ns1.ns2.asset`) to the asset's state on that side, or
 * has no entry when the asset is absent there. Every key of the three maps is examined:
 *
 * | source vs target | source vs base | target vs base | outcome                                        |
 * |------------------|----------------|----------------|------------------------------------------------|
 * | identical        | any            | any            | nothing to do (both sides agree)               |
 * | differ           | unchanged      | changed        | keep the target                                |
 * | differ           | changed        | unchanged      | take the source (put it, or delete it)         |
 * | differ           | changed        | changed        | field-level merge; a field both sides changed  |
 * |                  |                |                | differently is a conflict (see below)          |
 *
 * Conflicts are typed as the contract's ConflictType (management §1.1):
 * - one side deleted the asset, the other changed it: `DeletionConflict` (`deleted_in` / `modified_in`);
 * - both changed a structural field differently (kind, location, or an Iceberg table's
 *   `metadata_location`, i.e. both sides committed the table): `SchemaChange`;
 * - both changed the same property differently (other properties only): `MetadataConflict` naming them.
 * An asset added on both sides (absent at the base) follows the same rules with an empty base, so the same
 * content is a no-op and different content is a conflict.
 *
 * Ids are not compared: an asset keeps its id across branches, and two independent registrations of the
 * same content are the same asset for merging purposes.
 */
import { ValidationError } from '../common/errors';
import {
  ASSET_KINDS,
  METADATA_LOCATION_PROPERTY,
  type AssetKind,
  type ConflictType,
  type NamespacePath,
  type ResolutionStrategy,
  type StringMap,
} from '../persistence/models';

/** An asset as it stands on one side of a merge. */
export interface AssetState {
  id: string;
  namespace: NamespacePath;
  name: string;
  kind: AssetKind;
  location: string;
  properties: StringMap;
}

/** Asset states keyed by qualified name; a missing key means the asset is absent on that side. */
export type AssetStates = ReadonlyMap<string, AssetState>;

export type MergeSide = 'source' | 'target';

export interface DetectedConflict {
  /** Qualified name of the asset (the map key). */
  key: string;
  /** The target's id when the target has the asset, else the source's. */
  assetId: string | null;
  /** Externally tagged, as on the wire: `{"SchemaChange": {...}}` etc. */
  conflictType: ConflictType;
  description: string;
  base: AssetState | null;
  source: AssetState | null;
  target: AssetState | null;
}

/** What a recorded resolution says the target should end up with. */
export interface ConflictDecision {
  strategy: ResolutionStrategy;
  /** For `Manual`: the parsed resolved value (null = the asset is absent after the merge). */
  manual?: ManualAssetValue | null;
}

/** A Manual resolution's value: fields given replace those of the side that still has the asset. */
export interface ManualAssetValue {
  kind?: AssetKind;
  location?: string;
  properties?: StringMap;
}

export interface MergeOutcome {
  /** Rows to write on the target (full state, carrying the id the asset should keep). */
  puts: AssetState[];
  /** Rows to remove from the target. */
  deletes: { namespace: NamespacePath; name: string }[];
  /** Conflicts without a decision. */
  conflicts: DetectedConflict[];
  /** Keys whose conflict was settled by a decision. */
  resolvedKeys: string[];
}

/** The structural fields: a difference here on both sides means the asset itself diverged. */
const STRUCTURAL_FIELDS = ['kind', 'location', METADATA_LOCATION_PROPERTY] as const;
type StructuralField = (typeof STRUCTURAL_FIELDS)[number];

/**
 * Merges `source` into `target` relative to `base`. `decisions` (by key) settle conflicts: a conflicted key
 * with a decision produces the decided change instead of a conflict. Output order follows the sorted keys, so
 * the result is deterministic.
 */
export function threeWayMerge(
  base: AssetStates,
  source: AssetStates,
  target: AssetStates,
  decisions: ReadonlyMap<string, ConflictDecision> = new Map(),
): MergeOutcome {
  const outcome: MergeOutcome = { puts: [], deletes: [], conflicts: [], resolvedKeys: [] };
  const keys = [...new Set([...base.keys(), ...source.keys(), ...target.keys()])].sort();
  for (const key of keys) {
    const b = base.get(key) ?? null;
    const s = source.get(key) ?? null;
    const t = target.get(key) ?? null;
    const result = mergeOne(key, b, s, t);
    if (result.kind === 'keep-target') continue;
    if (result.kind === 'set') {
      applyTo(outcome, t, result.state);
      continue;
    }
    const decision = decisions.get(key);
    if (!decision) {
      outcome.conflicts.push(result.conflict);
      continue;
    }
    applyTo(outcome, t, decide(result.conflict, decision));
    outcome.resolvedKeys.push(key);
  }
  return outcome;
}

type KeyResult =
  | { kind: 'keep-target' }
  | { kind: 'set'; state: AssetState | null }
  | { kind: 'conflict'; conflict: DetectedConflict };

function mergeOne(key: string, b: AssetState | null, s: AssetState | null, t: AssetState | null): KeyResult {
  if (sameContent(s, t)) return { kind: 'keep-target' };
  if (sameContent(s, b)) return { kind: 'keep-target' };
  if (sameContent(t, b)) return { kind: 'set', state: s };

  // Both sides changed the asset since the base, to different states.
  const conflictOf = (conflictType: ConflictType, description: string): KeyResult => ({
    kind: 'conflict',
    conflict: { key, assetId: t?.id ?? s?.id ?? null, conflictType, description, base: b, source: s, target: t },
  });
  if (s === null || t === null) {
    const deletedIn: MergeSide = s === null ? 'source' : 'target';
    const modifiedIn: MergeSide = s === null ? 'target' : 'source';
    return conflictOf(
      { DeletionConflict: { asset_name: key, deleted_in: deletedIn, modified_in: modifiedIn } },
      `Asset '${key}' was deleted in the ${deletedIn} branch but modified in the ${modifiedIn} branch`,
    );
  }

  const structural = mergeStructural(b, s, t);
  if (structural.conflicting.length > 0) {
    return conflictOf(
      { SchemaChange: { asset_name: key, source_schema: schemaView(s), target_schema: schemaView(t) } },
      `Asset '${key}' was changed in both branches (${structural.conflicting.join(', ')} differ)`,
    );
  }
  const properties = mergeProperties(b?.properties ?? {}, s.properties, t.properties);
  if (properties.conflicting.length > 0) {
    return conflictOf(
      { MetadataConflict: { asset_name: key, conflicting_properties: properties.conflicting } },
      `Asset '${key}' has properties changed differently in both branches: ${properties.conflicting.join(', ')}`,
    );
  }
  const merged: AssetState = {
    ...t,
    kind: structural.kind,
    location: structural.location,
    properties: properties.merged,
  };
  if (structural.metadataLocation === undefined) delete merged.properties[METADATA_LOCATION_PROPERTY];
  else merged.properties[METADATA_LOCATION_PROPERTY] = structural.metadataLocation;
  return { kind: 'set', state: merged };
}

/** One field, three ways: one-sided changes win; both changed differently is a conflict. */
function pick<T>(base: T | undefined, source: T, target: T): { value: T; conflict: boolean } {
  if (source === target) return { value: source, conflict: false };
  if (source === base) return { value: target, conflict: false };
  if (target === base) return { value: source, conflict: false };
  return { value: target, conflict: true };
}

function mergeStructural(
  b: AssetState | null,
  s: AssetState,
  t: AssetState,
): { kind: AssetKind; location: string; metadataLocation: string | undefined; conflicting: StructuralField[] } {
  const conflicting: StructuralField[] = [];
  const kind = pick(b?.kind, s.kind, t.kind);
  if (kind.conflict) conflicting.push('kind');
  const location = pick(b?.location, s.location, t.location);
  if (location.conflict) conflicting.push('location');
  const metadataLocation = pick(
    b?.properties[METADATA_LOCATION_PROPERTY],
    s.properties[METADATA_LOCATION_PROPERTY],
    t.properties[METADATA_LOCATION_PROPERTY],
  );
  if (metadataLocation.conflict) conflicting.push(METADATA_LOCATION_PROPERTY);
  return { kind: kind.value, location: location.value, metadataLocation: metadataLocation.value, conflicting };
}

/** Per-key merge of the non-structural properties; an absent key is `undefined`. */
function mergeProperties(base: StringMap, source: StringMap, target: StringMap): { merged: StringMap; conflicting: string[] } {
  const mergedEntries: [string, string][] = [];
  const conflicting: string[] = [];
  const keys = [...new Set([...Object.keys(base), ...Object.keys(source), ...Object.keys(target)])].sort();
  for (const key of keys) {
    if (key === METADATA_LOCATION_PROPERTY) continue;
    const result = pick(own(base, key), own(source, key), own(target, key));
    if (result.conflict) conflicting.push(key);
    if (result.value !== undefined) mergedEntries.push([key, result.value]);
  }
  // fromEntries, not assignment: a property named `__proto__` stays a key.
  return { merged: Object.fromEntries(mergedEntries), conflicting };
}

function own(map: StringMap, key: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;
}

/** What a SchemaChange shows of each side: the fields that define the asset's structure. */
function schemaView(state: AssetState): Record<string, unknown> {
  return {
    kind: state.kind,
    location: state.location,
    metadata_location: own(state.properties, METADATA_LOCATION_PROPERTY) ?? null,
  };
}

/** The target's final state under a decision (null = absent). */
function decide(conflict: DetectedConflict, decision: ConflictDecision): AssetState | null {
  switch (decision.strategy) {
    case 'TakeSource':
      return conflict.source;
    case 'TakeTarget':
      return conflict.target;
    case 'Manual': {
      if (decision.manual === undefined) {
        throw new ValidationError(`Manual resolution of '${conflict.key}' has no resolved_value`);
      }
      if (decision.manual === null) return null;
      const template = conflict.source ?? conflict.target;
      if (!template) return null;
      return {
        id: conflict.target?.id ?? template.id,
        namespace: template.namespace,
        name: template.name,
        kind: decision.manual.kind ?? template.kind,
        location: decision.manual.location ?? template.location,
        properties: { ...(decision.manual.properties ?? template.properties) },
      };
    }
    case 'AutoMerge':
    case 'ThreeWayMerge':
      throw new ValidationError(
        `Strategy ${decision.strategy} cannot settle the conflict on '${conflict.key}': use TakeSource, TakeTarget or Manual`,
      );
  }
}

/** Records the change needed to bring the target from `current` to `wanted` (nothing when equal). */
function applyTo(outcome: MergeOutcome, current: AssetState | null, wanted: AssetState | null): void {
  if (sameContent(current, wanted)) return;
  if (wanted === null) {
    if (current) outcome.deletes.push({ namespace: current.namespace, name: current.name });
    return;
  }
  outcome.puts.push({ ...wanted, namespace: [...wanted.namespace], properties: { ...wanted.properties } });
}

/** Equal content: kind, location and properties (ids and key order ignored). */
export function sameContent(a: AssetState | null, b: AssetState | null): boolean {
  if (a === null || b === null) return a === b;
  return a.kind === b.kind && a.location === b.location && sameStringMap(a.properties, b.properties);
}

function sameStringMap(a: StringMap, b: StringMap): boolean {
  const aKeys = Object.keys(a);
  if (aKeys.length !== Object.keys(b).length) return false;
  return aKeys.every((key) => own(b, key) === a[key]);
}

/** Strategies accepted by the resolve endpoint, with the aliases shipped clients send (contract §1.3.12). */
const STRATEGY_ALIASES: Record<string, ResolutionStrategy> = {
  AutoMerge: 'AutoMerge',
  TakeSource: 'TakeSource',
  TakeTarget: 'TakeTarget',
  Manual: 'Manual',
  ThreeWayMerge: 'ThreeWayMerge',
  source: 'TakeSource',
  target: 'TakeTarget',
  manual: 'Manual',
};

/** Strategies that settle a conflict; the others are rejected when resolving. */
export const SETTLING_STRATEGIES: readonly ResolutionStrategy[] = ['TakeSource', 'TakeTarget', 'Manual'];

/** Parses a wire strategy (or alias); undefined when it is not one. */
export function parseResolutionStrategy(raw: unknown): ResolutionStrategy | undefined {
  return typeof raw === 'string' && Object.prototype.hasOwnProperty.call(STRATEGY_ALIASES, raw)
    ? STRATEGY_ALIASES[raw]
    : undefined;
}

/**
 * Validates a Manual resolution's `resolved_value`: `null` (the asset is absent after the merge) or an object
 * with any of `kind` (an AssetType), `location` (string) and `properties` (string map). Unknown keys are
 * ignored, as elsewhere on the API. Throws ValidationError.
 */
export function parseManualValue(raw: unknown): ManualAssetValue | null {
  if (raw === null) return null;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ValidationError('resolved_value must be null or an object with kind, location and/or properties');
  }
  const value = raw as Record<string, unknown>;
  const result: ManualAssetValue = {};
  if (value.kind !== undefined) {
    if (typeof value.kind !== 'string' || !(ASSET_KINDS as readonly string[]).includes(value.kind)) {
      throw new ValidationError(`resolved_value.kind must be one of ${ASSET_KINDS.join(', ')}`);
    }
    result.kind = value.kind as AssetKind;
  }
  if (value.location !== undefined) {
    if (typeof value.location !== 'string') throw new ValidationError('resolved_value.location must be a string');
    result.location = value.location;
  }
  if (value.properties !== undefined) {
    const properties = value.properties;
    if (
      properties === null ||
      typeof properties !== 'object' ||
      Array.isArray(properties) ||
      !Object.values(properties).every((v) => typeof v === 'string')
    ) {
      throw new ValidationError('resolved_value.properties must be an object whose values are all strings');
    }
    result.properties = { ...(properties as StringMap) };
  }
  if (result.kind === undefined && result.location === undefined && result.properties === undefined) {
    throw new ValidationError('resolved_value must name at least one of kind, location, properties (or be null)');
  }
  return result;
}
