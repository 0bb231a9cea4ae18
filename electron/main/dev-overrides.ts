// Which development overrides the Electron app honours (issue 10 item 11). A packaged app must not
// let an environment variable — set by anything that can start the app — load the window from
// another URL (KILN_DEV_SERVER_URL: that page would get the preload's whole IPC surface) or send
// the API key to another API base (KILN_REPLICATE_BASE_URL, KILN_FAL_*_URL). In a packaged build the Replicate API base only
// changes through an explicit setting the user sees; development builds keep both variables for
// `npm run demo` and tests. Pure and Electron-free, so it is unit-tested (test/unit/dev-overrides.test.ts);
// electron/main/index.ts only calls it.

export interface OverrideInputs {
  /** Electron's `app.isPackaged`. */
  isPackaged: boolean;
  env: Readonly<Record<string, string | undefined>>;
  /** The API base the user chose in Settings (shown there), or null for the provider's default. */
  replicateBaseUrlSetting?: string | null;
}

export interface Overrides {
  /** Load the window from this dev server instead of the bundled page; never in a packaged app. */
  devServerUrl: string | null;
  /** The Replicate API base to use, or undefined for the default. */
  replicateBaseUrl: string | undefined;
  /** fal's queue/api/storage bases (the fal simulator in development); fal's own hosts when empty. */
  falBases: { queueUrl?: string; apiUrl?: string; storageUrl?: string };
  /** Variables that were set but not honoured, to log once (names only, never values). */
  ignored: string[];
}

const DEV_ONLY = ['KILN_DEV_SERVER_URL', 'KILN_REPLICATE_BASE_URL', 'KILN_FAL_QUEUE_URL', 'KILN_FAL_API_URL', 'KILN_FAL_STORAGE_URL'] as const;

export function resolveOverrides(inputs: OverrideInputs): Overrides {
  const setting = inputs.replicateBaseUrlSetting?.trim() || undefined;
  if (inputs.isPackaged) {
    return {
      devServerUrl: null,
      replicateBaseUrl: setting,
      falBases: {},
      ignored: DEV_ONLY.filter((name) => !!inputs.env[name]),
    };
  }
  return {
    devServerUrl: inputs.env.KILN_DEV_SERVER_URL || null,
    // In development the variable wins, as in the CLI and browser mode (ARCHITECTURE.md, "Fixed interfaces").
    replicateBaseUrl: inputs.env.KILN_REPLICATE_BASE_URL || setting,
    // The same variables the CLI and browser mode read (createNodeDeps), so `npm start` can run against the fal simulator.
    falBases: {
      ...(inputs.env.KILN_FAL_QUEUE_URL ? { queueUrl: inputs.env.KILN_FAL_QUEUE_URL } : {}),
      ...(inputs.env.KILN_FAL_API_URL ? { apiUrl: inputs.env.KILN_FAL_API_URL } : {}),
      ...(inputs.env.KILN_FAL_STORAGE_URL ? { storageUrl: inputs.env.KILN_FAL_STORAGE_URL } : {}),
    },
    ignored: [],
  };
}
