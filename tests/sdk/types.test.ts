/**
 * Binds the SDK to the generated database types (src/database.types.ts,
 * `npm run gen:types`): the parameters the SDK sends are the functions'
 * parameters, and the columns its zod schemas read are the functions'
 * result columns. A mismatch fails `npm run typecheck`; the runtime part
 * checks the same for the parameter names.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type { Database } from '../../src/database.types.ts';
import { API_FUNCTIONS, paramOf, type ApiName } from '../../src/functions.ts';
import { fromSupabase, type RealtimeLike } from '../../src/index.ts';

type Fns = Database['public']['Functions'];
type Registry = typeof API_FUNCTIONS;
type Columns<F extends keyof Fns> = Fns[F]['Returns'] extends readonly (infer R)[] ? keyof R : never;
/** `buildId` → `build_id`, as paramOf does at run time. */
type Snake<S extends string> = S extends `${infer H}${infer T}` ? `${H extends Lowercase<H> ? H : `_${Lowercase<H>}`}${Snake<T>}` : S;
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** Per registered function: its declared parameters are the SQL function's arguments. */
type ParamsMatch = { [K in ApiName]: Exact<keyof Registry[K]['params'], keyof Fns[Registry[K]['sql']]['Args']> };
/** Its input fields, each named as its parameter, are exactly those parameters. */
type InputMatches = { [K in ApiName]: Exact<`p_${Snake<keyof z.input<Registry[K]['input']> & string>}`, keyof Registry[K]['params']> };
/** The columns its result schema reads are the SQL function's result columns (functions the SDK calls). */
type ColumnsMatch = {
  [K in ApiName as Registry[K]['returns'] extends 'local' ? never : K]: Exact<keyof z.input<Registry[K]['result']>, Columns<Registry[K]['sql']>>;
};

describe('the SDK and the generated database types', () => {
  it('sends exactly the parameters each function declares, one per input field', () => {
    expectTypeOf<ParamsMatch>().toEqualTypeOf<{ [K in ApiName]: true }>();
    expectTypeOf<InputMatches>().toEqualTypeOf<{ [K in ApiName]: true }>();
    for (const fn of Object.values(API_FUNCTIONS)) {
      expect(Object.keys(fn.input.shape).map(paramOf).sort(), fn.sql).toEqual(Object.keys(fn.params).sort());
    }
  });

  it('reads exactly the columns each function returns', () => {
    expectTypeOf<ColumnsMatch[keyof ColumnsMatch]>().toEqualTypeOf<true>();
  });
});

describe('fromSupabase', () => {
  it('accepts a supabase-js client typed with the generated Database', () => {
    // A type assertion: `npm run typecheck` fails if a typed client does not fit the SDK's SupabaseLike.
    expectTypeOf<import('@supabase/supabase-js').SupabaseClient<Database>>().toExtend<Parameters<typeof fromSupabase>[0]>();
  });

  it('accepts a supabase-js client as the Realtime client of a watch', () => {
    expectTypeOf<import('@supabase/supabase-js').SupabaseClient>().toExtend<RealtimeLike>();
  });
});
