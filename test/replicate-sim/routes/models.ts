// Model discovery: models (get, list, versions), search, collections, account.
import type { Ctx, Reply } from '../http.ts';
import { json, notFound, paginate } from '../http.ts';
import type { CatalogueModel } from '../catalogue.ts';
import { CATALOGUE, COLLECTIONS, findModel, fullName, openapiSchema } from '../catalogue.ts';
import { DEFAULTS } from '../state.ts';

function versionObject(m: CatalogueModel) {
  return { id: m.versionId, created_at: m.versionCreatedAt, cog_version: m.cogVersion, openapi_schema: openapiSchema(m) };
}

export function modelObject(ctx: Ctx, m: CatalogueModel) {
  return {
    url: `https://replicate.com/${fullName(m)}`,
    owner: m.owner,
    name: m.name,
    description: m.description,
    visibility: 'public',
    is_official: m.official,
    github_url: m.githubUrl,
    paper_url: m.paperUrl,
    license_url: m.licenseUrl,
    run_count: m.runCount,
    cover_image_url: `${ctx.origin}/delivery/covers/${m.owner}/${m.name}.webp`,
    default_example: null,
    latest_version: versionObject(m),
  };
}

const pageSize = (ctx: Ctx) => ctx.state.scenario.pageSize ?? DEFAULTS.pageSize;

export function getModel(ctx: Ctx): Reply {
  const m = findModel(ctx.params[0]!, ctx.params[1]!);
  return m ? json(200, modelObject(ctx, m)) : notFound();
}

export function listModels(ctx: Ctx): Reply {
  const dir = ctx.url.searchParams.get('sort_direction') === 'asc' ? 1 : -1;
  const key = ctx.url.searchParams.get('sort_by') === 'model_created_at' ? 'versionCreatedAt' : 'versionCreatedAt';
  const sorted = [...CATALOGUE].sort((a, b) => dir * a[key].localeCompare(b[key]));
  const page = paginate(ctx, sorted, pageSize(ctx));
  return json(200, { ...page, results: page.results.map((m) => modelObject(ctx, m)) });
}

export function listVersions(ctx: Ctx): Reply {
  const m = findModel(ctx.params[0]!, ctx.params[1]!);
  if (!m) return notFound();
  return json(200, { next: null, previous: null, results: [versionObject(m)] });
}

export function getVersion(ctx: Ctx): Reply {
  const m = findModel(ctx.params[0]!, ctx.params[1]!);
  return m && m.versionId === ctx.params[2] ? json(200, versionObject(m)) : notFound();
}

export function search(ctx: Ctx): Reply {
  const query = (ctx.url.searchParams.get('query') ?? '').trim();
  const limit = Math.min(50, Math.max(1, Number(ctx.url.searchParams.get('limit') ?? 20) || 20));
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const score = (text: string) => words.reduce((s, w) => s + (text.includes(w) ? 1 : 0), 0);
  const models = CATALOGUE.map((m) => ({ m, s: score(`${fullName(m)} ${m.description} ${m.tags.join(' ')}`.toLowerCase()) }))
    .filter((x) => words.length === 0 || x.s > 0)
    .sort((a, b) => b.s - a.s || b.m.runCount - a.m.runCount)
    .slice(0, limit)
    .map(({ m, s }) => ({
      model: modelObject(ctx, m),
      metadata: { generated_description: `${m.description}. Runs on Replicate as ${fullName(m)}.`, tags: m.tags, score: words.length ? s / words.length : 0 },
    }));
  const collections = COLLECTIONS.filter((c) => words.some((w) => `${c.slug} ${c.name} ${c.description}`.toLowerCase().includes(w))).map((c) => ({
    name: c.name,
    slug: c.slug,
    description: c.description,
    models: c.models,
  }));
  return json(200, { query, models, collections, pages: [] });
}

export function listCollections(ctx: Ctx): Reply {
  const page = paginate(ctx, COLLECTIONS, pageSize(ctx));
  return json(200, { ...page, results: page.results.map((c) => ({ name: c.name, slug: c.slug, description: c.description })) });
}

export function getCollection(ctx: Ctx): Reply {
  const c = COLLECTIONS.find((x) => x.slug === ctx.params[0]);
  if (!c) return notFound();
  const models = c.models.map((n) => findModel(...(n.split('/') as [string, string]))!).map((m) => modelObject(ctx, m));
  return json(200, { name: c.name, slug: c.slug, description: c.description, full_description: `${c.description}.`, models });
}

export function getAccount(ctx: Ctx): Reply {
  const a = ctx.state.scenario.account ?? {};
  return json(200, {
    type: a.type ?? 'user',
    username: a.username ?? 'kiln-tester',
    name: a.name ?? 'Kiln Tester',
    github_url: a.github_url ?? 'https://github.com/kiln-tester',
    avatar_url: `${ctx.origin}/delivery/covers/account/avatar.webp`,
  });
}

export function listHardware(): Reply {
  return json(200, [
    { name: 'CPU', sku: 'cpu' },
    { name: 'Nvidia T4 GPU', sku: 'gpu-t4' },
    { name: 'Nvidia L40S GPU', sku: 'gpu-l40s' },
    { name: 'Nvidia A100 (80GB) GPU', sku: 'gpu-a100-large' },
    { name: 'Nvidia H100 GPU', sku: 'gpu-h100' },
  ]);
}

export function webhookSecret(): Reply {
  return json(200, { key: 'whsec_c2ltdWxhdG9yLXdlYmhvb2stc2VjcmV0LWtleQ==' });
}
