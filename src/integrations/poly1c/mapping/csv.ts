import { CsvError, parse } from 'csv-parse/sync';
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { MatrixBuilder, type Matrix } from './matrix.js';

/**
 * 1С:Полиграфия template files (P1C-2) on the ASSUMED format of the research note §4.3: a header
 * row, one variant per data row; a price column (`Цена`, `Стоимость`, `Price`, `Сумма`), perhaps a
 * quantity axis (`Тираж`, `Количество`, `Quantity`) and a product column (`Продукция`, `Изделие`,
 * `Вид изделия`); every other column is a parameter. The encoding (UTF-8 with or without BOM,
 * UTF-16 from Excel's «Текст Юникод», else Windows-1251) and the delimiter (`;`, tab or `,`) are
 * detected, never asked. csv-parse reads the fields (quotes, delimiters and line breaks inside
 * quotes, CRLF); each record goes straight into the columnar matrix, no array of rows is kept.
 */

/** A file printsync refuses: where (1-based line of the file; null for the file as a whole) and why, in Russian. */
export class TemplateFileError extends Error {
  constructor(
    readonly line: number | null,
    readonly reason: string,
  ) {
    super(line === null ? reason : `строка ${line}: ${reason}`);
    this.name = 'TemplateFileError';
  }
}

export type TemplateEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'windows-1251';
export type TemplateDelimiter = ';' | ',' | '\t';

export interface ParsedTemplateFile {
  encoding: TemplateEncoding;
  delimiter: TemplateDelimiter;
  matrix: Matrix;
}

const PRICE_NAMES = ['цена', 'стоимость', 'price', 'сумма'];
const QUANTITY_NAMES = ['тираж', 'количество', 'quantity'];
const PRODUCT_NAMES = ['продукция', 'изделие', 'вид изделия'];

/** More variants than this is not a price list but a mistake (or an attack). */
export const MAX_VARIANTS = 2_000_000;
const MAX_COLUMNS = 200;
const MAX_FIELD_CHARS = 1_000;

export function parseTemplateFile(bytes: Buffer, fileName: string): ParsedTemplateFile {
  const { text, encoding } = decode(bytes);
  if (text.trim() === '') throw new TemplateFileError(1, 'файл пуст: нет ни заголовка, ни строк с вариантами');
  const delimiter = detectDelimiter(text);

  const options = {
    delimiter,
    quote: '"',
    escape: '"',
    trim: true,
    skip_empty_lines: true,
    skip_records_with_empty_values: true,
    relax_column_count: false,
    max_record_size: MAX_FIELD_CHARS * MAX_COLUMNS,
  } as const;
  let records: string[][];
  try {
    records = parse(text, options) as string[][];
  } catch (error) {
    if (error instanceof CsvError) throw csvProblem(error, null);
    throw error;
  }
  const header = records[0];
  if (!header) throw new TemplateFileError(1, 'файл пуст: нет ни заголовка, ни строк с вариантами');
  // Records, not lines, are counted while reading (a quoted field may hold line breaks); a problem's line is found afterwards.
  const lineOf = (record: number) => lineOfRecord(text, options, record);
  let layout: Layout;
  try {
    layout = layoutOf(header, 1);
  } catch (error) {
    if (error instanceof TemplateFileError) throw new TemplateFileError(lineOf(0), error.reason);
    throw error;
  }
  const builder = new MatrixBuilder(fileName, layout.parameters.map((p) => p.name), layout.quantity !== null);
  for (let index = 1; index < records.length; index++) {
    try {
      addRow(builder, layout, records[index]!, index);
    } catch (error) {
      if (!(error instanceof TemplateFileError)) throw error;
      // A clash names the earlier record by its index: turn it into its line too.
      const reason = error.reason.replace(/^тот же вариант, что в записи (\d+)/, (_, earlier: string) => `тот же вариант, что в строке ${lineOf(Number(earlier))}`);
      throw new TemplateFileError(lineOf(error.line ?? index), reason);
    }
  }
  if (builder.variants === 0) throw new TemplateFileError(lineOf(0) + 1, 'после заголовка нет ни одной строки с вариантами');
  return { encoding, delimiter, matrix: builder.finish(layout.priceName, layout.quantity?.name ?? null) };
}

