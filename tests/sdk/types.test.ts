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
import { SQL_FUNCTIONS } from '../../src/functions.ts';
import { fromSupabase, type RealtimeLike } from '../../src/index.ts';
import type * as s from '../../src/schemas.ts';

type Fns = Database['public']['Functions'];
type Columns<F extends keyof Fns> = Fns[F]['Returns'] extends readonly (infer R)[] ? keyof R : never;
type Params<F extends keyof typeof SQL_FUNCTIONS> = keyof (typeof SQL_FUNCTIONS)[F];

describe('the SDK and the generated database types', () => {
  it('sends exactly the parameters each function declares', () => {
    expectTypeOf<Params<'create_complete_project'>>().toEqualTypeOf<keyof Fns['create_complete_project']['Args']>();
    expectTypeOf<Params<'create_project_for_build'>>().toEqualTypeOf<keyof Fns['create_project_for_build']['Args']>();
    expectTypeOf<Params<'start_build'>>().toEqualTypeOf<keyof Fns['start_build']['Args']>();
    expectTypeOf<Params<'complete_build'>>().toEqualTypeOf<keyof Fns['complete_build']['Args']>();
    expectTypeOf<Params<'create_version_on_success'>>().toEqualTypeOf<keyof Fns['create_version_on_success']['Args']>();
    expectTypeOf<Params<'get_build_status'>>().toEqualTypeOf<keyof Fns['get_build_status']['Args']>();
    expectTypeOf<Params<'get_project_feed'>>().toEqualTypeOf<keyof Fns['get_project_feed']['Args']>();
    expectTypeOf<Params<'get_or_create_client'>>().toEqualTypeOf<keyof Fns['get_or_create_client']['Args']>();
    expectTypeOf<Params<'map_worker_status'>>().toEqualTypeOf<keyof Fns['map_worker_status']['Args']>();
    expect(Object.keys(SQL_FUNCTIONS).sort()).toEqual([
      'complete_build', 'create_complete_project', 'create_project_for_build', 'create_version_on_success',
      'get_build_status', 'get_or_create_client', 'get_project_feed', 'map_worker_status', 'start_build',
    ]);
  });

  it('reads exactly the columns each function returns', () => {
    expectTypeOf<keyof z.input<typeof s.createCompleteProjectRow>>().toEqualTypeOf<Columns<'create_complete_project'>>();
    expectTypeOf<keyof z.input<typeof s.createProjectForBuildRow>>().toEqualTypeOf<Columns<'create_project_for_build'>>();
    expectTypeOf<keyof z.input<typeof s.startBuildRow>>().toEqualTypeOf<Columns<'start_build'>>();
    expectTypeOf<keyof z.input<typeof s.completeBuildRow>>().toEqualTypeOf<Columns<'complete_build'>>();
    expectTypeOf<keyof z.input<typeof s.createVersionRow>>().toEqualTypeOf<Columns<'create_version_on_success'>>();
    expectTypeOf<keyof z.input<typeof s.buildStatusRow>>().toEqualTypeOf<Columns<'get_build_status'>>();
    expectTypeOf<keyof z.input<typeof s.feedEventRow>>().toEqualTypeOf<Columns<'get_project_feed'>>();
    expectTypeOf<keyof z.input<typeof s.clientRow>>().toEqualTypeOf<Columns<'get_or_create_client'>>();
  });
});

describe('fromSupabase', () => {
  it('accepts a supabase-js client typed with the generated Database', () => {
    // Compiles only if a typed client fits the SDK's SupabaseLike.
    type TypedClient = import('@supabase/supabase-js').SupabaseClient<Database>;
    const accepts = (client: TypedClient) => fromSupabase(client);
    expect(typeof accepts).toBe('function');
  });

  it('accepts a supabase-js client as the Realtime client of a watch', () => {
    expectTypeOf<import('@supabase/supabase-js').SupabaseClient>().toExtend<RealtimeLike>();
  });
});
