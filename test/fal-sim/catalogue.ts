// The simulator's fal endpoints, with input/output schemas in the shape of fal's per-model OpenAPI
// documents (reference §11: x-fal-order-properties, anyOf ImageSize|enum, examples, min/max), so a
// client that renders and validates these works against the real platform too.
import type { EndpointBehaviour } from './types.ts';

export type EndpointKind = 'image' | 'upscale' | 'video';

export interface CatalogueEndpoint {
  id: string;
  displayName: string;
  category: string;
  description: string;
  tags: string[];
  kind: EndpointKind;
  /** Input properties in display order; `required` names. */
  input: Record<string, any>;
  required: string[];
  output: Record<string, any>;
  outputRequired: string[];
  defaultSteps: number;
  price: { unit_price: number; unit: string };
  behaviour: Required<Pick<EndpointBehaviour, 'startupMs' | 'runMs'>> & EndpointBehaviour;
  /** Minutes, as the platform's metadata.duration_estimate. */
  durationEstimate: number;
}

export const IMAGE_SIZES: Record<string, [number, number]> = {
  square_hd: [1024, 1024],
  square: [512, 512],
  portrait_4_3: [768, 1024],
  portrait_16_9: [576, 1024],
  landscape_4_3: [1024, 768],
  landscape_16_9: [1024, 576],
};

const imageSize = (def: string) => ({
  title: 'Image Size',
  description: 'The size of the generated image.',
  default: def,
  anyOf: [{ $ref: '#/components/schemas/ImageSize' }, { type: 'string', enum: Object.keys(IMAGE_SIZES) }],
});

const seed = {
  type: 'integer',
  title: 'Seed',
  description: 'The same seed and the same prompt given to the same version of the model will output the same image every time.',
};

const fluxInput = (steps: { def: number; max: number }) => ({
  prompt: { type: 'string', title: 'Prompt', description: 'The prompt to generate an image from.', examples: ['a red fox in fresh snow, golden hour'] },
  image_size: imageSize('landscape_4_3'),
  num_inference_steps: {
    type: 'integer',
    title: 'Num Inference Steps',
    description: 'The number of inference steps to perform.',
    default: steps.def,
    minimum: 1,
    maximum: steps.max,
  },
  seed,
  guidance_scale: {
    type: 'number',
    title: 'Guidance scale (CFG)',
    description: 'How closely the model sticks to your prompt.',
    default: 3.5,
    minimum: 1,
    maximum: 20,
  },
  num_images: { type: 'integer', title: 'Num Images', description: 'The number of images to generate.', default: 1, minimum: 1, maximum: 4 },
  enable_safety_checker: { type: 'boolean', title: 'Enable Safety Checker', description: 'If set to true, the safety checker will be enabled.', default: true },
  output_format: { type: 'string', title: 'Output Format', description: 'The format of the generated image.', enum: ['jpeg', 'png'], default: 'jpeg' },
  sync_mode: {
    type: 'boolean',
    title: 'Sync Mode',
    description: 'If set to true, the media is returned as a data URI and the output is not stored in request history.',
    default: false,
  },
});

const imageOutput = {
  images: { type: 'array', title: 'Images', description: 'The generated image files info.', items: { $ref: '#/components/schemas/Image' } },
  timings: { type: 'object', title: 'Timings', additionalProperties: { type: 'number' } },
  seed: { type: 'integer', title: 'Seed', description: 'Seed of the generated image.' },
  has_nsfw_concepts: { type: 'array', title: 'Has Nsfw Concepts', items: { type: 'boolean' } },
  prompt: { type: 'string', title: 'Prompt' },
};

