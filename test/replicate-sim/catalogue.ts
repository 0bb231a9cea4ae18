// The simulator's models, with Cog-style OpenAPI schemas shaped like the real ones on Replicate
// (enums as allOf $ref to a named component, x-order, defaults, min/max, `format: uri` file inputs,
// iterator/concatenate arrays for LLM output), so a client that renders and validates these works
// against the real service too.
import { createHash } from 'node:crypto';
import type { ModelBehaviour } from './types.ts';

export type OutputKind = 'image' | 'upscale' | 'video' | 'text';

export interface CatalogueModel {
  owner: string;
  name: string;
  description: string;
  official: boolean;
  runCount: number;
  githubUrl: string | null;
  paperUrl: string | null;
  licenseUrl: string | null;
  tags: string[];
  kind: OutputKind;
  versionId: string;
  versionCreatedAt: string;
  cogVersion: string;
  /** Input schema properties (already carrying x-order), and required names. */
  inputProperties: Record<string, any>;
  required: string[];
  /** Named enum components referenced by allOf $ref. */
  enums: Record<string, any>;
  output: any;
  /** Default image format when the model has no output_format input. */
  defaultFormat?: 'webp' | 'png' | 'jpg';
  /** Default tqdm steps when the input has no num_inference_steps. */
  defaultSteps: number;
  behaviour: Required<Pick<ModelBehaviour, 'coldBootMs' | 'runMs'>>;
}

const hex64 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Build ordered properties: x-order follows the order written here, like Cog does. */
function props(list: [string, any][]): Record<string, any> {
  const out: Record<string, any> = {};
  list.forEach(([k, v], i) => {
    out[k] = { title: titleOf(k), ...v, 'x-order': i };
  });
  return out;
}
function titleOf(k: string): string {
  return k
    .split('_')
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(' ');
}
const enumRef = (name: string, def: unknown, description: string) => ({
  allOf: [{ $ref: `#/components/schemas/${name}` }],
  default: def,
  description,
});
const enumSchema = (name: string, values: unknown[], type: 'string' | 'integer' = 'string') => ({
  [name]: { enum: values, type, title: name, description: 'An enumeration.' },
});

const ASPECT = ['1:1', '16:9', '21:9', '3:2', '2:3', '4:5', '5:4', '3:4', '4:3', '9:16', '9:21'];
const uriArray = { type: 'array', items: { type: 'string', format: 'uri' }, title: 'Output' };
const textIterator = {
  type: 'array',
  items: { type: 'string' },
  title: 'Output',
  'x-cog-array-type': 'iterator',
  'x-cog-array-display': 'concatenate',
};

const fluxCommon = (steps: { def: number; max: number }): [string, any][] => [
  ['prompt', { type: 'string', description: 'Prompt for generated image' }],
  ['aspect_ratio', enumRef('aspect_ratio', '1:1', 'Aspect ratio for the generated image')],
  ['num_outputs', { type: 'integer', default: 1, minimum: 1, maximum: 4, description: 'Number of outputs to generate' }],
  [
    'num_inference_steps',
    {
      type: 'integer',
      default: steps.def,
      minimum: 1,
      maximum: steps.max,
      description: 'Number of denoising steps. 4 is recommended, and lower number of steps produce lower quality outputs, faster.',
    },
  ],
  ['seed', { type: 'integer', description: 'Random seed. Set for reproducible generation' }],
  ['output_format', enumRef('output_format', 'webp', 'Format of the output images')],
  [
    'output_quality',
    {
      type: 'integer',
      default: 80,
      minimum: 0,
      maximum: 100,
      description: 'Quality when saving the output images, from 0 to 100. 100 is best quality, 0 is lowest quality. Not relevant for .png outputs',
    },
  ],
  ['disable_safety_checker', { type: 'boolean', default: false, description: 'Disable safety checker for generated images.' }],
  [
    'go_fast',
    {
      type: 'boolean',
      default: true,
      description: 'Run faster predictions with model optimized for speed (currently fp8 quantized); disable to run in original bf16.',
    },
  ],
  ['megapixels', enumRef('megapixels', '1', 'Approximate number of megapixels for generated image')],
];
const fluxEnums = {
  ...enumSchema('aspect_ratio', ASPECT),
  ...enumSchema('output_format', ['webp', 'jpg', 'png']),
  ...enumSchema('megapixels', ['1', '0.25']),
};

