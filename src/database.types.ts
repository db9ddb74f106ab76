
export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[]

export type Database = {
  
  "public": {
          Tables: {
            "ai_time_sessions": {
                  Row: {
                    "build_id": string,"ended_at": string | null,"id": number,"project_id": string,"seconds": number | null,"session_type": string,"started_at": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "build_id": string,"ended_at"?: string | null,"id"?: never,"project_id": string,"seconds"?: number | null,"session_type"?: string,"started_at": string,"user_id": string
                  }
                  Update: {
                    "build_id"?: string,"ended_at"?: string | null,"id"?: never,"project_id"?: string,"seconds"?: number | null,"session_type"?: string,"started_at"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "ai_time_sessions_build_id_fkey"
      columns: ["build_id"]
isOneToOne: true
      referencedRelation: "project_build_metrics"
      referencedColumns: ["build_id"]
    },{
      foreignKeyName: "ai_time_sessions_project_owner_fk"
      columns: ["user_id","project_id"]
isOneToOne: false
      referencedRelation: "projects"
      referencedColumns: ["user_id","id"]
    }
                  ]
                },"clients": {
                  Row: {
                    "company": string | null,"created_at": string,"email": string | null,"id": string,"name": string,"phone": string | null,"updated_at": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "company"?: string | null,"created_at"?: string,"email"?: string | null,"id": string,"name": string,"phone"?: string | null,"updated_at"?: string,"user_id": string
                  }
                  Update: {
                    "company"?: string | null,"created_at"?: string,"email"?: string | null,"id"?: string,"name"?: string,"phone"?: string | null,"updated_at"?: string,"user_id"?: string
                  }
                  Relationships: [
                    
                  ]
                },"frameworks": {
                  Row: {
                    "created_at": string,"label": string,"name": string
                  }
                  ComputedFields: never
                  Insert: {
                    "created_at"?: string,"label": string,"name": string
                  }
                  Update: {
                    "created_at"?: string,"label"?: string,"name"?: string
                  }
                  Relationships: [
                    
                  ]
                },"idempotency_keys": {
                  Row: {
                    "build_id": string | null,"build_metrics_id": number | null,"created_at": string,"fingerprint": string,"idempotency_key": string,"operation": string,"project_id": string,"superseded_build_id": string | null,"user_id": string,"version_id": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "build_id"?: string | null,"build_metrics_id"?: number | null,"created_at"?: string,"fingerprint": string,"idempotency_key": string,"operation": string,"project_id": string,"superseded_build_id"?: string | null,"user_id": string,"version_id"?: string | null
                  }
                  Update: {
                    "build_id"?: string | null,"build_metrics_id"?: number | null,"created_at"?: string,"fingerprint"?: string,"idempotency_key"?: string,"operation"?: string,"project_id"?: string,"superseded_build_id"?: string | null,"user_id"?: string,"version_id"?: string | null
                  }
                  Relationships: [
                    {
      foreignKeyName: "idempotency_keys_project_owner_fk"
      columns: ["user_id","project_id"]
isOneToOne: false
      referencedRelation: "projects"
      referencedColumns: ["user_id","id"]
    }
                  ]
                },"project_build_metrics": {
                  Row: {
                    "build_id": string,"completed_at": string | null,"duration_ms": number | null,"error_message": string | null,"framework": string,"id": number,"is_initial_build": boolean,"outcome": string | null,"project_id": string,"prompt": string | null,"started_at": string,"status": string,"superseded_by": string | null,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "build_id": string,"completed_at"?: string | null,"duration_ms"?: number | null,"error_message"?: string | null,"framework": string,"id"?: never,"is_initial_build"?: boolean,"outcome"?: string | null,"project_id": string,"prompt"?: string | null,"started_at"?: string,"status"?: string,"superseded_by"?: string | null,"user_id": string
                  }
                  Update: {
                    "build_id"?: string,"completed_at"?: string | null,"duration_ms"?: number | null,"error_message"?: string | null,"framework"?: string,"id"?: never,"is_initial_build"?: boolean,"outcome"?: string | null,"project_id"?: string,"prompt"?: string | null,"started_at"?: string,"status"?: string,"superseded_by"?: string | null,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "project_build_metrics_project_owner_fk"
      columns: ["user_id","project_id"]
isOneToOne: false
      referencedRelation: "projects"
      referencedColumns: ["user_id","id"]
    }
                  ]
                },"project_events": {
                  Row: {
                    "actor_role": string,"build_id": string | null,"client_id": string | null,"created_at": string,"event_type": string,"id": number,"payload": NonNullable<Json>,"project_id": string | null,"request_id": string | null,"source": string | null,"txid": unknown,"user_id": string,"version_id": string | null
                  }
                  ComputedFields: never
                  Insert: {
                    "actor_role": string,"build_id"?: string | null,"client_id"?: string | null,"created_at"?: string,"event_type": string,"id"?: never,"payload"?: NonNullable<Json>,"project_id"?: string | null,"request_id"?: string | null,"source"?: string | null,"txid"?: unknown,"user_id": string,"version_id"?: string | null
                  }
                  Update: {
                    "actor_role"?: string,"build_id"?: string | null,"client_id"?: string | null,"created_at"?: string,"event_type"?: string,"id"?: never,"payload"?: NonNullable<Json>,"project_id"?: string | null,"request_id"?: string | null,"source"?: string | null,"txid"?: unknown,"user_id"?: string,"version_id"?: string | null
                  }
                  Relationships: [
                    {
      foreignKeyName: "project_events_project_id_fkey"
      columns: ["project_id"]
isOneToOne: false
      referencedRelation: "projects"
      referencedColumns: ["id"]
    }
                  ]
                },"project_versions": {
                  Row: {
                    "build_id": string,"created_at": string,"framework": string,"project_id": string,"prompt": string | null,"status": string,"user_id": string,"version_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "build_id": string,"created_at"?: string,"framework": string,"project_id": string,"prompt"?: string | null,"status"?: string,"user_id": string,"version_id": string
                  }
                  Update: {
                    "build_id"?: string,"created_at"?: string,"framework"?: string,"project_id"?: string,"prompt"?: string | null,"status"?: string,"user_id"?: string,"version_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "project_versions_build_fk"
      columns: ["build_id"]
isOneToOne: true
      referencedRelation: "project_build_metrics"
      referencedColumns: ["build_id"]
    },{
      foreignKeyName: "project_versions_project_owner_fk"
      columns: ["user_id","project_id"]
isOneToOne: false
      referencedRelation: "projects"
      referencedColumns: ["user_id","id"]
    }
                  ]
                },"projects": {
                  Row: {
                    "build_status": string,"created_at": string,"created_by_service": string,"current_build_id": string | null,"current_version_id": string | null,"framework": string,"id": string,"last_build_completed": string | null,"last_build_started": string | null,"name": string,"updated_at": string,"user_id": string
                  }
                  ComputedFields: never
                  Insert: {
                    "build_status"?: string,"created_at"?: string,"created_by_service": string,"current_build_id"?: string | null,"current_version_id"?: string | null,"framework": string,"id"?: string,"last_build_completed"?: string | null,"last_build_started"?: string | null,"name": string,"updated_at"?: string,"user_id": string
                  }
                  Update: {
                    "build_status"?: string,"created_at"?: string,"created_by_service"?: string,"current_build_id"?: string | null,"current_version_id"?: string | null,"framework"?: string,"id"?: string,"last_build_completed"?: string | null,"last_build_started"?: string | null,"name"?: string,"updated_at"?: string,"user_id"?: string
                  }
                  Relationships: [
                    {
      foreignKeyName: "projects_current_build_fk"
      columns: ["id","current_build_id"]
isOneToOne: false
      referencedRelation: "project_build_metrics"
      referencedColumns: ["project_id","build_id"]
    },{
      foreignKeyName: "projects_current_version_fk"
      columns: ["id","current_version_id"]
isOneToOne: false
      referencedRelation: "project_versions"
      referencedColumns: ["project_id","version_id"]
    },{
      foreignKeyName: "projects_framework_fk"
      columns: ["framework"]
isOneToOne: false
      referencedRelation: "frameworks"
      referencedColumns: ["name"]
    }
                  ]
                },"worker_status_map": {
                  Row: {
                    "outcome": string | null,"project_status": string,"worker_status": string
                  }
                  ComputedFields: never
                  Insert: {
                    "outcome"?: string | null,"project_status": string,"worker_status": string
                  }
                  Update: {
                    "outcome"?: string | null,"project_status"?: string,"worker_status"?: string
                  }
                  Relationships: [
                    
                  ]
                }
          }
          Views: {
            [_ in never]: never
          }
          Functions: {
            "check_invariants":
{ Args: Record<PropertyKey, never>; Returns: {
              "build_id": string,"detail": string,"invariant": string,"project_id": string
            }[]
                           },
"complete_build":
{ Args: { "p_build_id": string,"p_error_message"?: string,"p_request_id"?: string,"p_status": string }; Returns: {
              "build_status": string,"project_id": string,"version_id": string
            }[]
                           },
"create_complete_project":
{ Args: { "p_framework"?: string,"p_idempotency_key"?: string,"p_name"?: string,"p_project_id"?: string,"p_prompt"?: string,"p_request_id"?: string,"p_source"?: string,"p_user_id"?: string }; Returns: {
              "build_id": string,"build_metrics_id": number,"created": boolean,"project_build_status": string,"project_id": string,"version_id": string
            }[]
                           },
"create_project_for_build":
{ Args: { "p_framework"?: string,"p_idempotency_key"?: string,"p_name"?: string,"p_project_id"?: string,"p_prompt"?: string,"p_request_id"?: string,"p_source"?: string,"p_user_id"?: string }; Returns: {
              "build_id": string,"build_metrics_id": number,"created": boolean,"project_build_status": string,"project_id": string
            }[]
                           },
"create_version_on_success":
{ Args: { "p_build_id": string,"p_prompt"?: string,"p_request_id"?: string }; Returns: {
              "created": boolean,"version_id": string
            }[]
                           },
"generate_ulid":
{ Args: Record<PropertyKey, never>; Returns: string
                           },
"get_build_status":
{ Args: { "p_build_id": string }; Returns: {
              "build_id": string,"completed_at": string,"duration_ms": number,"error_message": string,"is_current": boolean,"project_build_status": string,"project_id": string,"started_at": string,"status": string,"version_id": string
            }[]
                           },
"get_or_create_client":
{ Args: { "p_company"?: string,"p_email"?: string,"p_id": string,"p_name": string,"p_phone"?: string,"p_request_id"?: string,"p_user_id"?: string }; Returns: {
              "company": string,"created": boolean,"created_at": string,"email": string,"id": string,"name": string,"phone": string,"updated_at": string,"user_id": string
            }[]
                           },
"get_project_feed":
{ Args: { "p_after"?: string,"p_limit"?: number,"p_project_id"?: string }; Returns: {
              "build_id": string,"build_status": string,"completed_at": string,"cursor": string,"duration_ms": number,"error_message": string,"event_id": number,"event_type": string,"framework": string,"is_current_build": boolean,"occurred_at": string,"project_id": string,"project_name": string,"project_status": string,"prompt": string,"reference_id": string,"started_at": string,"version_id": string
            }[]
                           },
"get_project_metrics":
{ Args: { "p_window"?: string }; Returns: {
              "avg_build_duration_ms": number,"builds_canceled": number,"builds_completed": number,"builds_failed": number,"builds_started": number,"builds_superseded": number,"idempotent_replays": number,"in_flight_builds": number,"projects_created": number,"success_rate": number,"window_start": string
            }[]
                           },
"map_worker_status":
{ Args: { "p_status": string }; Returns: string
                           },
"prune_idempotency_records":
{ Args: { "p_batch_size"?: number,"p_older_than"?: string }; Returns: {
              "keys_deleted": number
            }[]
                           },
"start_build":
{ Args: { "p_framework"?: string,"p_idempotency_key"?: string,"p_project_id": string,"p_prompt"?: string,"p_request_id"?: string }; Returns: {
              "build_id": string,"build_metrics_id": number,"created": boolean,"superseded_build_id": string
            }[]
                           },
"ulid_to_timestamp":
{ Args: { "p_ulid": string }; Returns: string
                           }
          }
          Enums: {
            [_ in never]: never
          }
          CompositeTypes: {
            [_ in never]: never
          }
        }
}

