// Supabase Edge Function entry point: `supabase functions deploy start-build`.
import { handler } from './handler.ts';

Deno.serve(handler);
