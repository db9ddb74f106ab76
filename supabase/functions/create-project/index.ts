// Supabase Edge Function entry point: `supabase functions deploy create-project`.
import { handler } from './handler.ts';

Deno.serve(handler);