const llmInputs = (systemDefault: string, maxTokens: number): [string, any][] => [
  ['prompt', { type: 'string', default: '', description: 'Prompt' }],
  [
    'system_prompt',
    {
      type: 'string',
      default: systemDefault,
      description: 'System prompt to send to the model. This is prepended to the prompt and helps guide system behavior.',
    },
  ],
  [
    'max_tokens',
    { type: 'integer', default: maxTokens, minimum: 1, maximum: 8192, description: 'The maximum number of tokens the model should generate as output.' },
  ],
  ['min_tokens', { type: 'integer', default: 0, minimum: -1, description: 'The minimum number of tokens the model should generate as output.' }],
  ['temperature', { type: 'number', default: 0.6, minimum: 0, maximum: 5, description: 'The value used to modulate the next token probabilities.' }],
  ['top_p', { type: 'number', default: 0.9, minimum: 0, maximum: 1, description: 'A probability threshold for generating the output.' }],
  ['top_k', { type: 'integer', default: 50, minimum: -1, description: 'The number of highest probability tokens to consider for generating the output.' }],
  ['presence_penalty', { type: 'number', default: 0, description: 'Presence penalty' }],
  ['frequency_penalty', { type: 'number', default: 0, description: 'Frequency penalty' }],
  ['stop_sequences', { type: 'string', default: '<|end_of_text|>,<|eot_id|>', description: 'A comma-separated list of sequences to stop generation at.' }],
  ['seed', { type: 'integer', description: 'Random seed. Leave blank to randomize the seed' }],
];

function model(m: Omit<CatalogueModel, 'versionId'> & { versionId?: string }): CatalogueModel {
  return { ...m, versionId: m.versionId ?? hex64(`${m.owner}/${m.name}@sim-v1`) };
}

