/**
 * `npm run bench -- poly1c [--rounds 5] [--quotes 20000]`
 *
 * Issue 14's benchmark, on a 100,000-variant 1С:Полиграфия template (10 formats × 10 papers ×
 * 4 colors × 5 laminations × 50 tiers, `;`, CRLF, `1 234,50` prices; test/integrations/poly1c/fixtures.ts):
 *
 *   import           printsync reading the file (encoding and delimiter detected, every row
 *                    checked and put into the matrix) against csv-parse alone parsing the same
 *                    bytes into arrays, alternating in the same run (median of the rounds; ratio)
 *   upload           the whole upload through the API: multipart, parse, store (median)
 *   quote p50/p99    the poly1c engine pricing random full choices and quantities (the matrix
 *                    cached in the process, as after the first quote); also through the quote
 *                    service (which reads the product and its category) and over HTTP
 *                    (`POST /api/v1/products/{id}/quote`, one at a time)
 *
 * The last line is one JSON object with the figures.
 */
import { parse } from 'csv-parse/sync';
import { poly1c } from '../src/integrations/poly1c/index.js';
import { parseTemplateFile } from '../src/integrations/poly1c/mapping/csv.js';
import { poly1cTemplates } from '../src/integrations/poly1c/panel/index.js';
import { startTestApi } from '../test/support/api-server.js';
import { bigTemplate, COLORS, FORMATS, LAMINATIONS, PAPERS } from '../test/integrations/poly1c/fixtures.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const index = args.indexOf(`--${name}`);
  return index >= 0 && args[index + 1] !== undefined ? args[index + 1]! : fallback;
};
const rounds = Number(option('rounds', '5'));
const quotes = Number(option('quotes', '20000'));
const log = (text: string) => process.stdout.write(`${text}\n`);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;
const gc = () => (globalThis as { gc?: () => void }).gc?.();

const bytes = Buffer.from(bigTemplate(), 'utf8');
log(`template: 100,000 variants, ${(bytes.length / 1024 / 1024).toFixed(1)} MB`);

// Import: printsync's reader and csv-parse alone, alternating.
const ours: number[] = [];
const bare: number[] = [];
for (let r = 0; r < rounds; r++) {
  gc();
  let started = performance.now();
  const records = parse(bytes, { delimiter: ';', quote: '"', relax_column_count: false }) as string[][];
  bare.push(performance.now() - started);
  if (records.length !== 100_001) throw new Error(`csv-parse read ${records.length} records`);
  gc();
  started = performance.now();
  const parsed = parseTemplateFile(bytes, 'листовки.csv');
  ours.push(performance.now() - started);
  if (parsed.matrix.variants !== 100_000) throw new Error(`printsync read ${parsed.matrix.variants} variants`);
  log(`round ${r + 1}: printsync ${ours[r]!.toFixed(0)} ms, csv-parse alone ${bare[r]!.toFixed(0)} ms`);
}

