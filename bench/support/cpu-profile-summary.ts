/**
 * Summarises a V8 CPU profile (the `Profiler.stop` result, or a `--cpu-prof` file) per request: the top
 * functions by self time and by inclusive time, and self time by origin (a package, a source file of this
 * service, node's internals), each in µs per request.
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileLine {
  name: string;
  microsPerRequest: number;
}

export interface ProfileSummary {
  sampledMicrosPerRequest: number;
  bySelf: ProfileLine[];
  byInclusive: ProfileLine[];
  byOrigin: ProfileLine[];
}

/** Frames that are not code of a request: the idle loop, the profiler's own bookkeeping. */
const NOT_WORK = new Set(['(root)', '(idle)', '(program)']);

export function summariseProfile(profile: CpuProfile, requests: number, top = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const selfMicros = new Map<number, number>();
  // timeDeltas[i] is the time since the previous sample: charged to the node of sample i.
  profile.samples.forEach((id, i) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const origin = new Map<string, number>();
  let sampled = 0;
  for (const [id, micros] of selfMicros) {
    const node = byId.get(id)!;
    if (NOT_WORK.has(node.callFrame.functionName)) continue;
    sampled += micros;
    add(self, frameName(node), micros);
    add(origin, originOf(node.callFrame.url), micros);
    // Each function on the stack once, however often it recurses.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const name = frameName(byId.get(at)!);
      if (seen.has(name) || NOT_WORK.has(byId.get(at)!.callFrame.functionName)) continue;
      seen.add(name);
      add(inclusive, name, micros);
    }
  }
  const lines = (totals: Map<string, number>) =>
    [...totals.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, micros]) => ({ name, microsPerRequest: micros / requests }));
  return { sampledMicrosPerRequest: sampled / requests, bySelf: lines(self), byInclusive: lines(inclusive), byOrigin: lines(origin) };
}

export function formatSummary(title: string, summary: ProfileSummary): string {
  const block = (heading: string, lines: ProfileLine[]) =>
    [`  ${heading}:`, ...lines.map((l) => `    ${l.microsPerRequest.toFixed(1).padStart(7)} µs  ${l.name}`)].join('\n');
  return [
    `${title}: ${summary.sampledMicrosPerRequest.toFixed(1)} µs of sampled main-thread CPU per request`,
    block('self time by origin', summary.byOrigin),
    block('self time by function', summary.bySelf),
    block('inclusive time by function', summary.byInclusive),
  ].join('\n');
}

function add(totals: Map<string, number>, key: string, micros: number): void {
  totals.set(key, (totals.get(key) ?? 0) + micros);
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url === '' ? '' : ` ${shortUrl(url)}:${lineNumber + 1}`;
  return `${functionName === '' ? '(anonymous)' : functionName}${where}`;
}

/** `node_modules/@nestjs/core/...` -> `@nestjs/core`; `src/auth/x.ts` -> `src/auth/x.ts`; `node:...` -> node. */
function originOf(url: string): string {
  if (url === '') return '(native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (url.startsWith('node:')) return 'node (internals)';
  return shortUrl(url);
}

function shortUrl(url: string): string {
  const path = url.replace(/^file:\/\//, '');
  for (const marker of ['node_modules/', '/src/', '/bench/']) {
    const at = path.lastIndexOf(marker);
    if (at >= 0) return path.slice(at + (marker.startsWith('/') ? 1 : 0));
  }
  return path;
}
