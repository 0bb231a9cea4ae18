import { createStore } from 'zustand/vanilla';
import type { ModelDetail, ModelSummary } from '../../../shared/domain/model.ts';
import { buildFormFields, initialValues, validateForm, type FormField } from '../../../shared/schema-form.ts';
import { type ApiSource, windowApi, errorMessage, errorCode } from '../api.ts';
import { keyFor, type SettingsStore } from './settings.ts';
import { splitModelRef, type ProviderId } from '../../../shared/domain/provider.ts';
import { PROVIDER_LABELS } from '../../../shared/domain/provider.ts';

// The composer: which model, its form, the values being iterated on. Values are remembered per
// model in settings.formValues (debounced), so a prompt survives switching models and restarts.

/**
 * The starter list the picker always offers, whatever the provider's featured collection holds:
 * images, upscaling, video and text, so a first-time user sees what each kind looks like.
 */
export const STARTER_MODELS = [
  'black-forest-labs/flux-schnell',
  'black-forest-labs/flux-dev',
  'stability-ai/sdxl',
  'nightmareai/real-esrgan',
  'google/veo-3',
  'meta/meta-llama-3-8b-instruct',
  'moonshotai/kimi-k2-thinking',
];

/** A model known only by its ref (a starter, pinned or recent one) until its details arrive. */
export function placeholderSummary(ref: string): ModelSummary {
  const { provider, ref: bare } = splitModelRef(ref);
  const [owner = '', ...rest] = bare.split('/');
  return { ref, provider, owner, name: rest.join('/') || bare, description: null, coverImageUrl: null, runCount: null };
}

/** Which provider runs a model ref (`fal:…` → fal; a bare `owner/name` → Replicate). */
export const providerOfRef = (ref: string | null | undefined): ProviderId => (ref ? splitModelRef(ref).provider : 'replicate');

export interface ComposerState {
  featured: ModelSummary[];
  results: ModelSummary[] | null;
  searching: boolean;
  modelRef: string | null;
  version: string | null;
  model: ModelDetail | null;
  modelError: string | null;
  /** KilnError code of modelError, e.g. `auth` when no key is set yet. */
  modelErrorCode: string | null;
  loadingModel: boolean;
  fields: FormField[];
  values: Record<string, unknown>;
  errors: Record<string, string>;
  count: number;
  submitting: boolean;
  /** The seed of the run being remixed, when this model takes a seed: what "Same seed" puts back. */
  remixSeed: number | null;
  /** Chain (issue 14): the run whose output fills `field` (as the staged `ref`); the run created records it. */
  chainSource: { field: string; ref: string; runId: string } | null;
  /** `quiet`: no toast on failure (first run without a key is not an error). */
  loadFeatured(quiet?: boolean): Promise<void>;
  search(query: string): Promise<void>;
  /** `seed`: the seed the remixed run used (its input's or the model's own), kept by default. */
  selectModel(
    ref: string,
    opts?: { version?: string | null; values?: Record<string, unknown>; errors?: Record<string, string>; seed?: number | null },
  ): Promise<void>;
  setValue(name: string, value: unknown): void;
  /** Sets `name` to `value`, which holds `ref`, a staged output of run `runId`, and remembers where it came from. */
  setChainedFile(name: string, value: unknown, ref: string, runId: string): void;
  /** "Same seed": on puts the remixed run's seed in the seed field, off empties it (a new random seed). */
  setSameSeed(on: boolean): void;
  /** Every field back to the schema's default, except what is being worked on (prompts, files). */
  resetToDefaults(): void;
  setCount(n: number): void;
  /** Validates and creates; returns the new ids, or null when it did not send. */
  submit(): Promise<string[] | null>;
  /** Loads the current model's schema again without blanking the form (the network came back). */
  refreshModel(): Promise<void>;
}

/**
 * Why Generate cannot run now, or null when it can. A run that can only fail (no key, no schema
 * to build its input from) is never sent: it would be billed or recorded as a doomed card.
 */