const api = await startTestApi('sqlite', { integrations: [poly1c] });
try {
  const base = '/api/v1/integrations/poly1c';
  const current = await api.request<{ version: number; settings: Record<string, unknown> }>('GET', `${base}/settings`);
  await api.request('PUT', `${base}/settings`, { version: current.body.version, enabled: true, settings: current.body.settings });
  const category = await api.request<{ id: number }>('POST', '/api/v1/categories', { name: 'Листовки', calculatorEngine: 'poly1c', calculatorPrimary: true });
  const product = await api.request<{ id: number }>('POST', '/api/v1/products', {
    name: 'Листовки',
    categoryId: category.body.id,
    tiers: { mode: 'range', min: 1, max: 10_000, step: 1, prices: [{ fromQuantity: 1, unitPrice: 10_00 }] },
  });
  const id = product.body.id;

  const uploads: number[] = [];
  for (let r = 0; r < Math.max(1, Math.min(rounds, 3)); r++) {
    const form = new FormData();
    form.append('file', new Blob([bytes], { type: 'text/csv' }), 'листовки.csv');
    gc();
    const started = performance.now();
    const response = await fetch(`${api.baseUrl}${base}/products/${id}/template-file`, { method: 'POST', body: form, headers: { authorization: `Bearer ${api.token}` } });
    await response.text();
    uploads.push(performance.now() - started);
    if (response.status !== 200) throw new Error(`upload answered ${response.status}`);
  }
  log(`upload through the API: ${uploads.map((ms) => ms.toFixed(0)).join(', ')} ms`);

  let seed = 42;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const choice = () => ({
    quantity: 100 + random(5_000),
    parameters: { Формат: FORMATS[random(FORMATS.length)]!, Бумага: PAPERS[random(PAPERS.length)]!, Красочность: COLORS[random(COLORS.length)]!, Ламинация: LAMINATIONS[random(LAMINATIONS.length)]! },
  });

  // The engine, as the quote service calls it (its own library over the same database).
  const booted = api.services.integrations.find('poly1c')!;
  const { calculator } = poly1cTemplates(booted.context);
  const row = await api.services.stores.products.get(id);
  const firstStarted = performance.now();
  await calculator.quote(row, choice(), 'body');
  const firstQuoteMs = performance.now() - firstStarted;
  for (let i = 0; i < 2_000; i++) await calculator.quote(row, choice(), 'body');
  const engine: number[] = [];
  for (let i = 0; i < quotes; i++) {
    const request = choice();
    const started = performance.now();
    await calculator.quote(row, request, 'body');
    engine.push(performance.now() - started);
  }
  engine.sort((a, b) => a - b);
  log(`engine: p50 ${percentile(engine, 50).toFixed(4)} ms, p99 ${percentile(engine, 99).toFixed(4)} ms (first quote, loading and indexing the matrix: ${firstQuoteMs.toFixed(0)} ms)`);

  const service: number[] = [];
  for (let i = 0; i < Math.min(quotes, 5_000); i++) {
    const request = choice();
    const started = performance.now();
    await api.services.quotes.quote(id, request);
    service.push(performance.now() - started);
  }
  service.sort((a, b) => a - b);
  log(`quote service: p50 ${percentile(service, 50).toFixed(4)} ms, p99 ${percentile(service, 99).toFixed(4)} ms`);

  const http: number[] = [];
  for (let i = 0; i < 2_000; i++) {
    const body = JSON.stringify(choice());
    const started = performance.now();
    const response = await fetch(`${api.baseUrl}/api/v1/products/${id}/quote`, { method: 'POST', body, headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' } });
    await response.text();
    http.push(performance.now() - started);
    if (response.status !== 200) throw new Error(`quote answered ${response.status}`);
  }
  http.sort((a, b) => a - b);
  log(`HTTP quote: p50 ${percentile(http, 50).toFixed(3)} ms, p99 ${percentile(http, 99).toFixed(3)} ms`);

  const figures = {
    bench: 'poly1c',
    variants: 100_000,
    fileMb: round(bytes.length / 1024 / 1024, 1),
    importMs: round(median(ours), 0),
    csvParseAloneMs: round(median(bare), 0),
    importRatio: round(median(ours) / median(bare), 2),
    uploadMs: round(median(uploads), 0),
    firstQuoteMs: round(firstQuoteMs, 0),
    quoteP50Ms: round(percentile(engine, 50), 4),
    quoteP99Ms: round(percentile(engine, 99), 4),
    serviceQuoteP50Ms: round(percentile(service, 50), 4),
    serviceQuoteP99Ms: round(percentile(service, 99), 4),
    httpQuoteP50Ms: round(percentile(http, 50), 3),
    httpQuoteP99Ms: round(percentile(http, 99), 3),
    targetP99Ms: 1,
  };
  log(JSON.stringify(figures));
} finally {
  await api.close();
}