/** The line (1-based) where record `target` (0-based, the header is 0) ends, read again with csv-parse's line count. */
function lineOfRecord(text: string, options: Record<string, unknown>, target: number): number {
  let line = 1;
  let index = 0;
  try {
    parse(text, {
      ...options,
      on_record: (_record: string[], context: { lines: number }) => {
        if (index === target) line = context.lines;
        index++;
        return null;
      },
      to_line: undefined,
    });
  } catch {
    // The whole file was read before; nothing new here.
  }
  return line;
}

interface Layout {
  priceIndex: number;
  priceName: string;
  quantity: { index: number; name: string } | null;
  product: number | null;
  parameters: Array<{ index: number; name: string }>;
  /** Columns without a name that must stay empty (a trailing delimiter Excel writes). */
  blank: number[];
}

function layoutOf(header: string[], line: number): Layout {
  if (header.length > MAX_COLUMNS) throw new TemplateFileError(line, `в заголовке ${header.length} колонок, больше ${MAX_COLUMNS}: это не шаблон`);
  const names = header.map((name) => name.replace(/\s+/g, ' ').trim());
  const seen = new Map<string, number>();
  names.forEach((name, index) => {
    if (name === '') return;
    const folded = name.toLowerCase();
    const other = seen.get(folded);
    if (other !== undefined) throw new TemplateFileError(line, `колонка «${name}» в заголовке дважды (колонки ${other + 1} и ${index + 1})`);
    seen.set(folded, index);
  });
  const prices = names.flatMap((name, index) => (matches(name, PRICE_NAMES) ? [index] : []));
  if (prices.length === 0) {
    throw new TemplateFileError(line, `нет колонки цены: в заголовке должна быть колонка «Цена», «Стоимость», «Price» или «Сумма» (найдены: ${names.filter(Boolean).map((n) => `«${n}»`).join(', ') || 'ничего'})`);
  }
  if (prices.length > 1) throw new TemplateFileError(line, `несколько колонок цены: ${prices.map((i) => `«${names[i]}»`).join(', ')}; оставьте одну`);
  const quantities = names.flatMap((name, index) => (matches(name, QUANTITY_NAMES) ? [index] : []));
  if (quantities.length > 1) throw new TemplateFileError(line, `несколько колонок тиража: ${quantities.map((i) => `«${names[i]}»`).join(', ')}; оставьте одну`);
  const products = names.flatMap((name, index) => (matches(name, PRODUCT_NAMES) ? [index] : []));
  const priceIndex = prices[0]!;
  const quantityIndex = quantities[0] ?? null;
  const product = products[0] ?? null;
  const parameters: Layout['parameters'] = [];
  const blank: number[] = [];
  names.forEach((name, index) => {
    if (index === priceIndex || index === quantityIndex || index === product) return;
    if (name === '') blank.push(index);
    else parameters.push({ index, name });
  });
  return {
    priceIndex,
    priceName: names[priceIndex]!,
    quantity: quantityIndex === null ? null : { index: quantityIndex, name: names[quantityIndex]! },
    product,
    parameters,
    blank,
  };
}

/** `Цена`, `цена, руб.`, `Стоимость (руб)`: the name, then nothing or a non-letter. */
function matches(name: string, candidates: readonly string[]): boolean {
  const folded = name.toLowerCase().replace(/ё/g, 'е');
  return candidates.some((c) => folded === c || (folded.startsWith(c) && /^[^\p{L}\p{N}]/u.test(folded.slice(c.length))));
}

