// Replicate's wire shapes, as loosely as they can be read: every field the API might omit is
// optional, and `status` is an open string (ARCHITECTURE.md, "Runs and their lifecycle": unknown statuses are followed, not raised on).

export interface RemotePrediction {
  id: string;
  model?: string;
  version?: string | null;
  input?: Record<string, unknown>;
  output?: unknown;
  logs?: string | null;
  error?: unknown;
  status: string;
  data_removed?: boolean;
  created_at?: string | null;
  started_at?: string | null;
  completed_at?: string | null;
  deadline?: string | null;
  metrics?: { predict_time?: number | null; total_time?: number | null; input_token_count?: number | null; output_token_count?: number | null } | null;
  urls?: { get?: string; cancel?: string; stream?: string; web?: string } | null;
}

export interface Page<T> {
  next: string | null;
  previous?: string | null;
  results: T[];
}

export interface RemoteModel {
  url?: string;
  owner: string;
  name: string;
  description?: string | null;
  visibility?: string;
  run_count?: number | null;
  cover_image_url?: string | null;
  is_official?: boolean;
  latest_version?: RemoteVersion | null;
}

export interface RemoteVersion {
  id: string;
  created_at?: string | null;
  openapi_schema?: { components?: { schemas?: { Input?: Record<string, unknown>; Output?: Record<string, unknown> } } } | null;
}

export interface RemoteAccount {
  type: string;
  username: string;
  name?: string | null;
}

export interface RemoteFile {
  id: string;
  urls?: { get?: string };
  size?: number;
  content_type?: string;
}

export interface CreateRequest {
  model: string; // owner/name
  version: string | null;
  target: 'model' | 'version' | 'deployment';
  input: Record<string, unknown>;
  cancelAfter?: string | null;
  /** Seconds for `Prefer: wait=N` (1-60); omitted = async create. */
  waitSeconds?: number | null;
}