export function blockedReason(
  s: Pick<ComposerState, 'modelRef' | 'model' | 'loadingModel' | 'modelError' | 'modelErrorCode'>,
  keySet: boolean,
  keyRejected = false,
): string | null {
  // keySet/keyRejected are about the key of the provider that runs the chosen model.
  const who = PROVIDER_LABELS[providerOfRef(s.modelRef)];
  if (!keySet) return `Add your ${who} key in Settings`;
  if (keyRejected) return `${who} rejected your key — replace it in Settings`;
  if (!s.modelRef) return 'Choose a model first';
  if (s.loadingModel && !s.model) return 'Loading the model’s inputs…';
  if (!s.model) {
    if (s.modelErrorCode === 'network') return 'Offline — this model’s inputs were never loaded';
    if (s.modelErrorCode === 'auth') return `Add your ${who} key in Settings`;
    return s.modelError ? `This model’s inputs could not be loaded: ${s.modelError}` : 'Loading the model’s inputs…';
  }
  return null;
}

const hasSeedField = (fields: FormField[]) => fields.some((f) => f.name === 'seed' && (f.kind === 'integer' || f.kind === 'number'));

/**
 * What a person is working on rather than tuning: prompts and input files. These stay in the main
 * form (not under "Advanced") and survive "Reset to defaults".
 */
export function isWorkField(f: FormField): boolean {
  return f.kind === 'prompt' || f.kind === 'file' || (f.kind === 'array' && f.itemKind === 'file');
}

/** Fields folded under "Advanced": optional ones that are not prompts or files (DECISIONS, issue 14). */
export function isAdvancedField(f: FormField): boolean {
  return !f.required && !isWorkField(f);
}

export interface ComposerOptions {
  api?: ApiSource;
  settings: SettingsStore;
  onError?: (msg: string) => void;
  rememberDelayMs?: number;
}