export const CATALOGUE: CatalogueModel[] = [
  model({
    owner: 'black-forest-labs',
    name: 'flux-schnell',
    description: 'The fastest image generation model tailored for local development and personal use',
    official: true,
    runCount: 612_337_118,
    tags: ['text-to-image', 'flux', 'fast'],
    githubUrl: 'https://github.com/replicate/cog-flux',
    paperUrl: null,
    licenseUrl: 'https://github.com/black-forest-labs/flux/blob/main/model_licenses/LICENSE-FLUX1-schnell',
    kind: 'image',
    versionCreatedAt: '2024-08-21T12:41:13.186413Z',
    cogVersion: '0.9.25',
    inputProperties: props(fluxCommon({ def: 4, max: 4 })),
    required: ['prompt'],
    enums: fluxEnums,
    output: uriArray,
    defaultSteps: 4,
    behaviour: { coldBootMs: 1_000, runMs: 2_000 },
  }),
  model({
    owner: 'black-forest-labs',
    name: 'flux-dev',
    description: 'A 12 billion parameter rectified flow transformer capable of generating images from text descriptions',
    official: true,
    runCount: 39_104_552,
    tags: ['text-to-image', 'flux', 'image-to-image'],
    githubUrl: 'https://github.com/replicate/cog-flux',
    paperUrl: null,
    licenseUrl: 'https://github.com/black-forest-labs/flux/blob/main/model_licenses/LICENSE-FLUX1-dev',
    kind: 'image',
    versionCreatedAt: '2024-08-29T09:18:42.112304Z',
    cogVersion: '0.9.25',
    inputProperties: props([
      ...fluxCommon({ def: 28, max: 50 }).slice(0, 1),
      ['image', { type: 'string', format: 'uri', description: 'Input image for image to image mode. The aspect ratio of your output will match this image' }],
      [
        'prompt_strength',
        {
          type: 'number',
          default: 0.8,
          minimum: 0,
          maximum: 1,
          description: 'Prompt strength when using img2img. 1.0 corresponds to full destruction of information in image',
        },
      ],
      ['guidance', { type: 'number', default: 3, minimum: 0, maximum: 10, description: 'Guidance for generated image' }],
      ...fluxCommon({ def: 28, max: 50 }).slice(1),
    ]),
    required: ['prompt'],
    enums: fluxEnums,
    output: uriArray,
    defaultSteps: 28,
    behaviour: { coldBootMs: 2_000, runMs: 8_000 },
  }),
  model({
    owner: 'stability-ai',
    name: 'sdxl',
    description: 'A text-to-image generative AI model that creates beautiful images',
    official: false,
    runCount: 81_925_004,
    tags: ['text-to-image', 'stable-diffusion'],
    githubUrl: 'https://github.com/replicate/cog-sdxl',
    paperUrl: 'https://arxiv.org/abs/2307.01952',
    licenseUrl: 'https://github.com/Stability-AI/generative-models/blob/main/model_licenses/LICENSE-SDXL1.0',
    kind: 'image',
    versionId: '39ed52f2a78e934b3ba6e2a89f5b1c712de7dfea535525255b1aa35c5565e08b',
    versionCreatedAt: '2023-09-20T11:12:15.456129Z',
    cogVersion: '0.8.6',
    inputProperties: props([
      ['prompt', { type: 'string', default: 'An astronaut riding a rainbow unicorn', description: 'Input prompt' }],
      ['negative_prompt', { type: 'string', default: '', description: 'Input Negative Prompt' }],
      ['image', { type: 'string', format: 'uri', description: 'Input image for img2img or inpaint mode' }],
      ['width', { type: 'integer', default: 1024, minimum: 128, maximum: 2048, description: 'Width of output image' }],
      ['height', { type: 'integer', default: 1024, minimum: 128, maximum: 2048, description: 'Height of output image' }],
      ['num_outputs', { type: 'integer', default: 1, minimum: 1, maximum: 4, description: 'Number of images to output.' }],
      ['scheduler', enumRef('scheduler', 'K_EULER', 'scheduler')],
      ['num_inference_steps', { type: 'integer', default: 50, minimum: 1, maximum: 500, description: 'Number of denoising steps' }],
      ['guidance_scale', { type: 'number', default: 7.5, minimum: 1, maximum: 50, description: 'Scale for classifier-free guidance' }],
      [
        'prompt_strength',
        {
          type: 'number',
          default: 0.8,
          minimum: 0,
          maximum: 1,
          description: 'Prompt strength when using img2img / inpaint. 1.0 corresponds to full destruction of information in image',
        },
      ],
      ['seed', { type: 'integer', description: 'Random seed. Leave blank to randomize the seed' }],
      ['refine', enumRef('refine', 'no_refiner', 'Which refine style to use')],
      [
        'apply_watermark',
        { type: 'boolean', default: true, description: 'Applies a watermark to enable determining if an image is generated in downstream applications.' },
      ],
      ['disable_safety_checker', { type: 'boolean', default: false, description: 'Disable safety checker for generated images.' }],
    ]),
    required: [],
    enums: {
      ...enumSchema('scheduler', ['DDIM', 'DPMSolverMultistep', 'HeunDiscrete', 'KarrasDPM', 'K_EULER_ANCESTRAL', 'K_EULER', 'PNDM']),
      ...enumSchema('refine', ['no_refiner', 'expert_ensemble_refiner', 'base_image_refiner']),
    },
    output: uriArray,
    defaultFormat: 'png',
    defaultSteps: 50,
    behaviour: { coldBootMs: 3_000, runMs: 6_000 },
  }),
  model({
    owner: 'nightmareai',
    name: 'real-esrgan',
    description: 'Real-ESRGAN with optional face correction and adjustable upscale',
    official: false,
    runCount: 70_457_311,
    tags: ['super-resolution', 'upscale', 'image-to-image'],
    githubUrl: 'https://github.com/xinntao/Real-ESRGAN',
    paperUrl: 'https://arxiv.org/abs/2107.10833',
    licenseUrl: 'https://github.com/xinntao/Real-ESRGAN/blob/master/LICENSE',
    kind: 'upscale',
    versionId: '42fed1c4974146d4d2414e2be2c5277c7fcf05fcc3a73abf41610695738c1d7b',
    versionCreatedAt: '2023-04-24T18:20:56.421370Z',
    cogVersion: '0.7.0',
    inputProperties: props([
      ['image', { type: 'string', format: 'uri', description: 'Input image' }],
      ['scale', { type: 'number', default: 4, minimum: 0, maximum: 10, description: 'Factor to scale image by' }],
      ['face_enhance', { type: 'boolean', default: false, description: 'Run GFPGAN face enhancement along with upscaling' }],
    ]),
    required: ['image'],
    enums: {},
    output: { type: 'string', format: 'uri', title: 'Output' },
    defaultFormat: 'png',
    defaultSteps: 10,
    behaviour: { coldBootMs: 1_000, runMs: 3_000 },
  }),
  model({
    owner: 'google',
    name: 'veo-3',
    description: 'Sound on: Google’s flagship Veo 3 text to video model, with audio',
    official: true,
    runCount: 2_804_611,
    tags: ['text-to-video', 'video', 'audio'],
    githubUrl: null,
    paperUrl: null,
    licenseUrl: null,
    kind: 'video',
    versionCreatedAt: '2025-05-21T17:03:22.915812Z',
    cogVersion: '0.14.11',
    inputProperties: props([
      ['prompt', { type: 'string', description: 'Text prompt for video generation' }],
      ['aspect_ratio', enumRef('aspect_ratio', '16:9', 'Video aspect ratio')],
      ['duration', enumRef('duration', 8, 'Video duration in seconds')],
      ['resolution', enumRef('resolution', '1080p', 'Resolution of the generated video')],
      [
        'image',
        {
          type: 'string',
          format: 'uri',
          description:
            'Input image to start generating from. Ideal images are 16:9 or 9:16 and 1280x720 or 720x1280, depending on the aspect ratio you choose.',
        },
      ],
      ['negative_prompt', { type: 'string', description: 'Description of what to exclude from the generated video' }],
      ['generate_audio', { type: 'boolean', default: true, description: 'Generate audio with the video' }],
      ['seed', { type: 'integer', description: 'Random seed. Omit for random generations' }],
    ]),
    required: ['prompt'],
    enums: {
      ...enumSchema('aspect_ratio', ['16:9', '9:16']),
      ...enumSchema('duration', [4, 6, 8], 'integer'),
      ...enumSchema('resolution', ['720p', '1080p']),
    },
    output: { type: 'string', format: 'uri', title: 'Output' },
    defaultSteps: 50,
    behaviour: { coldBootMs: 5_000, runMs: 60_000 },
  }),
  model({
    owner: 'meta',
    name: 'meta-llama-3-8b-instruct',
    description: 'An 8 billion parameter language model from Meta, fine tuned for chat completions',
    official: true,
    runCount: 392_118_004,
    tags: ['language-models', 'llm', 'chat'],
    githubUrl: 'https://github.com/meta-llama/llama3',
    paperUrl: null,
    licenseUrl: 'https://github.com/meta-llama/llama3/blob/main/LICENSE',
    kind: 'text',
    versionCreatedAt: '2024-04-17T21:44:58.480057Z',
    cogVersion: '0.10.0-alpha5',
    inputProperties: props(llmInputs('You are a helpful assistant', 512)),
    required: [],
    enums: {},
    output: textIterator,
    defaultSteps: 0,
    behaviour: { coldBootMs: 500, runMs: 3_000 },
  }),
  model({
    owner: 'moonshotai',
    name: 'kimi-k2-thinking',
    description: 'Kimi K2 Thinking is an open-source thinking agent model that reasons step by step while using tools',
    official: true,
    runCount: 1_208_930,
    tags: ['language-models', 'llm', 'reasoning'],
    githubUrl: 'https://github.com/MoonshotAI/Kimi-K2',
    paperUrl: 'https://moonshotai.github.io/Kimi-K2/thinking.html',
    licenseUrl: 'https://huggingface.co/moonshotai/Kimi-K2-Thinking/blob/main/LICENSE',
    kind: 'text',
    versionCreatedAt: '2025-11-07T08:15:31.004421Z',
    cogVersion: '0.16.8',
    inputProperties: props(llmInputs('You are Kimi, an AI assistant created by Moonshot AI.', 1024)),
    required: [],
    enums: {},
    // A cold boot well past LiteLLM's ~25 s polling budget: the bug Kiln exists to avoid.
    output: textIterator,
    defaultSteps: 0,
    behaviour: { coldBootMs: 40_000, runMs: 8_000 },
  }),
];

