// Supabase Edge Function entry point: `supabase functions deploy project-feed`.
import { handler } from './handler.ts';

Deno.serve(handler);
