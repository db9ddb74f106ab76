/** The benchmark's targets and outputs: latest.json, latest.md and two hand-drawn SVG charts. */
import type { FloodResults } from './bench-flood.ts';
import type { HttpResults } from './bench-http.ts';
import type { UlidResults } from './bench-ulid.ts';

/** Throughput of ours and of the floor at each client count. */
export interface CreationCurve {
  floor: Record<number, number>;
  ours: Record<number, number>;
}

export interface BenchResults {
  generated_at: string;
  quick: boolean;
  seconds_per_run: number;
  /** load_average: the 1-minute load average when the run started (other work on the machine) and when it ended (the bench's own load included). */
  machine: { cpus: number; memory_gib: number; node: string; load_average: [number, number] };
  server: string;
  select1_tps_by_clients: Record<number, number>;
  creation: { without_key: CreationCurve; with_key: CreationCurve };
  /** Full runs only: creation and floor at 8 clients with synchronous_commit off. */
  commit_flush?: { floor_tps: number; creation_tps: number; ratio: number };
  replay: { fresh_ms: number; replay_ms: number; latency_ratio: number; tps_at_8: number; throughput_ratio: number };
  ulid: UlidResults;
  polling: {
    clients: number; interval_s_for_10000_builds: number;
    /** The same polls sent four ways (see pollScripts), each against select 1; sdk is the measure of the target. */
    by_variant: Record<'sdk' | 'pipelined' | 'call' | 'query', { tps: number; ratio: number }>;
  };
  http: HttpResults;
  /** One user's flood against another user's polls, through the edge functions. */
  flood: FloodResults;
  storm: { requests: number; errors: number; projects_created: number; elapsed_ms: number };
  strategies: Record<string, { requests: number; errors: number; server_errors: number; duplicates: number; tps: number }>;
  storm_errors: number;
  duration_s: number;
}

export interface Target {
  measure: string;
  value: number;
  op: '>=' | '<=' | '=';
  target: number;
  met: boolean;
}

const ratioAt = (c: CreationCurve, n: number) => c.ours[n]! / c.floor[n]!;

/** Every target of the bench, evaluated on one run's results. */
export function evaluateTargets(r: BenchResults): Target[] {
  const t = (measure: string, value: number, op: Target['op'], target: number): Target => ({
    measure,
    value,
    op,
    target,
    met: op === '>=' ? value >= target : op === '<=' ? value <= target : value === target,
  });
  const creation = (label: string, c: CreationCurve) => [
    t(`creation / floor at 1 client, ${label}`, ratioAt(c, 1), '>=', 0.85),
    t(`creation / floor at 8 clients, ${label}`, ratioAt(c, 8), '>=', 0.8),
    t(`creation / floor at 16 clients, ${label}`, ratioAt(c, 16), '>=', 0.8),
  ];
  return [
    ...creation('without key', r.creation.without_key),
    ...creation('with key', r.creation.with_key),
    t('replay / fresh create latency', r.replay.latency_ratio, '<=', 0.3),
    t('replay throughput / select 1 at 8 clients', r.replay.throughput_ratio, '>=', 0.3),
    t('generate_ulid / gen_random_uuid, increment path', r.ulid.increment_ratio, '<=', 2.0),
    t('generate_ulid / gen_random_uuid, fresh millisecond', r.ulid.fresh_ratio, '<=', 4.0),
    t('ULIDs invalid, duplicated or out of order', r.ulid.invalid + r.ulid.duplicates + r.ulid.monotonic_violations, '=', 0),
    t(`largest chi-square per random position (limit ${r.ulid.chi_square_limit.toFixed(1)})`, r.ulid.chi_square_max, '<=', r.ulid.chi_square_limit),
    t('get_build_status / select 1 at 8 clients', r.polling.by_variant.sdk.ratio, '>=', 0.5),
    t(`HTTP / direct SQL creations at ${r.http.callers} callers`, r.http.ratio, '>=', 0.5),
    t("victim's p99 flooded / idle (another user floods)", r.flood.p99_ratio, '<=', 10),
    t('victim requests refused during a flood', r.flood.victim_refused, '=', 0),
    t('errors in our storms', r.storm_errors, '=', 0),
  ];
}