export function createComposerStore(opts: ComposerOptions) {
  const api = opts.api ?? windowApi;
  const onError = opts.onError ?? (() => {});
  const settings = opts.settings;
  let rememberTimer: ReturnType<typeof setTimeout> | null = null;
  let searchSeq = 0;
  let modelSeq = 0;

  return createStore<ComposerState>()((set, get) => {
    const remember = () => {
      if (rememberTimer) clearTimeout(rememberTimer);
      rememberTimer = setTimeout(() => {
        rememberTimer = null;
        const { modelRef, values } = get();
        if (!modelRef) return;
        const all = settings.getState().settings.formValues;
        void settings.getState().update({ formValues: { ...all, [modelRef]: values } });
      }, opts.rememberDelayMs ?? 600);
    };

    return {
      featured: [],
      results: null,
      searching: false,
      modelRef: null,
      version: null,
      model: null,
      modelError: null,
      modelErrorCode: null,
      loadingModel: false,
      fields: [],
      values: {},
      errors: {},
      count: 1,
      submitting: false,
      remixSeed: null,
      chainSource: null,

      async loadFeatured(quiet = false) {
        try {
          const featured = await api().invoke('models:featured', {});
          const have = new Set(featured.map((m) => m.ref));
          set({ featured: [...featured, ...STARTER_MODELS.filter((r) => !have.has(r)).map(placeholderSummary)] });
        } catch (e) {
          set({ featured: STARTER_MODELS.map(placeholderSummary) });
          if (!quiet) onError(`Could not load the model list: ${errorMessage(e)}`);
        }
      },

      async search(query) {
        const seq = ++searchSeq;
        if (!query.trim()) {
          set({ results: null, searching: false });
          return;
        }
        set({ searching: true });
        try {
          const results = await api().invoke('models:search', { query });
          if (seq === searchSeq) set({ results });
        } catch (e) {
          if (seq === searchSeq) {
            set({ results: [] });
            onError(`Search failed: ${errorMessage(e)}`);
          }
        } finally {
          if (seq === searchSeq) set({ searching: false });
        }
      },

      async selectModel(ref, o = {}) {
        const seq = ++modelSeq;
        set({
          modelRef: ref,
          version: o.version ?? null,
          model: null,
          fields: [],
          loadingModel: true,
          modelError: null,
          modelErrorCode: null,
          errors: {},
          remixSeed: null,
          chainSource: null,
        });
        try {
          const model = await api().invoke('models:get', { ref, ...(o.version ? { version: o.version } : {}) });
          if (seq !== modelSeq) return;
          const fields = buildFormFields(model.inputSchema);
          let remembered = o.values ?? settings.getState().settings.formValues[ref];
          // A remix keeps the seed the run used even when the model chose it: "Same seed" starts on.
          const remixSeed = o.seed != null && hasSeedField(fields) ? o.seed : null;
          if (remixSeed !== null && remembered && remembered.seed === undefined) remembered = { ...remembered, seed: remixSeed };
          const summary: ModelSummary = {
            ref: model.ref,
            provider: model.provider,
            owner: model.owner,
            name: model.name,
            description: model.description,
            coverImageUrl: model.coverImageUrl,
            runCount: model.runCount,
          };
          set({
            model,
            fields,
            values: initialValues(fields, remembered),
            errors: o.errors ?? {},
            remixSeed,
            featured: get().featured.map((m) => (m.ref === ref ? summary : m)),
          });
          const recent = [ref, ...settings.getState().settings.recentModels.filter((r) => r !== ref)].slice(0, 10);
          void settings.getState().update({ recentModels: recent });
          if (o.values) remember();
        } catch (e) {
          if (seq === modelSeq) set({ model: null, fields: [], modelError: errorMessage(e), modelErrorCode: errorCode(e) });
        } finally {
          if (seq === modelSeq) set({ loadingModel: false });
        }
      },

      async refreshModel() {
        const { modelRef: ref, version, loadingModel } = get();
        if (!ref || loadingModel) return;
        const seq = ++modelSeq;
        try {
          const model = await api().invoke('models:get', { ref, ...(version ? { version } : {}) });
          if (seq !== modelSeq) return;
          const fields = buildFormFields(model.inputSchema);
          // What the person typed meanwhile stays; only the form's shape is renewed.
          set({ model, fields, values: initialValues(fields, get().values), modelError: null, modelErrorCode: null });
        } catch (e) {
          if (seq === modelSeq && !get().model) set({ modelError: errorMessage(e), modelErrorCode: errorCode(e) });
        }
      },

      setValue(name, value) {
        const errors = { ...get().errors };
        delete errors[name];
        // The link back holds while the chained file is still in its field: replaced by hand, it goes.
        const chain = get().chainSource;
        const keep = !chain || chain.field !== name || (Array.isArray(value) ? value.includes(chain.ref) : value === chain.ref);
        set({ values: { ...get().values, [name]: value }, errors, ...(keep ? {} : { chainSource: null }) });
        remember();
      },

      setChainedFile(name, value, ref, runId) {
        get().setValue(name, value);
        set({ chainSource: { field: name, ref, runId } });
      },

      setSameSeed(on) {
        const { remixSeed, values } = get();
        if (remixSeed === null) return;
        const next = { ...values };
        if (on) next.seed = remixSeed;
        else delete next.seed;
        set({ values: next });
        remember();
      },

      resetToDefaults() {
        const { fields, values } = get();
        const kept = Object.fromEntries(
          fields
            .filter(isWorkField)
            .filter((f) => values[f.name] !== undefined)
            .map((f) => [f.name, values[f.name]]),
        );
        set({ values: initialValues(fields, kept), errors: {}, remixSeed: null });
        remember();
      },

      setCount: (count) => set({ count: Math.max(1, Math.min(8, Math.round(count))) }),

      async submit() {
        const { modelRef, fields, values, count, version: pinned, submitting, model } = get();
        const secret = keyFor(settings.getState(), providerOfRef(get().modelRef)).secret;
        if (blockedReason(get(), secret?.set ?? false, secret?.state === 'rejected')) return null;
        // Community models can only be run by version: "latest" means the version the form was
        // built from, so the input matches the schema the user saw. Official models run through
        // the model endpoint, which refuses a version.
        const version = pinned ?? (model?.official ? null : (model?.latestVersionId ?? null));
        if (!modelRef || submitting || !model) return null;
        const v = validateForm(fields, values);
        const chain = get().chainSource;
        if (!v.ok) {
          set({ errors: v.errors });
          return null;
        }
        set({ submitting: true, errors: {} });
        try {
          const res = await api().invoke('predictions:create', {
            model: modelRef,
            version,
            input: v.input,
            count,
            ...(chain ? { sourceId: chain.runId } : {}),
          });
          return res.ids;
        } catch (e) {
          const fieldsErr = (e as { fields?: Record<string, string> }).fields;
          if (errorCode(e) === 'invalid_input' && fieldsErr && Object.keys(fieldsErr).length) {
            // Provider 422s land on the field they are about; unknown names still show at the top.
            set({ errors: fieldsErr });
          } else {
            set({ errors: { _form: errorMessage(e) } });
            onError(errorMessage(e));
          }
          return null;
        } finally {
          set({ submitting: false });
        }
      },
    };
  });
}

export type ComposerStore = ReturnType<typeof createComposerStore>;