export function findModel(owner: string, name: string): CatalogueModel | undefined {
  return CATALOGUE.find((m) => m.owner === owner && m.name === name);
}
export function findByVersion(id: string): CatalogueModel | undefined {
  return CATALOGUE.find((m) => m.versionId === id);
}
export const fullName = (m: CatalogueModel) => `${m.owner}/${m.name}`;

/** The Cog OpenAPI document of a model version. */
export function openapiSchema(m: CatalogueModel): any {
  return {
    openapi: '3.0.2',
    info: { title: 'Cog', version: '0.1.0' },
    paths: {
      '/predictions': {
        post: {
          summary: 'Predict',
          operationId: 'predict_predictions_post',
          requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/PredictionRequest' } } } },
          responses: {
            '200': { description: 'Successful Response', content: { 'application/json': { schema: { $ref: '#/components/schemas/PredictionResponse' } } } },
          },
        },
      },
    },
    components: {
      schemas: {
        Input: { type: 'object', title: 'Input', required: m.required.length ? m.required : undefined, properties: m.inputProperties },
        Output: m.output,
        ...m.enums,
        Status: { enum: ['starting', 'processing', 'succeeded', 'canceled', 'failed'], type: 'string', title: 'Status', description: 'An enumeration.' },
        PredictionRequest: {
          type: 'object',
          title: 'PredictionRequest',
          properties: { id: { type: 'string', title: 'Id' }, input: { $ref: '#/components/schemas/Input' }, webhook: { type: 'string', format: 'uri' } },
        },
        PredictionResponse: {
          type: 'object',
          title: 'PredictionResponse',
          properties: {
            id: { type: 'string' },
            input: { $ref: '#/components/schemas/Input' },
            output: { $ref: '#/components/schemas/Output' },
            status: { $ref: '#/components/schemas/Status' },
            logs: { type: 'string', default: '' },
            error: { type: 'string' },
          },
        },
      },
    },
  };
}

export interface Collection {
  slug: string;
  name: string;
  description: string;
  models: string[];
}

export const COLLECTIONS: Collection[] = [
  {
    slug: 'text-to-image',
    name: 'Generate images',
    description: 'Models that generate images from text prompts',
    models: ['black-forest-labs/flux-schnell', 'black-forest-labs/flux-dev', 'stability-ai/sdxl'],
  },
  {
    slug: 'super-resolution',
    name: 'Upscale images',
    description: 'Upscaling models that create high-quality images from low-quality images',
    models: ['nightmareai/real-esrgan'],
  },
  { slug: 'text-to-video', name: 'Generate videos', description: 'Models that create and edit videos', models: ['google/veo-3'] },
  {
    slug: 'language-models',
    name: 'Language models',
    description: 'Models that can understand and generate text',
    models: ['meta/meta-llama-3-8b-instruct', 'moonshotai/kimi-k2-thinking'],
  },
  {
    slug: 'official',
    name: 'Official models',
    description: 'Official models are always on, maintained, and have predictable pricing',
    models: CATALOGUE.filter((m) => m.official).map(fullName),
  },
];