type DatabaseWithoutInternals = Omit<Database, '__InternalSupabase'>

type DefaultSchema = DatabaseWithoutInternals[Extract<keyof Database, "public">]

export type Tables<
  DefaultSchemaTableNameOrOptions extends
    | keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
        DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? (DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"] &
      DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"])[TableName] extends {
      Row: infer R
    }
    ? R
    : never
  : DefaultSchemaTableNameOrOptions extends keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
  ? (DefaultSchema["Tables"] & DefaultSchema["Views"])[DefaultSchemaTableNameOrOptions] extends {
      Row: infer R
    }
    ? R
    : never
  : never

export type TablesInsert<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Insert: infer I
    }
    ? I
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
  ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
      Insert: infer I
    }
    ? I
    : never
  : never

export type TablesUpdate<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends {
      Update: infer U
    }
    ? U
    : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
  ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
      Update: infer U
    }
    ? U
    : never
  : never

export type Enums<
  DefaultSchemaEnumNameOrOptions extends
    | keyof DefaultSchema["Enums"]
    | { schema: keyof DatabaseWithoutInternals },
  EnumName extends DefaultSchemaEnumNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"]
    : never = never
> = DefaultSchemaEnumNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"][EnumName]
  : DefaultSchemaEnumNameOrOptions extends keyof DefaultSchema["Enums"]
  ? DefaultSchema["Enums"][DefaultSchemaEnumNameOrOptions]
  : never

export type CompositeTypes<
  PublicCompositeTypeNameOrOptions extends
    | keyof DefaultSchema["CompositeTypes"]
    | { schema: keyof DatabaseWithoutInternals },
  CompositeTypeName extends PublicCompositeTypeNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals
  }
    ? keyof DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"]
    : never = never
> = PublicCompositeTypeNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"][CompositeTypeName]
  : PublicCompositeTypeNameOrOptions extends keyof DefaultSchema["CompositeTypes"]
  ? DefaultSchema["CompositeTypes"][PublicCompositeTypeNameOrOptions]
  : never

export const Constants = {
  "public": {
          Enums: {
            
          }
        }
} as const
