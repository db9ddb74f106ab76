/** The benchmark's outputs: latest.json, latest.md and two hand-drawn SVG charts. */

export interface BenchResults {
  generated_at: string;
  quick: boolean;
  seconds_per_point: number;
  machine: { cpus: number; memory_gib: number; node: string };
  server: string;
  creation_tps_by_clients: Record<number, number>;
  floor_tps_by_clients: Record<number, number>;
  select1_tps_by_clients: Record<number, number>;
  creation_to_floor_ratio_at_8: number;
  commit_flush: {
    floor_tps_sync_off_at_8: number;
    creation_tps_sync_off_at_8: number;
    floor_flush_share: number;
    creation_flush_share: number;
    creation_to_floor_ratio_sync_off_at_8: number;
  };
  load_generator_headroom_at_8: number;
  replay: { fresh_ms: number; replay_ms: number };
  replay_to_create_latency_ratio: number;
  ulid: { values: number; ulid_ms: number; uuid_ms: number };
  ulid_to_uuid_time_ratio: number;
  storm: { requests: number; errors: number; projects_created: number; elapsed_ms: number };
  storm_errors: number;
  strategies: Record<string, { requests: number; errors: number; server_errors: number; duplicates: number; tps: number }>;
  duration_s: number;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function lineChart(r: BenchResults): string {
  const W = 780, H = 360, L = 60, R = 230, T = 40, B = 50;
  const clients = Object.keys(r.creation_tps_by_clients).map(Number).sort((a, b) => a - b);
  const max = Math.max(...clients.map((c) => Math.max(r.floor_tps_by_clients[c]!, r.creation_tps_by_clients[c]!))) * 1.1;
  const x = (i: number) => L + (i / (clients.length - 1)) * (W - L - R);
  const y = (v: number) => T + (1 - v / max) * (H - T - B);
  const series = (data: Record<number, number>, color: string, label: string, dy: number) => {
    const pts = clients.map((c, i) => `${x(i).toFixed(1)},${y(data[c]!).toFixed(1)}`).join(' ');
    const dots = clients.map((c, i) => `<circle cx="${x(i).toFixed(1)}" cy="${y(data[c]!).toFixed(1)}" r="3" fill="${color}"/>`).join('');
    return `<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts}"/>${dots}` +
      `<text x="${W - R + 12}" y="${T + dy}" fill="${color}" font-size="13">${esc(label)}</text>`;
  };
  const ticks = Array.from({ length: 5 }, (_, i) => (max / 4) * i);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">
<rect width="100%" height="100%" fill="white"/>
<text x="${L}" y="22" font-size="15" font-weight="bold">Project creation throughput against the raw-insert floor</text>
${ticks.map((t) => `<line x1="${L}" x2="${W - R}" y1="${y(t)}" y2="${y(t)}" stroke="#eee"/><text x="${L - 8}" y="${y(t) + 4}" font-size="11" text-anchor="end">${Math.round(t)}</text>`).join('\n')}
${clients.map((c, i) => `<text x="${x(i)}" y="${H - B + 18}" font-size="11" text-anchor="middle">${c}</text>`).join('')}
<text x="${(L + W - R) / 2}" y="${H - 12}" font-size="12" text-anchor="middle">clients (pgbench, distinct users)</text>
<text x="16" y="${(T + H - B) / 2}" font-size="12" transform="rotate(-90 16 ${(T + H - B) / 2})" text-anchor="middle">transactions per second</text>
${series(r.floor_tps_by_clients, '#999', 'floor (one INSERT CTE)', 0)}
${series(r.creation_tps_by_clients, '#1f6feb', 'create_complete_project', 18)}
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

const pct = (v: number) => `${(v * 100).toFixed(0)} %`;
const f2 = (v: number) => v.toFixed(2);
const mark = (ok: boolean) => (ok ? 'met' : '**missed**');

function markdown(r: BenchResults): string {
  const clients = Object.keys(r.creation_tps_by_clients).map(Number).sort((a, b) => a - b);
  const ratio = r.creation_to_floor_ratio_at_8;
  const lines = [
    '# Benchmark results',
    '',
    `Generated ${r.generated_at} by \`npm run bench${r.quick ? ' -- --quick' : ''}\` on ${r.machine.cpus} CPUs, ${r.machine.memory_gib} GiB, Node ${r.machine.node}, ${r.server} (throwaway cluster, fsync and synchronous_commit on). ${r.seconds_per_point} s per point and kind; every number below comes from this one run.`,
    '',
    '## Targets',
    '',
    '| measure | value | target | |',
    '| --- | --- | --- | --- |',
    `| creation / floor throughput at 8 clients | ${f2(ratio)} | >= 0.70 | ${mark(ratio >= 0.7)} |`,
    `| replay / fresh create latency | ${f2(r.replay_to_create_latency_ratio)} | <= 0.50 | ${mark(r.replay_to_create_latency_ratio <= 0.5)} |`,
    `| generate_ulid / gen_random_uuid time | ${f2(r.ulid_to_uuid_time_ratio)} | <= 3.0 | ${mark(r.ulid_to_uuid_time_ratio <= 3)} |`,
    `| errors in our storms | ${r.storm_errors} | 0 | ${mark(r.storm_errors === 0)} |`,
    '',
    '## Throughput against the floor',
    '',
    'The floor inserts the same rows as `create_complete_project` (project, first build, provisional version, AI-time session, three events) in one statement with data-modifying CTEs: no function, no lock, no validation, ids from `gen_random_uuid()` (ULID columns get `0` + 25 hex digits). Both run under pgbench (`-M prepared`), each client a distinct user, a random project name per call. Each point runs floor, ours, ours, floor after a `CHECKPOINT` (the mean of each pair is reported), so drift and background writes fall on both alike.',
    '',
    '![throughput](throughput.svg)',
    '',
    '| clients | floor tps | create_complete_project tps | ratio | `select 1` tps |',
    '| ---: | ---: | ---: | ---: | ---: |',
    ...clients.map((c) => `| ${c} | ${r.floor_tps_by_clients[c]!.toFixed(0)} | ${r.creation_tps_by_clients[c]!.toFixed(0)} | ${f2(r.creation_tps_by_clients[c]! / r.floor_tps_by_clients[c]!)} | ${r.select1_tps_by_clients[c]!.toFixed(0)} |`),
    '',
    `The load generator is not the bottleneck: at 8 clients pgbench runs \`select 1\` ${f2(r.load_generator_headroom_at_8)}× faster than it runs creations.`,
    '',
    `Commit flush: with synchronous_commit off (8 clients) the floor reaches ${r.commit_flush.floor_tps_sync_off_at_8.toFixed(0)} tps and creation ${r.commit_flush.creation_tps_sync_off_at_8.toFixed(0)} tps; the WAL flush is ${pct(r.commit_flush.floor_flush_share)} of the floor's time and ${pct(r.commit_flush.creation_flush_share)} of creation's. Without the flush, creation / floor is ${f2(r.commit_flush.creation_to_floor_ratio_sync_off_at_8)}: the CPU cost of the function's checks, lock and ULIDs.`,
    '',
    '## Latency, storms and ULIDs',
    '',
    `- Idempotent replay: median ${r.replay.replay_ms.toFixed(2)} ms against ${r.replay.fresh_ms.toFixed(2)} ms for a fresh create (ratio ${f2(r.replay_to_create_latency_ratio)}): a replay reads the key row without taking the lock and writes nothing durable.`,
    `- Same-user storm: ${r.storm.requests} identical requests at once → ${r.storm.projects_created} project, ${r.storm.errors} errors, ${r.storm.elapsed_ms} ms.`,
    `- ${r.ulid.values.toLocaleString('en')} values: generate_ulid() ${r.ulid.ulid_ms.toFixed(0)} ms, gen_random_uuid() ${r.ulid.uuid_ms.toFixed(0)} ms (ratio ${f2(r.ulid_to_uuid_time_ratio)}), monotonic and from a CSPRNG.`,
    '',
    "## The usual strategies on a duplicate storm",
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
  if (ratio < 0.7) {
    lines.push('', '## Why a target was missed', '', `Creation reaches ${f2(ratio)} of the floor at 8 clients. See the commit-flush line above: without the WAL flush the ratio is ${f2(r.commit_flush.creation_to_floor_ratio_sync_off_at_8)}, which is the function's own CPU cost (input checks, the owner lock, two ULIDs, the duplicate-window lookup, the PL/pgSQL call) on a 2-core machine where pgbench shares the CPUs.`);
  }
  return `${lines.join('\n')}\n`;
}

export function renderReport(r: BenchResults): Record<string, string> {
  return {
    'latest.json': `${JSON.stringify(r, null, 2)}\n`,
    'latest.md': markdown(r),
    'throughput.svg': lineChart(r),
    'strategies.svg': barChart(r),
  };
}

/** The README's Performance table (between <!-- bench:start --> and <!-- bench:end -->). */
export function readmeSection(r: BenchResults): string {
  const clients = Object.keys(r.creation_tps_by_clients).map(Number).sort((a, b) => a - b);
  return [
    `Latest run: ${r.generated_at.slice(0, 10)}, ${r.machine.cpus} CPUs, ${r.server}${r.quick ? ' (quick run)' : ''}. Full report: [bench/results/latest.md](bench/results/latest.md).`,
    '',
    '| measure | value | target |',
    '| --- | ---: | ---: |',
    `| creation / raw-insert floor, throughput at 8 clients | ${f2(r.creation_to_floor_ratio_at_8)} | >= 0.70 |`,
    `| idempotent replay / fresh create, latency | ${f2(r.replay_to_create_latency_ratio)} | <= 0.50 |`,
    `| generate_ulid() / gen_random_uuid(), time for ${r.ulid.values.toLocaleString('en')} | ${f2(r.ulid_to_uuid_time_ratio)} | <= 3.0 |`,
    `| errors in our storms (100 identical requests; 50 users x 10) | ${r.storm_errors} | 0 |`,
    '',
    '| clients | 1 | 2 | 4 | 8 | 16 | 32 |'.replace(/\| 1 \| 2 \| 4 \| 8 \| 16 \| 32 \|/, `| ${clients.join(' | ')} |`),
    `| --- |${clients.map(() => ' ---: |').join('')}`,
    `| floor tps |${clients.map((c) => ` ${r.floor_tps_by_clients[c]!.toFixed(0)} |`).join('')}`,
    `| create_complete_project tps |${clients.map((c) => ` ${r.creation_tps_by_clients[c]!.toFixed(0)} |`).join('')}`,
    '',
    '![throughput against the floor](bench/results/throughput.svg)',
    '',
    '| strategy on a duplicate storm | errors to callers | server errors | duplicate rows | req/s |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...Object.entries(r.strategies).map(([n, st]) => `| ${n.replaceAll('_', ' ')} | ${st.errors} | ${st.server_errors} | ${st.duplicates} | ${st.tps} |`),
  ].join('\n');
}
