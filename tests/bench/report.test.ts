/**
 * The bench's verdict: every target evaluated on one run's results, each
 * miss marked MISSED on the console and in latest.md, and `--check` turning
 * a miss into a non-zero exit.
 */
import { describe, expect, it } from 'vitest';
import { evaluateTargets, exitCode, renderReport, targetLines, type BenchResults } from '../../scripts/lib/bench-report.ts';

const path = { requests: 100, errors: 0, per_second: 100, p50_ms: 5, p99_ms: 9, cpu_us_per_request: 200 };

/** A run that meets every target; `ours` scales creation at 8 clients without a key. */
function run(ours8 = 900): BenchResults {
  const curve = (o8: number) => ({ floor: { 1: 1000, 8: 1000, 16: 1000 }, ours: { 1: 900, 8: o8, 16: 900 } });
  return {
    generated_at: '2026-01-01T00:00:00.000Z',
    quick: true,
    seconds_per_run: 1,
    machine: { cpus: 2, memory_gib: 8, node: 'v20', load_average: [0.5, 0.7] },
    server: 'PostgreSQL 17',
    select1_tps_by_clients: { 1: 10_000, 8: 20_000, 16: 20_000 },
    creation: { without_key: curve(ours8), with_key: curve(900) },
    replay: { fresh_ms: 1, replay_ms: 0.2, latency_ratio: 0.2, tps_at_8: 8000, throughput_ratio: 0.4 },
    ulid: {
      values: 1000, uuid_ms: 10, increment_ms: 15, fresh_ms: 35, increment_ratio: 1.5, fresh_ratio: 3.5,
      invalid: 0, duplicates: 0, monotonic_violations: 0, chi_square_max: 30, chi_square_limit: 69.3, uniform_values: 1000,
    },
    polling: {
      clients: 8, interval_s_for_10000_builds: 1.7,
      by_variant: { sdk: { tps: 12_000, ratio: 0.6 }, pipelined: { tps: 14_000, ratio: 0.7 }, call: { tps: 16_000, ratio: 0.8 }, query: { tps: 18_000, ratio: 0.9 } },
    },
    http: { callers: 8, seconds: 1, edge_pool_size: 3, http: path, sql: path, ratio: 1 },
    flood: {
      idle: { n: 100, p50_ms: 2, p99_ms: 5 }, flooded: { n: 100, p50_ms: 3, p99_ms: 20 }, p99_ratio: 4,
      attacker: { '201': 100, '503': 400 }, victim_refused: 0,
    },
    storm: { requests: 100, errors: 0, projects_created: 1, elapsed_ms: 100 },
    strategies: { ours_idempotency_key: { requests: 500, errors: 0, server_errors: 0, duplicates: 0, tps: 1000 } },
    storm_errors: 0,
    duration_s: 60,
  };
}

describe('the bench verdict', () => {
  it('meets a ratio target at the limit and misses it just below', () => {
    const at = evaluateTargets(run(800)).find((t) => t.measure === 'creation / floor at 8 clients, without key')!;
    const below = evaluateTargets(run(799)).find((t) => t.measure === 'creation / floor at 8 clients, without key')!;
    expect(at).toMatchObject({ value: 0.8, met: true });
    expect(below).toMatchObject({ met: false });
  });

  it('marks each missed target MISSED on the console and counts the misses', () => {
    const lines = targetLines(evaluateTargets(run(500)));
    const missed = lines.slice(0, -1).filter((l) => l.endsWith('  MISSED'));
    expect(missed).toHaveLength(1);
    expect(missed[0]).toContain('creation / floor at 8 clients, without key');
    expect(lines.at(-1)).toBe(`1 of ${lines.length - 1} targets MISSED`);
    expect(targetLines(evaluateTargets(run())).at(-1)).toMatch(/^all \d+ targets met$/);
  });

  it('exits non-zero with --check when a target is missed, and only then', () => {
    expect(exitCode(evaluateTargets(run(500)), true)).toBe(1);
    expect(exitCode(evaluateTargets(run(500)), false)).toBe(0);
    expect(exitCode(evaluateTargets(run()), true)).toBe(0);
  });

  it('marks the missed target in latest.md and keeps the targets in latest.json', () => {
    const targets = evaluateTargets(run(500));
    const files = renderReport(run(500), targets);
    expect(files['latest.md']).toMatch(/creation \/ floor at 8 clients, without key \| 0\.50 \| >= 0\.80 \| \*\*MISSED\*\*/);
    expect(JSON.parse(files['latest.json']!).targets).toEqual(targets);
  });
});
