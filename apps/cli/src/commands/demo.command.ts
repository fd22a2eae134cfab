import { Command } from 'commander';
import { cliAuthorization } from './token.command';
import { SingleBar, Presets } from 'cli-progress';
import { Producer } from 'kafkajs';
import {
  ADMIN_PRINCIPAL,
  AUDITOR_PRINCIPAL,
  borderPostPrincipal,
  Declaration,
  EventEnvelope,
  TOPICS,
} from '@customs/contracts';
import { loadSeedAccounts, seedDeclarableCodes } from '@customs/reference-data';
import {
  BorderPostSimulator,
  DeclarationGenerator,
  isFinal,
  OutcomeWatcher,
} from '@customs/simulation';
import { LocalStack, localKafka, ServiceRunner, SERVICE_PORTS } from '@customs/stack';
import { publishSeedAccounts } from '../accounts/accounts.publisher';

interface DemoOptions {
  count: string;
  http: string;
  seed: string;
  keepRunning?: boolean;
  timeout: string;
}

type Payload = {
  risk?: { channel?: string };
  release?: { status?: string; waitingFor?: string[] };
  reasons?: { code: string; path: string }[];
};

/** The main job: the stack, the four services, a border post streaming declarations, a summary. */
export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description(
      'start the stack and the four services, stream sample declarations through them, print a summary',
    )
    .option('-n, --count <n>', 'declarations to stream over the topic', '200')
    .option('--http <n>', 'declarations lodged over HTTP instead', '20')
    .option(
      '--seed <n>',
      'generator seed (same seed, same declarations)',
      String(Date.now() % 100000),
    )
    .option('--timeout <s>', 'seconds to wait for every outcome', '180')
    .option('--keep-running', 'leave the services running after the summary (Ctrl-C to stop)')
    .action((opts: DemoOptions) => runDemo(opts));
}

