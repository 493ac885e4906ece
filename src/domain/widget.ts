import { z } from 'zod';

/**
 * The storefront calculator widget (CALC-2): what a category lets it show, and the sites allowed
 * to embed it. No I/O here.
 */

/** The seven options of the category's «Калькулятор» tab, in the seed's order. */
export const WIDGET_TOGGLES = ['continueCaption', 'addToCart', 'fileUpload', 'unitPrice', 'stylesOnPages', 'stylesInEditor', 'grouping'] as const;
export type WidgetToggle = (typeof WIDGET_TOGGLES)[number];

/** The seed platform's labels, verbatim. */
export const WIDGET_TOGGLE_LABELS: Record<WidgetToggle, string> = {
  continueCaption: 'Использовать опциональную подпись у кнопки продолжения заказа',
  addToCart: 'Отображать кнопку добавления в корзину',
  fileUpload: 'Отображать блок загрузки файлов в калькуляторе',
  unitPrice: 'Отображать стоимость за единицу товара',
  stylesOnPages: 'Загружать с калькулятором кастомный файл стилей на страницах',
  stylesInEditor: 'Загружать с калькулятором кастомный файл стилей в редакторе',
  grouping: 'Использовать группировку товаров в калькуляторе',
};

/** Largest custom stylesheet a category may carry (it is sent with every widget start). */
export const MAX_WIDGET_CSS = 20_000;

export const widgetOptionsSchema = z.strictObject({
  continueCaption: z.boolean().describe(WIDGET_TOGGLE_LABELS.continueCaption),
  /** The caption used when `continueCaption` is on (else «Продолжить»). */
  continueCaptionText: z.string().trim().max(60).nullable().describe('the continue button\'s caption when continueCaption is on'),
  addToCart: z.boolean().describe(WIDGET_TOGGLE_LABELS.addToCart),
  fileUpload: z.boolean().describe(WIDGET_TOGGLE_LABELS.fileUpload),
  unitPrice: z.boolean().describe(WIDGET_TOGGLE_LABELS.unitPrice),
  stylesOnPages: z.boolean().describe(WIDGET_TOGGLE_LABELS.stylesOnPages),
  stylesInEditor: z.boolean().describe(WIDGET_TOGGLE_LABELS.stylesInEditor),
  /** The custom stylesheet (CSS text) loaded into the widget where the two toggles above say. */
  customCss: z
    .string()
    .max(MAX_WIDGET_CSS, `at most ${MAX_WIDGET_CSS} characters`)
    .refine((css) => !/<\/?style/i.test(css), 'plain CSS, without <style> tags')
    .nullable()
    .describe('CSS applied inside the widget (its shadow root) when stylesOnPages / stylesInEditor is on'),
  grouping: z.boolean().describe(WIDGET_TOGGLE_LABELS.grouping),
});
export type WidgetOptions = z.output<typeof widgetOptionsSchema>;

export const DEFAULT_WIDGET_OPTIONS: WidgetOptions = {
  continueCaption: false,
  continueCaptionText: null,
  addToCart: false,
  fileUpload: false,
  unitPrice: false,
  stylesOnPages: false,
  stylesInEditor: false,
  customCss: null,
  grouping: false,
};

/** A category's stored options over the defaults (options added later default off). */
export function widgetOptionsOf(stored: Partial<WidgetOptions> | null): WidgetOptions {
  return { ...DEFAULT_WIDGET_OPTIONS, ...(stored ?? {}) };
}

/** `https://shop.example` or `http://127.0.0.1:8081`: scheme, host, port; no path. */
export const originSchema = z
  .string()
  .trim()
  .max(255)
  .transform((text, ctx) => {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be an origin such as https://shop.example' });
      return z.NEVER;
    }
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password || (url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
      ctx.addIssue({ code: 'custom', message: 'must be an origin such as https://shop.example: http(s), host and port, no path' });
      return z.NEVER;
    }
    return url.origin;
  });

export const widgetSiteCreateSchema = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(255),
  origins: z.array(originSchema).min(1, 'name at least one origin').max(50).describe('origins allowed to call the public quote API'),
});
export type WidgetSiteCreateInput = z.output<typeof widgetSiteCreateSchema>;

export const widgetSiteUpdateSchema = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(255).optional(),
  origins: z.array(originSchema).min(1, 'name at least one origin').max(50).optional(),
});
export type WidgetSiteUpdateInput = z.output<typeof widgetSiteUpdateSchema>;

export interface WidgetSite {
  id: number;
  name: string;
  /** Public key: the snippet's `data-key`. */
  key: string;
  origins: string[];
  createdAt: string;
  updatedAt: string;
}

/** Quote ids: `q_` and 24 base32 characters; anything else is refused before a lookup. */
export const quoteIdSchema = z.string().regex(/^q_[a-z2-7]{24}$/, 'is not a quote id (q_…)');

/** The shopper's messages (Russian first: they reach the storefront as they are). */
export const SHOPPER_MESSAGES = {
  unavailableOption: 'Этот вариант недоступен',
  unavailableCalculator: 'Калькулятор временно недоступен',
  unknownProduct: 'Товар не найден',
  unknownQuote: 'Расчёт не найден или устарел, рассчитайте стоимость заново',
  badRequest: 'Запрос не понят',
  tooLarge: 'Слишком большой файл или запрос',
  tooMany: 'Слишком много запросов, попробуйте через минуту',
  badKey: 'Калькулятор не подключён для этого сайта',
  badOrigin: 'Калькулятор не разрешён на этом сайте',
  tooManyFiles: 'Больше файлов к этому расчёту приложить нельзя',
} as const;
