/**
 * generate_ulid() on both of its paths, against gen_random_uuid(), timed on
 * the server (no round trips in the figure), and the quality checks: every
 * value valid and distinct, monotonic in generation order, and the random
 * part uniform (a chi-square test per character position).
 *
 * - increment: n ULIDs in one statement; most share a millisecond, so most
 *   take the increment path (what a 1,000,000-value loop measures).
 * - fresh millisecond: the session's last ULID is cleared before each call,
 *   so every call takes the path of a create (a new millisecond: one
 *   gen_random_uuid() and the encoding). The cost of clearing is measured on
 *   its own and taken out.
 */
import postgres from 'postgres';

export interface UlidResults {
  values: number;
  uuid_ms: number;
  increment_ms: number;
  fresh_ms: number;
  increment_ratio: number;
  fresh_ratio: number;
  invalid: number;
  duplicates: number;
  monotonic_violations: number;
  /** The largest chi-square over positions 11-26 (31 degrees of freedom), and the limit at p = 0.0001. */
  chi_square_max: number;
  chi_square_limit: number;
  uniform_values: number;
}

/** Chi-square quantile (Wilson-Hilferty) for df degrees of freedom at the normal quantile z. */
function chiSquareQuantile(df: number, z: number): number {
  const a = 2 / (9 * df);
  return df * (1 - a + z * Math.sqrt(a)) ** 3;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchUlid(url: string, n: number, reps: number): Promise<UlidResults> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    const time = async (select: string, where = 'true') => {
      const [row] = await sql.unsafe<{ ms: number }[]>(`
        select extract(epoch from (clock_timestamp() - t0)) * 1000 as ms
          from (select clock_timestamp() as t0) s,
               lateral (select count(${select}) from generate_series(1, ${n}) g where ${where}) c`);
      return Number(row!.ms);
    };
    const clear = `set_config('ulid.last', '', false) = ''`;
    const t = { uuid: [] as number[], ulid: [] as number[], empty: [] as number[], clear: [] as number[], fresh: [] as number[] };
    for (let i = 0; i < reps; i++) {
      t.uuid.push(await time('gen_random_uuid()'));
      t.ulid.push(await time('public.generate_ulid()'));
      t.empty.push(await time('1'));
      t.clear.push(await time('1', clear));
      t.fresh.push(await time('public.generate_ulid()', clear));
    }
    const uuid = median(t.uuid);
    const increment = median(t.ulid);
    // A loop of fresh-millisecond ULIDs without the clearing: (fresh - clear) + the bare loop.
    const fresh = median(t.fresh) - median(t.clear) + median(t.empty);

    await sql.unsafe(`create temp table ulid_inc as select n, public.generate_ulid() as u from generate_series(1, ${n}) n`);
    const [inc] = await sql.unsafe<{ invalid: number; distinct: number; violations: number }[]>(`
      select count(*) filter (where u !~ '^[0-7][0-9A-HJKMNP-TV-Z]{25}$')::int as invalid,
             count(distinct u)::int as distinct,
             (select count(*) from (select u, lag(u) over (order by n) as prev from ulid_inc) s where u <= prev)::int as violations
        from ulid_inc`);
    await sql.unsafe(`create temp table ulid_fresh as select public.generate_ulid() as u from generate_series(1, ${n}) g where ${clear}`);
    const [fr] = await sql.unsafe<{ invalid: number; distinct: number; chi: number }[]>(`
      with counts as (
        select p, substr(f.u, p, 1) as ch, count(*) as c
          from ulid_fresh f cross join generate_series(11, 26) p
         group by 1, 2
      ), per_position as (
        -- a character that never occurs adds its whole expected count
        select p, sum((c - ${n} / 32.0) ^ 2 / (${n} / 32.0)) + (32 - count(*)) * (${n} / 32.0) as chi from counts group by p
      )
      select (select count(*) from ulid_fresh where u !~ '^[0-7][0-9A-HJKMNP-TV-Z]{25}$')::int as invalid,
             (select count(distinct u) from ulid_fresh)::int as distinct,
             (select max(chi) from per_position)::float8 as chi`);
    await sql.unsafe('drop table ulid_inc, ulid_fresh');
    return {
      values: n,
      uuid_ms: uuid,
      increment_ms: increment,
      fresh_ms: fresh,
      increment_ratio: increment / uuid,
      fresh_ratio: fresh / uuid,
      invalid: inc!.invalid + fr!.invalid,
      duplicates: n - inc!.distinct + (n - fr!.distinct),
      monotonic_violations: inc!.violations,
      chi_square_max: fr!.chi,
      chi_square_limit: chiSquareQuantile(31, 3.719),
      uniform_values: n,
    };
  } finally {
    await sql.end();
  }
}