function addRow(builder: MatrixBuilder, layout: Layout, record: string[], line: number): void {
  if (builder.variants >= MAX_VARIANTS) throw new TemplateFileError(line, `больше ${MAX_VARIANTS} вариантов: это не шаблон`);
  for (const index of layout.blank) {
    if (record[index] !== '') throw new TemplateFileError(line, `значение «${clip(record[index]!)}» в колонке ${index + 1}, у которой нет названия в заголовке`);
  }
  const rawPrice = record[layout.priceIndex]!;
  if (rawPrice === '') throw new TemplateFileError(line, `нет цены в колонке «${layout.priceName}»`);
  const price = parseNumber(rawPrice);
  if (price === null) throw new TemplateFileError(line, `цена «${clip(rawPrice)}» в колонке «${layout.priceName}» не число`);
  if (price < 0) throw new TemplateFileError(line, `цена ${rawPrice} в колонке «${layout.priceName}» меньше нуля`);
  let quantity = 0;
  if (layout.quantity) {
    const rawQuantity = record[layout.quantity.index]!;
    const parsed = parseNumber(rawQuantity);
    if (parsed === null || !Number.isSafeInteger(parsed) || parsed < 1) {
      throw new TemplateFileError(line, `тираж «${clip(rawQuantity)}» в колонке «${layout.quantity.name}» не целое положительное число`);
    }
    quantity = parsed;
  }
  const values = layout.parameters.map((p) => {
    const value = record[p.index]!;
    if (value.length > MAX_FIELD_CHARS) throw new TemplateFileError(line, `значение в колонке «${p.name}» длиннее ${MAX_FIELD_CHARS} символов`);
    return value;
  });
  if (layout.product !== null) builder.noteProduct(record[layout.product]!);
  const clash = builder.add(values, quantity, price, line);
  if (clash !== null) throw new TemplateFileError(line, `тот же вариант, что в записи ${clash}, но с другой ценой`);
}

/**
 * A number as 1C and Excel write it in Russia: `1 234,50`, `1234.5`, `1 234 567` (spaces or
 * non-breaking spaces between thousands), `1,234.50`; a currency word after it is allowed
 * (`590 руб.`, `590 ₽`). Null when it is not a number.
 */
export function parseNumber(raw: string): number | null {
  const fast = plainNumber(raw);
  if (fast !== null) return fast;
  let text = raw.replace(/[\s\u00a0\u202f']/g, '');
  text = text.replace(/(₽|руб\.?|р\.?|rub)$/i, '');
  if (text === '') return null;
  const comma = text.lastIndexOf(',');
  const dot = text.lastIndexOf('.');
  if (comma >= 0 && dot >= 0) {
    // The later one is the decimal separator, the other groups thousands.
    text = comma > dot ? text.replace(/\./g, '').replace(',', '.') : text.replace(/,/g, '');
  } else if (comma >= 0) {
    if (text.indexOf(',') !== comma) return null;
    text = text.replace(',', '.');
  }
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text)) return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

/**
 * The usual cell read without regular expressions: digits, spaces or non-breaking spaces between
 * them, one decimal comma or point. Null for anything else (the general reader decides).
 */
function plainNumber(text: string): number | null {
  let whole = 0;
  let fraction = 0;
  let scale = 1;
  let digits = 0;
  let decimal = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      digits++;
      if (decimal) {
        scale *= 10;
        fraction = fraction * 10 + (c - 48);
      } else whole = whole * 10 + (c - 48);
    } else if ((c === 32 || c === 0xa0 || c === 0x202f) && !decimal && digits > 0) {
      continue;
    } else if ((c === 44 || c === 46) && !decimal && digits > 0) {
      decimal = true;
    } else return null;
  }
  if (digits === 0 || digits > 15 || (decimal && scale === 1)) return null;
  return decimal ? Number(`${whole}.${String(fraction).padStart(Math.log10(scale), '0')}`) : whole;
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** UTF-8 with or without BOM, UTF-16 with a BOM, else Windows-1251; bytes no text file has are refused with their line. */
function decode(bytes: Buffer): { text: string; encoding: TemplateEncoding } {
  if (bytes.length === 0) throw new TemplateFileError(1, 'файл пуст');
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: checked(iconv.decode(bytes.subarray(2), 'utf-16le')), encoding: 'utf-16le' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: checked(iconv.decode(bytes.subarray(2), 'utf-16be')), encoding: 'utf-16be' };
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const body = bom ? bytes.subarray(3) : bytes;
  assertText(body);
  if (isUtf8(body)) return { text: body.toString('utf8'), encoding: bom ? 'utf-8-bom' : 'utf-8' };
  if (bom) throw new TemplateFileError(lineOfUtf8Error(body), 'файл помечен как UTF-8, но в этой строке байты не UTF-8');
  return { text: iconv.decode(body, 'win1251'), encoding: 'windows-1251' };
}

