// Supabase Edge Function entry point: `supabase functions deploy complete-build`.
import { handler } from './handler.ts';

Deno.serve(handler);