/** The console's verdict: one line per target, each miss marked MISSED, then a summary line. */
export function targetLines(targets: Target[]): string[] {
  const width = Math.max(...targets.map((t) => t.measure.length));
  const lines = targets.map((t) => {
    const value = Number.isInteger(t.value) ? String(t.value) : t.value.toFixed(2);
    return `${t.met ? '  ' : '✗ '}${t.measure.padEnd(width)}  ${value.padStart(7)}  (target ${t.op} ${num(t.target)})${t.met ? '' : '  MISSED'}`;
  });
  const missed = targets.filter((t) => !t.met).length;
  return [...lines, missed ? `${missed} of ${targets.length} targets MISSED` : `all ${targets.length} targets met`];
}

/** The bench's exit code: 1 with --check when a target was missed, else 0. */
export const exitCode = (targets: Target[], check: boolean) => (check && targets.some((t) => !t.met) ? 1 : 0);

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const f2 = (v: number) => v.toFixed(2);
const num = (v: number) => (Number.isInteger(v) ? String(v) : v >= 100 ? v.toFixed(0) : f2(v));
const clientsOf = (c: CreationCurve) => Object.keys(c.ours).map(Number).sort((a, b) => a - b);

function lineChart(r: BenchResults): string {
  const W = 780, H = 360, L = 60, R = 230, T = 40, B = 50;
  const curves: [CreationCurve, string, string][] = [
    [r.creation.without_key, '#1f6feb', 'without key'],
    [r.creation.with_key, '#8250df', 'with key'],
  ];
  const clients = [...new Set(curves.flatMap(([c]) => clientsOf(c)))].sort((a, b) => a - b);
  const max = Math.max(...curves.flatMap(([c]) => clientsOf(c).flatMap((n) => [c.floor[n]!, c.ours[n]!]))) * 1.1;
  const x = (n: number) => L + (clients.indexOf(n) / Math.max(1, clients.length - 1)) * (W - L - R);
  const y = (v: number) => T + (1 - v / max) * (H - T - B);
  let legend = 0;
  const series = (data: Record<number, number>, color: string, label: string, dash: string) => {
    const xs = Object.keys(data).map(Number).sort((a, b) => a - b);
    const pts = xs.map((c) => `${x(c).toFixed(1)},${y(data[c]!).toFixed(1)}`).join(' ');
    const dots = xs.map((c) => `<circle cx="${x(c).toFixed(1)}" cy="${y(data[c]!).toFixed(1)}" r="3" fill="${color}"/>`).join('');
    return `<polyline fill="none" stroke="${color}" stroke-width="2" stroke-dasharray="${dash}" points="${pts}"/>${dots}` +
      `<text x="${W - R + 12}" y="${T + 18 * legend++}" fill="${color}" font-size="13">${esc(label)}</text>`;
  };
  const ticks = Array.from({ length: 5 }, (_, i) => (max / 4) * i);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${L}" y="22" font-size="15" font-weight="bold">Project creation throughput against the raw-insert floor</text>
${ticks.map((t) => `<line x1="${L}" x2="${W - R}" y1="${y(t)}" y2="${y(t)}" stroke="#eee"/><text x="${L - 8}" y="${y(t) + 4}" font-size="11" text-anchor="end">${Math.round(t)}</text>`).join('\n')}
${clients.map((c) => `<text x="${x(c)}" y="${H - B + 18}" font-size="11" text-anchor="middle">${c}</text>`).join('')}
<text x="${(L + W - R) / 2}" y="${H - 12}" font-size="12" text-anchor="middle">clients (pgbench, distinct users)</text>
<text x="16" y="${(T + H - B) / 2}" font-size="12" transform="rotate(-90 16 ${(T + H - B) / 2})" text-anchor="middle">transactions per second</text>
${curves.map(([c, color, label]) => series(c.floor, '#999', `floor, ${label}`, label === 'with key' ? '4 3' : '') + series(c.ours, color, `create_complete_project, ${label}`, label === 'with key' ? '4 3' : '')).join('\n')}
</svg>
`;
}

function barChart(r: BenchResults): string {
  const entries = Object.entries(r.strategies);
  const W = 720, rowH = 56, T = 50, L = 210, H = T + entries.length * rowH + 20;
  const max = Math.max(...entries.map(([, s]) => s.tps)) * 1.15;
  const bar = (v: number) => (v / max) * (W - L - 110);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="16" y="24" font-size="15" font-weight="bold">Duplicate storm: 50 users x 10 identical requests, 32 connections</text>
${entries.map(([name, s], i) => {
    const yy = T + i * rowH;
    const color = name.startsWith('ours') ? '#1f6feb' : s.errors || s.duplicates ? '#d1242f' : '#999';
    return `<text x="16" y="${yy + 16}" font-size="13">${esc(name.replaceAll('_', ' '))}</text>
<rect x="${L}" y="${yy + 2}" width="${bar(s.tps).toFixed(1)}" height="18" fill="${color}"/>
<text x="${L + bar(s.tps) + 6}" y="${yy + 16}" font-size="12">${s.tps} req/s</text>
<text x="${L}" y="${yy + 38}" font-size="12" fill="${color}">${s.errors} errors to callers, ${s.server_errors} server errors, ${s.duplicates} duplicate rows</text>`;
  }).join('\n')}
</svg>
`;
}