/** Control bytes other than tab, CR and LF: a binary file (a spreadsheet saved as .xlsx, an image, garbage). */
function assertText(bytes: Buffer): void {
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) {
      throw new TemplateFileError(lineAt(bytes, i), `двоичные данные (байт 0x${byte.toString(16).padStart(2, '0')}): это не текстовый CSV; сохраните шаблон как «CSV (разделители — точка с запятой)»`);
    }
  }
}

function checked(text: string): string {
  const match = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffd]/.exec(text);
  if (match) {
    const line = text.slice(0, match.index).split('\n').length;
    throw new TemplateFileError(line, 'двоичные данные или неверная кодировка UTF-16: это не текстовый CSV');
  }
  return text;
}

function lineAt(bytes: Buffer, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

function lineOfUtf8Error(bytes: Buffer): number {
  // Find the first line that does not decode.
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let start = 0;
  let line = 1;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    try {
      decoder.decode(bytes.subarray(start, end));
    } catch {
      return line;
    }
    start = end + 1;
    line++;
  }
  return line;
}

/** The delimiter the header uses (outside quotes): the most frequent of `;`, tab and `,`; ties go in that order. */
function detectDelimiter(text: string): TemplateDelimiter {
  const counts = { ';': 0, '\t': 0, ',': 0 };
  let quoted = false;
  for (let i = 0; i < text.length && i < 64 * 1024; i++) {
    const ch = text[i]!;
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === '\n' || ch === '\r')) {
      if (counts[';'] + counts['\t'] + counts[','] > 0) break;
    } else if (!quoted && (ch === ';' || ch === '\t' || ch === ',')) counts[ch]++;
  }
  let best: TemplateDelimiter = ';';
  for (const candidate of [';', '\t', ','] as const) if (counts[candidate] > counts[best]) best = candidate;
  return best;
}

function csvProblem(error: CsvError, header: string[] | null): TemplateFileError {
  const line = typeof (error as { lines?: unknown }).lines === 'number' ? (error as unknown as { lines: number }).lines : null;
  switch (error.code) {
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH': {
      const record = (error as unknown as { record?: unknown[] }).record;
      const got = Array.isArray(record) ? record.length : '?';
      const expected = header?.length ?? /expect (\d+)/.exec(error.message)?.[1] ?? '?';
      return new TemplateFileError(line, `в строке ${got} ${fields(Number(got))}, а в заголовке ${expected}: строки разной длины`);
    }
    case 'CSV_QUOTE_NOT_CLOSED':
      return new TemplateFileError(line, 'кавычка открыта и не закрыта до конца файла');
    case 'CSV_INVALID_CLOSING_QUOTE':
      return new TemplateFileError(line, 'после закрывающей кавычки не разделитель: поле в кавычках должно быть целиком в кавычках');
    case 'CSV_MAX_RECORD_SIZE':
      return new TemplateFileError(line, 'слишком длинная строка: это не шаблон');
    default:
      return new TemplateFileError(line, `не читается как CSV (${error.message})`);
  }
}

function fields(n: number): string {
  const tens = n % 100;
  const ones = n % 10;
  if (tens >= 11 && tens <= 14) return 'полей';
  if (ones === 1) return 'поле';
  if (ones >= 2 && ones <= 4) return 'поля';
  return 'полей';
}


