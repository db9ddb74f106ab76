/**
 * The SQL functions the SDK calls, with the SQL type of each named parameter
 * (postgres.js casts by them; PostgREST resolves them by name). The one place
 * where camelCase meets snake_case is api.ts; this is the one place that
 * names SQL functions.
 */
export const SQL_FUNCTIONS = {
  create_complete_project: {
    p_user_id: 'uuid', p_framework: 'text', p_prompt: 'text', p_name: 'text', p_idempotency_key: 'text',
    p_project_id: 'uuid', p_source: 'text', p_request_id: 'text',
  },
  create_project_for_build: {
    p_user_id: 'uuid', p_framework: 'text', p_prompt: 'text', p_name: 'text', p_idempotency_key: 'text',
    p_project_id: 'uuid', p_source: 'text', p_request_id: 'text',
  },
  start_build: { p_project_id: 'uuid', p_prompt: 'text', p_idempotency_key: 'text', p_request_id: 'text', p_framework: 'text' },
  complete_build: { p_build_id: 'text', p_status: 'text', p_error_message: 'text', p_request_id: 'text' },
  create_version_on_success: { p_build_id: 'text', p_prompt: 'text', p_request_id: 'text' },
  get_build_status: { p_build_id: 'text' },
  get_project_feed: { p_project_id: 'uuid', p_after: 'text', p_limit: 'integer' },
  get_or_create_client: {
    p_id: 'text', p_name: 'text', p_email: 'text', p_phone: 'text', p_company: 'text', p_user_id: 'uuid', p_request_id: 'text',
  },
  map_worker_status: { p_status: 'text' },
} as const;

export type SqlFunction = keyof typeof SQL_FUNCTIONS;
export type SqlArgs<F extends SqlFunction> = { [K in keyof (typeof SQL_FUNCTIONS)[F]]?: string | null };