/** The targets as a markdown table (also what `npm run bench:docs` puts into docs/performance.md). */
export function targetsTable(targets: Target[]): string[] {
  return [
    '| measure | value | target | |',
    '| --- | ---: | ---: | --- |',
    ...targets.map((t) => `| ${t.measure} | ${num(t.value)} | ${t.op} ${num(t.target)} | ${t.met ? 'met' : '**MISSED**'} |`),
  ];
}

function creationTable(r: BenchResults): string[] {
  const rows: string[] = [];
  for (const [label, c] of [['without key', r.creation.without_key], ['with key', r.creation.with_key]] as const) {
    for (const n of clientsOf(c)) {
      rows.push(`| ${label} | ${n} | ${c.floor[n]!.toFixed(0)} | ${c.ours[n]!.toFixed(0)} | ${f2(ratioAt(c, n))} | ${r.select1_tps_by_clients[n]?.toFixed(0) ?? ''} |`);
    }
  }
  return ['| key | clients | floor tps | create_complete_project tps | ratio | `select 1` tps |', '| --- | ---: | ---: | ---: | ---: | ---: |', ...rows];
}

function markdown(r: BenchResults, targets: Target[]): string {
  const u = r.ulid;
  const h = r.http;
  const lines = [
    '# Benchmark results',
    '',
    `Generated ${r.generated_at} by \`npm run bench${r.quick ? ' -- --quick' : ''}\` on ${r.machine.cpus} CPUs, ${r.machine.memory_gib} GiB, Node ${r.machine.node}, ${r.server} (throwaway cluster on loopback, fsync and synchronous_commit on). ${r.seconds_per_run} s per pgbench run; every number below comes from this one run (${r.duration_s} s). Load average ${r.machine.load_average[0].toFixed(1)} at the start${r.machine.load_average[0] > r.machine.cpus / 2 ? ': the machine was busy with other work, which blurs single runs (single-client creation most, as its commits wait on a shared disk)' : ''}; ${r.machine.load_average[1].toFixed(1)} at the end, the bench's own load included.`,
    '',
    '## Targets',
    '',
    ...targetsTable(targets),
    '',
    '## Creation against the floor',
    '',
    'The floor inserts the same rows as `create_complete_project` (project, first build, provisional version, AI-time session, three events; with a key, also the key row) in one statement with data-modifying CTEs: no function, no lock, no validation, ids from `gen_random_uuid()`. Both run under pgbench (`-M prepared`), each client a distinct user, a random project name per call (and a random key). Each point runs floor, ours, ours, floor after a `CHECKPOINT` and reports the mean of each pair, so drift and background writes fall on both alike. Throughput is transactions processed divided by the run time.',
    '',
    '![throughput](throughput.svg)',
    '',
    ...creationTable(r),
    '',
    '`select 1` at 1 client is bound by the round trip (one query in flight, each side waiting for the other), not by CPU; from 2 clients both cores stay busy, which is why the ratios against it are taken at 8 clients.',
    '',
    ...(r.commit_flush
      ? [`Commit flush: with synchronous_commit off (8 clients, no key) the floor reaches ${r.commit_flush.floor_tps.toFixed(0)} tps and creation ${r.commit_flush.creation_tps.toFixed(0)} tps (ratio ${f2(r.commit_flush.ratio)}): without the WAL flush, what is left is CPU per create.`, '']
      : []),
    '## Replays, polling, HTTP',
    '',
    `- Idempotent replay: median ${r.replay.replay_ms.toFixed(2)} ms against ${r.replay.fresh_ms.toFixed(2)} ms for a fresh create (ratio ${f2(r.replay.latency_ratio)}); at 8 clients ${r.replay.tps_at_8.toFixed(0)} replays/s, ${f2(r.replay.throughput_ratio)} of \`select 1\`.`,
    `- Polling: \`get_build_status\` as the build's owner (role and claims set in the same round trip, as the SDK sends it) at ${r.polling.clients} clients: ${r.polling.by_variant.sdk.tps.toFixed(0)} polls/s, ${f2(r.polling.by_variant.sdk.ratio)} of \`select 1\` (prepared). Polling every ${r.polling.interval_s_for_10000_builds.toFixed(1)} s, 10,000 concurrent builds take half of that. Where a poll's cost goes, the same polls sent three cheaper ways: the same two statements prepared in one pipeline ${r.polling.by_variant.pipelined.tps.toFixed(0)}/s (${f2(r.polling.by_variant.pipelined.ratio)}); the call alone, prepared, as the table owner (no role switch, no row-level security) ${r.polling.by_variant.call.tps.toFixed(0)}/s (${f2(r.polling.by_variant.call.ratio)}); its query alone, prepared ${r.polling.by_variant.query.tps.toFixed(0)}/s (${f2(r.polling.by_variant.query.ratio)}).`,
    `- HTTP: create-project through the edge function (Deno, pool of ${h.edge_pool_size}) at ${h.callers} concurrent callers: ${h.http.per_second.toFixed(0)}/s, p50 ${h.http.p50_ms.toFixed(1)} ms, p99 ${h.http.p99_ms.toFixed(1)} ms, ${h.http.errors} errors; the same creations over direct SQL from Node (SDK, postgres.js): ${h.sql.per_second.toFixed(0)}/s, p50 ${h.sql.p50_ms.toFixed(1)} ms, p99 ${h.sql.p99_ms.toFixed(1)} ms (ratio ${f2(h.ratio)}). CPU per request: ${h.http.cpu_us_per_request.toFixed(0)} µs in Deno, ${h.sql.cpu_us_per_request.toFixed(0)} µs in Node's SDK. The callers (node:http, keep-alive), Deno and PostgreSQL share the machine's CPUs.`,
    `- Flood isolation: one user sends create-project requests (500, 48 at once) while another polls its build: the poller's p50/p99 ${r.flood.idle.p50_ms}/${r.flood.idle.p99_ms} ms idle, ${r.flood.flooded.p50_ms}/${r.flood.flooded.p99_ms} ms flooded (p99 ratio ${f2(r.flood.p99_ratio)}), ${r.flood.victim_refused} of its requests refused; the flooder was answered ${Object.entries(r.flood.attacker).map(([s, n]) => `${n} × ${s}`).join(', ')}.`,
    '',
    '## ULIDs',
    '',
    `${u.values.toLocaleString('en')} values each, timed on the server (median of the repetitions): gen_random_uuid() ${u.uuid_ms.toFixed(0)} ms; generate_ulid() on the increment path (many per millisecond) ${u.increment_ms.toFixed(0)} ms (${f2(u.increment_ratio)}×); on the fresh-millisecond path (what every create takes) ${u.fresh_ms.toFixed(0)} ms (${f2(u.fresh_ratio)}×).`,
    '',
    `Checks: ${u.invalid} invalid, ${u.duplicates} duplicated and ${u.monotonic_violations} out-of-order values; chi-square of each random position over ${u.uniform_values.toLocaleString('en')} fresh-millisecond values at most ${u.chi_square_max.toFixed(1)} (31 degrees of freedom; limit ${u.chi_square_limit.toFixed(1)}, p = 0.0001).`,
    '',
    '## Duplicate storms',
    '',
    `Same user, same key: ${r.storm.requests} identical requests at once → ${r.storm.projects_created} project, ${r.storm.errors} errors, ${r.storm.elapsed_ms} ms.`,
    '',
    '50 users each send 10 identical requests at once over 32 connections. The other strategies write a bare row into a bench table; ours writes the whole project (five tables).',
    '',
    '![strategies](strategies.svg)',
    '',
    '| strategy | requests | errors to callers | server errors | duplicate rows | req/s |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...Object.entries(r.strategies).map(([n, s]) => `| ${n.replaceAll('_', ' ')} | ${s.requests} | ${s.errors} | ${s.server_errors} | ${s.duplicates} | ${s.tps} |`),
    '',
    '- check then insert: racing requests pass the check together and fail with 23505.',
    '- catch 23505 and re-read: callers see no error, but every race is a failed insert on the server.',
    '- advisory lock and window: no errors, but a 32-bit `hashtext` key (collisions make unrelated users wait) and no answer for requests outside the window.',
    '- ours: one key per user action; the first request creates, the others replay its result.',
  ];
  return `${lines.join('\n')}\n`;
}

export function renderReport(r: BenchResults, targets: Target[]): Record<string, string> {
  return {
    'latest.json': `${JSON.stringify({ ...r, targets }, null, 2)}\n`,
    'latest.md': markdown(r, targets),
    'throughput.svg': lineChart(r),
    'strategies.svg': barChart(r),
  };
}