export const CATALOGUE: CatalogueEndpoint[] = [
  {
    id: 'fal-ai/flux/dev',
    displayName: 'FLUX.1 [dev]',
    category: 'text-to-image',
    description: 'FLUX.1 [dev] is a 12 billion parameter flow transformer that generates high-quality images from text.',
    tags: ['flux', 'text-to-image'],
    kind: 'image',
    input: fluxInput({ def: 28, max: 50 }),
    required: ['prompt'],
    output: imageOutput,
    outputRequired: ['images', 'timings', 'seed', 'has_nsfw_concepts', 'prompt'],
    defaultSteps: 28,
    price: { unit_price: 0.025, unit: 'image' },
    behaviour: { startupMs: 1_000, runMs: 4_000 },
    durationEstimate: 0.1,
  },
  {
    id: 'fal-ai/flux/schnell',
    displayName: 'FLUX.1 [schnell]',
    category: 'text-to-image',
    description: 'FLUX.1 [schnell] is a 12 billion parameter flow transformer that generates images in 1 to 4 steps.',
    tags: ['flux', 'fast', 'text-to-image'],
    kind: 'image',
    input: fluxInput({ def: 4, max: 12 }),
    required: ['prompt'],
    output: imageOutput,
    outputRequired: ['images', 'timings', 'seed', 'has_nsfw_concepts', 'prompt'],
    defaultSteps: 4,
    price: { unit_price: 0.003, unit: 'image' },
    behaviour: { startupMs: 500, runMs: 1_000 },
    durationEstimate: 0.05,
  },
  {
    id: 'fal-ai/esrgan',
    displayName: 'Upscale Images',
    category: 'image-to-image',
    description: 'Upscale images by a given factor.',
    tags: ['upscaling', 'image-to-image'],
    kind: 'upscale',
    input: {
      image_url: { type: 'string', title: 'Image Url', description: 'Url to input image', examples: ['https://v3.fal.media/files/rabbit/example.png'] },
      scale: { type: 'number', title: 'Scale', description: 'Rescaling factor', default: 2, minimum: 1, maximum: 8 },
      model: {
        type: 'string',
        title: 'Model',
        description: 'Model to use for upscaling',
        enum: ['RealESRGAN_x4plus', 'RealESRGAN_x2plus', 'RealESRGAN_x4plus_anime_6B'],
        default: 'RealESRGAN_x4plus',
      },
      face: { type: 'boolean', title: 'Face', description: 'Upscaling a face', default: false },
    },
    required: ['image_url'],
    output: { image: { $ref: '#/components/schemas/Image', title: 'Image', description: 'Upscaled image' } },
    outputRequired: ['image'],
    defaultSteps: 8,
    price: { unit_price: 0.00111, unit: 'compute second' },
    behaviour: { startupMs: 1_000, runMs: 2_000 },
    durationEstimate: 0.05,
  },
  {
    id: 'fal-ai/kling-video/v2.1/master/text-to-video',
    displayName: 'Kling 2.1 Master',
    category: 'text-to-video',
    description: 'Kling 2.1 Master: top-tier text-to-video generation with unparalleled motion fluidity and cinematic visuals.',
    tags: ['video', 'text-to-video', 'motion'],
    kind: 'video',
    input: {
      prompt: { type: 'string', title: 'Prompt', maxLength: 2500, examples: ['A slow dolly shot across a pottery kiln at night, embers glowing'] },
      duration: { type: 'string', title: 'Duration', description: 'The duration of the generated video in seconds', enum: ['5', '10'], default: '5' },
      aspect_ratio: {
        type: 'string',
        title: 'Aspect Ratio',
        description: 'The aspect ratio of the generated video frame',
        enum: ['16:9', '9:16', '1:1'],
        default: '16:9',
      },
      negative_prompt: { type: 'string', title: 'Negative Prompt', default: 'blur, distort, and low quality', maxLength: 2500 },
      cfg_scale: { type: 'number', title: 'Cfg Scale', description: 'How closely the model sticks to your prompt.', default: 0.5, minimum: 0, maximum: 1 },
    },
    required: ['prompt'],
    output: { video: { $ref: '#/components/schemas/File', title: 'Video', description: 'The generated video' } },
    outputRequired: ['video'],
    defaultSteps: 50,
    price: { unit_price: 0.28, unit: 'second' },
    behaviour: { startupMs: 5_000, runMs: 60_000 },
    durationEstimate: 4,
  },
  {
    // Always "succeeds" as far as the queue can tell, and fails only at the result fetch: the trap
    // a fal client must not fall into (reference §6: COMPLETED is not success).
    id: 'kiln-test/always-fails',
    displayName: 'Always fails (Kiln test)',
    category: 'text-to-image',
    description: 'A test endpoint whose runner always crashes; the status never says so, only the result fetch does.',
    tags: ['test'],
    kind: 'image',
    input: fluxInput({ def: 4, max: 12 }),
    required: ['prompt'],
    output: imageOutput,
    outputRequired: ['images'],
    defaultSteps: 4,
    price: { unit_price: 0.001, unit: 'image' },
    behaviour: {
      startupMs: 500,
      runMs: 1_000,
      outcome: 'runner-error',
      errorType: 'runner_server_error',
      statusError: false,
      error: 'Unhandled exception in the app: RuntimeError: CUDA error: an illegal memory access was encountered',
    },
    durationEstimate: 0.05,
  },
];

export function findEndpoint(id: string): CatalogueEndpoint | undefined {
  return CATALOGUE.find((e) => e.id === id);
}

