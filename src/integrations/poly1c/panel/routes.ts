import { z } from 'zod';
import { safeKey } from '../../../domain/keys.js';
import { invalidField } from '../../../domain/errors.js';
import { multipartBody } from '../../../platform/body-parsers.js';
import type { ApiRoutes } from '../../../platform/routes.js';
import { TIER_STRATEGIES } from '../mapping/matrix.js';
import type { Matrix } from '../mapping/matrix.js';
import type { ProductBinding, TemplateLibrary } from '../mapping/templates.js';
import { restrictionRows } from '../mapping/templates.js';

const idParams = z.object({ id: z.coerce.number().int().positive() });
const settingsBody = z.strictObject({
  useTiers: z.boolean().optional().describe('«Брать стоимость шаблона из настроек тиражности продукта»'),
  strategy: z.enum(TIER_STRATEGIES as [string, ...string[]]).optional().describe('a quantity between the tiers of the file: floor (per unit of the tier below, the default), exact (only the tiers), interpolate'),
  restrictions: z
    .record(safeKey(z.string().min(1).max(300)), z.string().max(1000).nullable())
    .optional()
    .describe('«Ограничения по значениям параметров 1С:Полиграфия», the whole table: a preset value by parameter name; null or left out is «Не выбрано»'),
});

/** Template files up to this size are read (a 100,000-variant price list is about 10 MB); `POLY1C_TEMPLATE_MAX_BYTES` changes it. */
export function templateMaxBytes(): number {
  const raw = Number(process.env.POLY1C_TEMPLATE_MAX_BYTES);
  return Number.isFinite(raw) && raw >= 1024 ? raw : 64 * 1024 * 1024;
}

/** What the product card shows: the file read, the tier strategy and switch, the restrictions table with flagged presets. */
export function templateView(binding: ProductBinding, matrix: Matrix | null) {
  return {
    template: binding.template && {
      file: binding.template.file,
      product: binding.template.product,
      variants: binding.template.variants,
      parameters: binding.template.parameters,
      quantityColumn: binding.template.quantityColumn,
      priceColumn: binding.template.priceColumn,
      encoding: binding.template.encoding,
      delimiter: binding.template.delimiter === '\t' ? 'tab' : binding.template.delimiter,
      bytes: binding.template.bytes,
      uploadedAt: binding.template.uploadedAt,
    },
    strategy: binding.strategy,
    useTiers: binding.useTiers,
    restrictions: restrictionRows(binding, matrix),
  };
}

/** The product card's 1C template routes (see platform/panel.ts ProductTemplateFileSection); uploads take multipart, so a shop can script them. */
export function templateRoutes(templates: TemplateLibrary): ApiRoutes {
  return {
    bodies: [multipartBody({ maxFiles: 1 })],
    register(router) {
      router.get('/products/:id/template-file', { schema: { summary: "The product's 1С:Полиграфия template file, its strategy, tier-price switch and restrictions", params: idParams } }, async (request) => {
        const { binding, matrix } = await templates.view(request.params.id);
        return templateView(binding, matrix);
      });

      router.post(
        '/products/:id/template-file',
        {
          config: { requires: 'admin', multipartOptions: { limits: { fileSize: templateMaxBytes() } } },
          schema: {
            summary: '«Загрузить файл шаблона (.csv)»: multipart/form-data with the file in `file`',
            description:
              'UTF-8 (with or without BOM), UTF-16 or Windows-1251; `;`, tab or `,` — detected. A file that cannot be read is a 400 naming its line and the reason, and the product keeps its previous template.',
            params: idParams,
          },
        },
        async (request) => {
          const body = request.body as Record<string, unknown> | null | undefined;
          const file = body?.file;
          if (!Buffer.isBuffer(file)) throw invalidField('body.file', 'прикрепите файл шаблона (.csv) в поле file (multipart/form-data)');
          const fileName = request.uploads?.file?.fileName || 'шаблон.csv';
          const { binding, matrix } = await templates.upload(request.params.id, file, fileName, 'body.file');
          return { ...templateView(binding, matrix), message: `Шаблон «${fileName}» загружен: вариантов ${matrix.variants}` };
        },
      );

      router.delete('/products/:id/template-file', { config: { requires: 'admin' }, schema: { summary: '«Сбросить привязку»: the product has no template file', params: idParams } }, async (request) => {
        const binding = await templates.reset(request.params.id);
        return { ...templateView(binding, null), message: 'Привязка шаблона сброшена' };
      });

      router.put(
        '/products/:id/template-file/settings',
        { config: { requires: 'admin' }, schema: { summary: 'The tier-price switch, the tier strategy and the restrictions of the product', params: idParams, body: settingsBody } },
        async (request) => {
          const { strategy, ...rest } = request.body;
          await templates.configure(request.params.id, { ...rest, ...(strategy !== undefined && { strategy: strategy as ProductBinding['strategy'] }) }, 'body');
          const { binding, matrix } = await templates.view(request.params.id);
          return { ...templateView(binding, matrix), message: 'Настройки шаблона сохранены' };
        },
      );

      router.get(
        '/products/:id/template-file/json',
        {
          schema: {
            summary: '«Покажи внутренний JSON»: the template as printsync read it (`limit` rows of it)',
            params: idParams,
            querystring: z.strictObject({ limit: z.coerce.number().int().min(0).max(100_000).default(100) }),
          },
        },
        async (request) => {
          const { binding, matrix } = await templates.view(request.params.id);
          if (!binding.template || !matrix) return { template: null };
          return { template: { ...matrix.toJson(request.query.limit), encoding: binding.template.encoding, uploadedAt: binding.template.uploadedAt } };
        },
      );
    },
  };
}
