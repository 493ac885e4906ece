import type { IntegrationContext } from '../../../platform/context.js';
import type { PanelExtension } from '../../../platform/panel.js';
import type { ApiRoutes } from '../../../platform/routes.js';
import type { SettingsShape } from '../../../settings/definition.js';
import { Poly1cCalculator } from '../mapping/calculator.js';
import { TemplateLibrary } from '../mapping/templates.js';
import { templateRoutes } from './routes.js';

/** The product card's «Выбор шаблона 1С:Полиграфия» block (screens §6.5; labels as on the screens). */
export const poly1cPanel: PanelExtension = {
  productTemplateFile: {
    title: { ru: 'Выбор шаблона 1С:Полиграфия', en: '1C:Poligrafiya template' },
    uploadLabel: { ru: 'Загрузить файл шаблона (.csv)', en: 'Upload a template file (.csv)' },
    accept: '.csv,text/csv,text/plain',
    useTiersLabel: { ru: 'Брать стоимость шаблона из настроек тиражности продукта', en: "Take the template's price from the product's quantity tiers" },
    restrictionsTitle: { ru: 'Ограничения по значениям параметров 1С:Полиграфия', en: '1C:Poligrafiya parameter restrictions' },
    parameterColumn: { ru: 'Название параметра 1С:Полиграфия', en: '1C:Poligrafiya parameter' },
    presetColumn: { ru: 'Предзаданное значение параметра 1С:Полиграфия', en: 'Preset value' },
    description: {
      ru: 'Формат файла 1С:Полиграфия не опубликован: printsync читает CSV с заголовком — колонка цены («Цена», «Стоимость», «Price» или «Сумма»), необязательная колонка тиража («Тираж», «Количество») и продукции («Продукция», «Изделие»); остальные колонки — параметры. Кодировка (UTF-8 или Windows-1251) и разделитель определяются сами.',
      en: 'The 1C:Poligrafiya file format is not published: printsync reads a CSV with a header — a price column, an optional quantity and product column; every other column is a parameter. Encoding and delimiter are detected.',
    },
  },
};

/**
 * The template half of the integration, as `setup` plugs it in: the products' template files
 * (a library with the parsed matrices cached in the process), the matrix calculator, the product
 * card's routes and block.
 */
export function poly1cTemplates(context: IntegrationContext<SettingsShape>): { calculator: Poly1cCalculator; api: ApiRoutes; panel: PanelExtension } {
  const templates = new TemplateLibrary(context);
  return { calculator: new Poly1cCalculator(context, templates), api: templateRoutes(templates), panel: poly1cPanel };
}
