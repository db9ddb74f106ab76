// Supabase Edge Function entry point: `supabase functions deploy get-or-create-client`.
import { handler } from './handler.ts';

Deno.serve(handler);
