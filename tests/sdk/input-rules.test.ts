/**
 * The SDK's input rules are the database's, character for character: a
 * generated corpus of strings (Unicode whitespace, control, zero-width and
 * bidi characters, astral characters, lengths at the limits) goes through both
 * the SQL checks and the zod schemas, which must accept and refuse the same ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as schemas from '../../src/schemas.ts';
import { connect, type Sql } from '../helpers/db.ts';

let sql: Sql;
beforeAll(async () => {
  sql = connect(1);
  await sql`
    create function pg_temp.accepts(p_field text, p_value text) returns boolean
    language plpgsql as $$
    begin
      case p_field
        when 'name' then perform private.check_name(p_value);
        when 'prompt' then perform private.check_prompt(p_value);
        when 'idempotencyKey' then perform private.check_idempotency_key(p_value);
        when 'requestId' then perform private.check_request_id(p_value);
      end case;
      return true;
    exception when sqlstate '22023' then
      return false;
    end
    $$`;
});
afterAll(() => sql.end());

const ALPHABET = [
  'a', 'Z', '~', '!', ' ', '\t', '\n', '\r', '\v', '\f', '\u0001', '\u001f', '\u007f', '\u0080', '\u0085', '\u009f',
  '\u00a0', '\u00ad', '\u1680', '\u2003', '\u2028', '\u3000', '\u200b', '\u200d', '\u200f', '\u202a', '\u202e',
  '\u2060', '\u2064', '\ufeff', 'é', '中', '😀',
];

/** Every string of up to two characters of the alphabet, a sample of longer ones, and the length limits. */
function corpus(): string[] {
  const out = new Set<string>(['']);
  for (const a of ALPHABET) {
    out.add(a);
    for (const b of ALPHABET) out.add(a + b);
  }
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < 2000; i++) {
    out.add(Array.from({ length: 3 + Math.floor(rnd() * 5) }, () => ALPHABET[Math.floor(rnd() * ALPHABET.length)]).join(''));
  }
  for (const n of [119, 120, 121, 199, 200, 201, 254, 255, 256]) {
    out.add('a'.repeat(n));
    out.add('😀'.repeat(n));
    out.add(` ${'b'.repeat(n)} `);
  }
  for (const n of [99_999, 100_000, 100_001]) {
    out.add('p'.repeat(n));
    out.add('😀'.repeat(n));
  }
  return [...out];
}

const FIELDS = {
  name: schemas.projectName,
  prompt: schemas.prompt,
  idempotencyKey: schemas.idempotencyKey,
  requestId: schemas.requestId,
} as const;

describe('the SDK\'s input rules equal SQL\'s', () => {
  const values = corpus();

  it.each(Object.keys(FIELDS) as (keyof typeof FIELDS)[])('%s: the same strings are accepted and refused', async (field) => {
    const rows = await sql<{ value: string; ok: boolean }[]>`
      select v as value, pg_temp.accepts(${field}, v) as ok from unnest(${sql.array(values)}::text[]) as v`;
    const differ = rows
      .filter((r) => FIELDS[field].safeParse(r.value).success !== r.ok)
      .map((r) => `${JSON.stringify(r.value.length > 40 ? `${r.value.slice(0, 20)}…(${[...r.value].length})` : r.value)}: SQL ${r.ok ? 'accepts' : 'refuses'}`);
    expect(differ).toEqual([]);
    expect(rows.some((r) => r.ok) && rows.some((r) => !r.ok)).toBe(true);
  });

  it('a prompt of U+00A0 (not whitespace to SQL\'s trim) is accepted by both', async () => {
    expect(schemas.prompt.safeParse('\u00a0').success).toBe(true);
  });

  it('NUL, which PostgreSQL text cannot hold, is refused before the call', () => {
    expect(schemas.prompt.safeParse('a\u0000b').success).toBe(false);
    expect(schemas.projectName.safeParse('a\u0000b').success).toBe(false);
  });
});
