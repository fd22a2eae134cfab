import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface CpuProfileSummary {
  file: string;
  seconds: number;
  /** Self time by function, the heaviest first. */
  top: { function: string; where: string; selfPercent: number }[];
  /** Self time by package or folder (node_modules/<pkg>, libs/<lib>, node internals, GC). */
  byArea: { area: string; selfPercent: number }[];
}

function areaOf(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  const own = /\/dist\/((?:libs|apps)\/[^/]+)/.exec(url);
  if (own) return own[1];
  if (url.startsWith('node:')) return 'node internals';
  return url.replace(/^.*\//, '');
}

/** Self-time summary of the .cpuprofile files written into `dir` since `since` (ms epoch). */
export function summariseCpuProfiles(dir: string, since: number, topN = 12): CpuProfileSummary[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  } catch {
    return [];
  }
  return files
    .filter((f) => statSync(join(dir, f)).mtimeMs >= since)
    .map((file) => {
      const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
      const byId = new Map(profile.nodes.map((n) => [n.id, n]));
      const self = new Map<number, number>();
      profile.samples.forEach((id, i) =>
        self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)),
      );
      const total = [...self.values()].reduce((a, b) => a + b, 0) || 1;
      const fns = new Map<string, { where: string; us: number }>();
      const areas = new Map<string, number>();
      for (const [id, us] of self) {
        const f = byId.get(id)!.callFrame;
        const name = f.functionName || '(anonymous)';
        const where = f.url
          ? `${f.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${f.lineNumber + 1}`
          : '';
        const key = `${name} ${where}`;
        fns.set(key, { where, us: (fns.get(key)?.us ?? 0) + us });
        const area = areaOf(f.url, name);
        areas.set(area, (areas.get(area) ?? 0) + us);
      }
      const pct = (us: number) => Math.round((us / total) * 1000) / 10;
      return {
        file,
        seconds: Math.round((profile.endTime - profile.startTime) / 1e5) / 10,
        top: [...fns]
          .sort((a, b) => b[1].us - a[1].us)
          .slice(0, topN)
          .map(([key, v]) => ({
            function: key.split(' ')[0],
            where: v.where,
            selfPercent: pct(v.us),
          })),
        byArea: [...areas]
          .sort((a, b) => b[1] - a[1])
          .slice(0, topN)
          .map(([area, us]) => ({ area, selfPercent: pct(us) })),
      };
    });
}