async function runDemo(opts: DemoOptions): Promise<void> {
  const count = Number(opts.count);
  const httpCount = Number(opts.http);
  const seed = Number(opts.seed);
  const out = (s: string) => process.stdout.write(`${s}\n`);

  await new LocalStack().up();
  const runner = new ServiceRunner();
  // Outcomes are watched as the auditor (read-only); each border post streams with its own
  // Kafka identity, which may write the submitted topic and nothing else.
  const watcher = new OutcomeWatcher(localKafka(AUDITOR_PRINCIPAL, { clientId: 'customs-demo' }));
  const producers = new Map<string, Producer>();
  const postOf = async (post: string): Promise<BorderPostSimulator> => {
    let producer = producers.get(post);
    if (!producer) {
      producer = localKafka(borderPostPrincipal(post)).producer({ idempotent: true });
      await producer.connect();
      producers.set(post, producer);
    }
    return new BorderPostSimulator(producer);
  };
  const submitByPost = async (list: Declaration[]) => {
    const byPost = new Map<string, Declaration[]>();
    for (const d of list) byPost.set(d.borderPost, [...(byPost.get(d.borderPost) ?? []), d]);
    for (const [post, ds] of byPost) await (await postOf(post)).submit(ds);
  };
  try {
    out('starting intake, risk, valuation, release and the checkpointer...');
    // The checkpointer too: the log the demo leaves behind is signed and checkpointed.
    await runner.startAll(['intake', 'risk', 'valuation', 'release', 'audit']);
    out(`services up; logs in ${runner.running[0]?.logFile.replace(/[^/]+$/, '')}`);
    await watcher.start();
    // The accounts the generator secures on exist for release only once opened on the log.
    const opened = await publishSeedAccounts(localKafka(ADMIN_PRINCIPAL));
    if (opened.length > 0) out(`opened ${opened.length} seed accounts on ${TOPICS.accounts}`);

    const codes = seedDeclarableCodes(new Date().toISOString().slice(0, 10));
    const generator = new DeclarationGenerator({
      seed,
      commodityCodes: codes,
      securedTraders: loadSeedAccounts().accounts.map((a) => ({
        holder: a.holder,
        accountId: a.id,
      })),
      lrnPrefix: `DEMO${seed}T${Date.now().toString(36).toUpperCase()}`,
    });
    const all: Declaration[] = Array.from({ length: count + httpCount }, (_, i) =>
      generator.next(i + 1),
    );
    const overHttp = all.slice(0, httpCount);
    const overTopic = all.slice(httpCount);
    // One deliberately broken declaration on the topic: it must be rejected without holding up the rest.
    const broken = {
      ...overTopic[0],
      lrn: `${overTopic[0].lrn}X`,
      invoiceCurrency: 'EURO',
      items: [{ ...overTopic[0].items[0], grossMass: '-1' }],
    };
    const lrns = [...all.map((d) => d.lrn), broken.lrn];

    const bar = new SingleBar(
      { format: ' {phase} |{bar}| {value}/{total} {extra}', hideCursor: true },
      Presets.shades_classic,
    );
    const started = Date.now();
    bar.start(lrns.length, 0, { phase: 'submitted', extra: '' });
    let submitted = 0;
    for (const d of overHttp) {
      const res = await fetch(`http://127.0.0.1:${SERVICE_PORTS.intake}/declarations`, {
        method: 'POST',
        // The simulated border post lodges with a token of its own post.
        headers: {
          'content-type': 'application/json',
          ...(await cliAuthorization({
            sub: `post.${d.borderPost}`,
            roles: ['border-post'],
            borderPost: d.borderPost,
          })),
        },
        body: JSON.stringify(d),
      });
      if (res.status !== 202)
        throw new Error(`HTTP lodgement of ${d.lrn} answered ${res.status}: ${await res.text()}`);
      bar.update(++submitted);
    }
    await submitByPost([broken as Declaration]);
    bar.update(++submitted);
    for (let i = 0; i < overTopic.length; i += 50) {
      const chunk = overTopic.slice(i, i + 50);
      await submitByPost(chunk);
      submitted += chunk.length;
      bar.update(submitted);
    }
    bar.stop();

    const decided = new SingleBar(
      { format: ' decided   |{bar}| {value}/{total} ({rate}/s)', hideCursor: true },
      Presets.shades_classic,
    );
    decided.start(lrns.length, 0, { rate: '0' });
    const tick = () => {
      const n = lrns.filter((l) => isFinal(watcher.outcomes.get(l) ?? [])).length;
      decided.update(n, { rate: (n / ((Date.now() - started) / 1000)).toFixed(0) });
    };
    watcher.onChange(tick);
    const missing = await watcher.waitFor(lrns, isFinal, Number(opts.timeout) * 1000);
    tick();
    decided.stop();
    const seconds = (Date.now() - started) / 1000;

    // Summary: lane x release state.
    const table = new Map<string, Map<string, number>>();
    const states = new Set<string>();
    let rejectedExample: EventEnvelope | undefined;
    let heldExample: string | undefined;
    for (const l of lrns) {
      const first = (watcher.outcomes.get(l) ?? [])[0];
      if (!first) continue;
      const p = first.event.payload as Payload;
      const lane = first.topic === TOPICS.rejected ? '(rejected)' : (p.risk?.channel ?? '?');
      const state = first.topic === TOPICS.rejected ? 'rejected' : (p.release?.status ?? '?');
      if (first.topic === TOPICS.rejected) rejectedExample = first.event;
      if (state === 'held' && !heldExample) heldExample = first.mrn ?? undefined;
      states.add(state);
      const row = table.get(lane) ?? new Map<string, number>();
      row.set(state, (row.get(state) ?? 0) + 1);
      table.set(lane, row);
    }
    const cols = ['released', 'held', 'refused', 'rejected']
      .filter((s) => states.has(s))
      .concat([...states].filter((s) => !['released', 'held', 'refused', 'rejected'].includes(s)));
    out('');
    out(
      `Outcomes of ${lrns.length} declarations (${httpCount} over HTTP, ${count + 1} over the topic) in ${seconds.toFixed(1)} s:`,
    );
    out(`  ${'lane'.padEnd(12)}${cols.map((c) => c.padStart(10)).join('')}${'total'.padStart(10)}`);
    for (const lane of ['green', 'blue', 'yellow', 'red', '(rejected)'].filter((l) =>
      table.has(l),
    )) {
      const row = table.get(lane)!;
      const total = [...row.values()].reduce((a, b) => a + b, 0);
      out(
        `  ${lane.padEnd(12)}${cols.map((c) => String(row.get(c) ?? 0).padStart(10)).join('')}${String(total).padStart(10)}`,
      );
    }
    if (rejectedExample) {
      const reasons = (rejectedExample.payload as Payload).reasons ?? [];
      out(
        `  rejected ${rejectedExample.lrn}: ${reasons.map((r) => `${r.code} at ${r.path}`).join('; ')}`,
      );
    }
    if (heldExample) {
      // Intake's status page follows the later stages' topics: give it a moment to catch up.
      await new Promise((r) => setTimeout(r, 1000));
      const res = await fetch(
        `http://127.0.0.1:${SERVICE_PORTS.intake}/declarations/${heldExample}`,
        {
          headers: await cliAuthorization({ sub: 'demo-auditor', roles: ['auditor'] }),
        },
      );
      const body = (await res.json()) as { status: string; history: { type: string }[] };
      out(
        `  GET /declarations/${heldExample}: ${body.status}; ${body.history.map((h) => h.type.replace('Declaration', '')).join(' > ')}`,
      );
    }
    if (missing.length > 0) {
      out(
        `  ${missing.length} declarations had no outcome within ${opts.timeout} s (first: ${missing[0]}); see the service logs`,
      );
      process.exitCode = 1;
    }
    if (opts.keepRunning) {
      out('services keep running; Ctrl-C to stop');
      await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
    }
  } finally {
    await watcher.stop().catch(() => undefined);
    for (const p of producers.values()) await p.disconnect().catch(() => undefined);
    await runner.stopAll();
  }
}
