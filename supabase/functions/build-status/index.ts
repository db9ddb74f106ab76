// Supabase Edge Function entry point: `supabase functions deploy build-status`.
import { handler } from './handler.ts';

Deno.serve(handler);
