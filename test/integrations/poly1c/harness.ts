import { poly1c } from '../../../src/integrations/poly1c/index.js';
import { startTestApi } from '../../support/api-server.js';
import type { ApiResponse, TestApi } from '../../support/api-server.js';
import type { TestDialect } from '../../support/databases.js';

// NOTE: reconstructed from templates.test.ts's use of it, after the original (uncommitted) file
// was overwritten by mistake by the session building the exchange; check it against what you meant.

export const BASE = '/api/v1/integrations/poly1c';

export interface ErrorBody {
  code: string;
  message: string;
  details: Array<{ path: string; message: string }>;
}

export interface TemplateView {
  template: {
    file: string;
    product: string | null;
    variants: number;
    parameters: string[];
    quantityColumn: string | null;
    priceColumn: string;
    encoding: string;
    delimiter: string;
    bytes: number;
    uploadedAt: string;
  } | null;
  strategy: string;
  useTiers: boolean;
  restrictions: Array<Record<string, unknown>>;
  message?: string;
}

export interface Poly1cHarness {
  api: TestApi;
  /** A product in a category whose primary calculator is 1С:Полиграфия; tiers 12 ₽ from 1, 10 ₽ from 100 (1…10,000). */
  product(): Promise<number>;
  /** «Загрузить файл шаблона (.csv)» as multipart/form-data with the file in `file`. */
  upload(productId: number, file: Buffer | string, fileName?: string): Promise<ApiResponse<TemplateView & ErrorBody>>;
  view(productId: number): Promise<TemplateView>;
  configure(productId: number, settings: Record<string, unknown>): Promise<ApiResponse<TemplateView & ErrorBody>>;
  close(): Promise<void>;
}

/** A real printsync with 1С:Полиграфия switched on. */
export async function startPoly1c(options: { dialect?: TestDialect } = {}): Promise<Poly1cHarness> {
  const api = await startTestApi(options.dialect ?? 'sqlite', { integrations: [poly1c] });
  const saved = await api.request('PUT', `${BASE}/settings`, { version: 0, enabled: true, settings: {} });
  if (saved.status !== 200) throw new Error(`poly1c settings: ${saved.status} ${JSON.stringify(saved.body)}`);
  let categories = 0;
  return {
    api,
    async product() {
      const category = await api.request<{ id: number }>('POST', '/api/v1/categories', { name: `Категория 1С ${++categories}`, calculatorEngine: 'poly1c', calculatorPrimary: true });
      if (category.status !== 201) throw new Error(`category: ${category.status} ${JSON.stringify(category.body)}`);
      const product = await api.request<{ id: number }>('POST', '/api/v1/products', {
        name: `Товар 1С ${categories}`,
        categoryId: category.body.id,
        tiers: { mode: 'range', min: 1, max: 10_000, step: 1, prices: [{ fromQuantity: 1, unitPrice: 12_00 }, { fromQuantity: 100, unitPrice: 10_00 }] },
      });
      if (product.status !== 201) throw new Error(`product: ${product.status} ${JSON.stringify(product.body)}`);
      return product.body.id;
    },
    async upload(productId, file, fileName = 'шаблон.csv') {
      const form = new FormData();
      const bytes = typeof file === 'string' ? Buffer.from(file, 'utf8') : file;
      form.append('file', new Blob([new Uint8Array(bytes)], { type: 'text/csv' }), fileName);
      const response = await fetch(`${api.baseUrl}${BASE}/products/${productId}/template-file`, { method: 'POST', headers: { authorization: `Bearer ${api.token}` }, body: form });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON
      }
      return { status: response.status, headers: response.headers, body: body as TemplateView & ErrorBody };
    },
    async view(productId) {
      const response = await api.request<TemplateView>('GET', `${BASE}/products/${productId}/template-file`);
      if (response.status !== 200) throw new Error(`view: ${response.status} ${JSON.stringify(response.body)}`);
      return response.body;
    },
    configure: (productId, settings) => api.request<TemplateView & ErrorBody>('PUT', `${BASE}/products/${productId}/template-file/settings`, settings),
    close: () => api.close(),
  };
}