/** owner/app of an endpoint id (namespaces `workflows/` and `comfy/` keep their prefix). */
export function appOf(id: string): string {
  const parts = id.split('/');
  const ns = parts[0] === 'workflows' || parts[0] === 'comfy' ? 1 : 0;
  return parts.slice(0, ns + 2).join('/');
}

const pascal = (id: string) =>
  id
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');

const SHARED_SCHEMAS = {
  Image: {
    title: 'Image',
    type: 'object',
    required: ['url'],
    properties: {
      url: { type: 'string', title: 'Url', description: 'The URL where the file can be downloaded from.' },
      width: { type: 'integer', title: 'Width' },
      height: { type: 'integer', title: 'Height' },
      content_type: { type: 'string', title: 'Content Type' },
      file_name: { type: 'string', title: 'File Name' },
      file_size: { type: 'integer', title: 'File Size' },
    },
  },
  File: {
    title: 'File',
    type: 'object',
    required: ['url'],
    properties: {
      url: { type: 'string', title: 'Url' },
      content_type: { type: 'string', title: 'Content Type' },
      file_name: { type: 'string', title: 'File Name' },
      file_size: { type: 'integer', title: 'File Size' },
    },
  },
  ImageSize: {
    title: 'ImageSize',
    type: 'object',
    properties: {
      width: { type: 'integer', title: 'Width', default: 512, minimum: 1, maximum: 14142 },
      height: { type: 'integer', title: 'Height', default: 512, minimum: 1, maximum: 14142 },
    },
  },
};

/** The per-model OpenAPI 3.0 document (the same one `?expand=openapi-3.0` embeds). */
export function openapiFor(e: CatalogueEndpoint, queueUrl: string): any {
  const name = pascal(e.id);
  const requestPath = `/${e.id}/requests/{request_id}`;
  const requestIdParam = { name: 'request_id', in: 'path', required: true, schema: { type: 'string', description: 'Request ID' } };
  const json = (ref: string) => ({ 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } });
  return {
    openapi: '3.0.4',
    info: {
      title: `Queue OpenAPI for ${e.id}`,
      version: '1.0.0',
      description: 'The OpenAPI schema for the queue of this endpoint.',
      'x-fal-metadata': {
        endpointId: e.id,
        category: e.category,
        thumbnailUrl: '',
        playgroundUrl: `https://fal.ai/models/${e.id}`,
        documentationUrl: `https://fal.ai/models/${e.id}/api`,
      },
    },
    components: {
      securitySchemes: { apiKeyAuth: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'Fal Key' } },
      schemas: {
        QueueStatus: {
          type: 'object',
          title: 'QueueStatus',
          required: ['status', 'request_id'],
          properties: {
            status: { type: 'string', enum: ['IN_QUEUE', 'IN_PROGRESS', 'COMPLETED'] },
            request_id: { type: 'string', description: 'The request id.' },
            response_url: { type: 'string' },
            status_url: { type: 'string' },
            cancel_url: { type: 'string' },
            logs: { type: 'object', additionalProperties: true },
            metrics: { type: 'object', additionalProperties: true },
            queue_position: { type: 'integer' },
          },
        },
        [`${name}Input`]: {
          title: `${name}Input`,
          type: 'object',
          properties: e.input,
          required: e.required,
          'x-fal-order-properties': Object.keys(e.input),
        },
        [`${name}Output`]: {
          title: `${name}Output`,
          type: 'object',
          properties: e.output,
          required: e.outputRequired,
          'x-fal-order-properties': Object.keys(e.output),
        },
        ...SHARED_SCHEMAS,
      },
    },
    paths: {
      [`/${e.id}`]: {
        post: {
          requestBody: { required: true, content: json(`${name}Input`) },
          responses: { '200': { description: 'The request status.', content: json('QueueStatus') } },
        },
      },
      [`${requestPath}/status`]: {
        get: {
          parameters: [
            requestIdParam,
            { name: 'logs', in: 'query', required: false, schema: { type: 'number', description: 'Whether to include logs (1) in the response or not (0).' } },
          ],
          responses: { '200': { description: 'The request status.', content: json('QueueStatus') } },
        },
      },
      [`${requestPath}/cancel`]: {
        put: {
          parameters: [requestIdParam],
          responses: {
            '200': {
              description: 'The request was cancelled.',
              content: { 'application/json': { schema: { type: 'object', properties: { success: { type: 'boolean' } } } } },
            },
          },
        },
      },
      [requestPath]: {
        get: { parameters: [requestIdParam], responses: { '200': { description: 'Result of the request.', content: json(`${name}Output`) } } },
      },
    },
    servers: [{ url: queueUrl }],
    security: [{ apiKeyAuth: [] }],
  };
}
