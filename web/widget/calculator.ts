/**
 * The storefront calculator widget (CALC-2): one `<script>` tag and a container on any shop page.
 *
 *   <div id="printsync-calc"></div>
 *   <script src="https://printsync.example/widget/calculator.js" async
 *     data-key="pk_…" data-category="12" data-product="34" data-container="printsync-calc"
 *     data-on-continue="onCalcContinue" data-on-add-to-cart="onCalcCart"></script>
 *
 * It renders the product's parameters as its calculator offers them, the quantity and the price
 * as options change, with the category's options (continue caption, add to cart, file upload,
 * unit price, custom styles on pages / in the editor, product grouping). Continue and add to cart
 * price the choice once more and keep it (a quote id), upload the shopper's files to it, then
 * dispatch `printsync:continue` / `printsync:add-to-cart` on the container (detail: quoteId,
 * quote, files) and call the named callback with (quoteId, detail).
 *
 * Plain DOM, no framework; everything lives in a shadow root, so the shop's CSS and ours do
 * not meet. Russian first (`data-lang="en"` for English).
 */

type Value = string | number | boolean;

interface Option {
  value: string;
  label: string;
}

interface Parameter {
  key: string;
  label: string;
  group: string;
  type: 'number' | 'integer' | 'string' | 'text' | 'select' | 'boolean' | 'date';
  required: boolean;
  options?: Option[];
  default?: Value;
  min?: number;
  max?: number;
  step?: number;
  unit?: string;
}

interface Form {
  productId: number;
  name: string;
  currency: string;
  parameters: Parameter[];
  quantity: { min?: number; max?: number; step?: number; presets?: number[] };
}

interface WidgetOptions {
  continueCaption: boolean;
  continueCaptionText: string | null;
  addToCart: boolean;
  fileUpload: boolean;
  unitPrice: boolean;
  stylesOnPages: boolean;
  stylesInEditor: boolean;
  customCss: string | null;
  grouping: boolean;
}

interface CategoryInfo {
  id: number;
  name: string;
  options: WidgetOptions;
  products: Array<{ id: number; name: string }>;
}

export interface Quote {
  productId: number;
  quantity: number;
  total: number;
  unitPrice: number;
  currency: string;
  parameters: Record<string, Value>;
  breakdown: Array<{ name: string; amount: number }>;
  quoteId?: string;
}

export interface WidgetEventDetail {
  quoteId: string;
  quote: Quote;
  files: Array<{ id: string; name: string; size: number }>;
}

type Callback = (quoteId: string, detail: WidgetEventDetail) => void;

export interface MountOptions {
  key: string;
  category: number;
  /** The product chosen at start (the seed's materialId); else the category's first. */
  product?: number | undefined;
  /** printsync's address; by default where this script came from. */
  apiBase?: string | undefined;
  /** `page` (a site page) or `editor`: which custom-styles option applies. */
  context?: 'page' | 'editor' | undefined;
  lang?: 'ru' | 'en' | undefined;
  onContinue?: Callback | undefined;
  onAddToCart?: Callback | undefined;
  /** Called once the calculator is drawn (the seed's afterLoad). */
  afterLoad?: ((widget: CalculatorWidget) => void) | undefined;
}

const TEXT = {
  ru: {
    product: 'Товар',
    quantity: 'Тираж',
    total: 'Стоимость',
    unit: 'За единицу',
    continue: 'Продолжить',
    continueCaption: 'Оформить заказ',
    cart: 'В корзину',
    files: 'Файлы макета',
    pricing: 'Считаем…',
    loading: 'Загрузка калькулятора…',
    unavailable: 'Калькулятор временно недоступен',
    yes: 'Да',
    done: 'Готово',
  },
  en: {
    product: 'Product',
    quantity: 'Quantity',
    total: 'Price',
    unit: 'Per unit',
    continue: 'Continue',
    continueCaption: 'Place order',
    cart: 'Add to cart',
    files: 'Artwork files',
    pricing: 'Pricing…',
    loading: 'Loading the calculator…',
    unavailable: 'The calculator is temporarily unavailable',
    yes: 'Yes',
    done: 'Done',
  },
};

const BASE_CSS = `
:host{all:initial;display:block;font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328}
*{box-sizing:border-box}
.calc{display:grid;gap:12px;padding:16px;border:1px solid #d0d7de;border-radius:8px;background:#fff;max-width:520px}
h3{margin:0;font-size:17px}
fieldset{border:0;margin:0;padding:0;display:grid;gap:10px}
legend{font-weight:600;font-size:13px;color:#57606a;padding:0;margin-bottom:4px}
.row{display:grid;gap:4px}
label{font-size:13px;color:#57606a}
select,input[type=number],input[type=text],input[type=date]{font:inherit;padding:6px 8px;border:1px solid #8c959f;border-radius:6px;background:#fff;color:inherit;width:100%}
:focus-visible{outline:2px solid #0969da;outline-offset:2px}
.price{display:flex;gap:16px;align-items:baseline;flex-wrap:wrap}
.total{font-size:22px;font-weight:700}
.unit{color:#57606a}
.error{color:#cf222e;font-weight:600}
.error:empty{display:none}
.actions{display:flex;gap:8px;flex-wrap:wrap}
button{font:inherit;padding:8px 16px;border-radius:6px;border:1px solid #1f6feb;background:#1f6feb;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#1f6feb}
button:disabled{opacity:.5;cursor:default}
.files ul{margin:4px 0 0;padding-left:18px;font-size:13px}
.status{font-size:13px;color:#1a7f37}
input[type=checkbox]{justify-self:start;width:18px;height:18px;margin:0}
.status:empty{display:none}
`;

let uid = 0;

export class CalculatorWidget {
  readonly root: ShadowRoot;
  readonly #host: HTMLElement;
  readonly #options: MountOptions;
  readonly #api: string;
  readonly #t: (typeof TEXT)['ru'];
  #category: CategoryInfo | null = null;
  #form: Form | null = null;
  #productId = 0;
  #values: Record<string, Value> = {};
  #quantity = 0;
  #quote: Quote | null = null;
  #seq = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #files: File[] = [];
  #el: Record<string, HTMLElement> = {};
  readonly #id = `psc${++uid}`;

  constructor(host: HTMLElement, options: MountOptions) {
    this.#host = host;
    this.#options = options;
    this.#api = `${(options.apiBase ?? '').replace(/\/$/, '')}/api/v1/widget`;
    this.#t = TEXT[options.lang ?? 'ru'];
    this.root = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
    this.root.innerHTML = '';
    this.root.append(h('style', {}, BASE_CSS));
    const box = h('div', { class: 'calc', part: 'calculator', 'aria-busy': 'true' }, h('div', { class: 'status', role: 'status' }, this.#t.loading));
    this.root.append(box);
    this.#el.box = box;
  }

  /** The price now shown (null until priced or when the choice cannot be priced). */
  get quote(): Quote | null {
    return this.#quote;
  }

  async start(): Promise<void> {
    try {
      this.#category = await this.#get<CategoryInfo>(`/categories/${this.#options.category}`);
      const first = this.#options.product ?? this.#category.products[0]?.id;
      if (!first) throw new WidgetError(this.#t.unavailable);
      await this.#load(first);
      this.#options.afterLoad?.(this);
    } catch (error) {
      this.#el.box!.setAttribute('aria-busy', 'false');
      this.#el.box!.replaceChildren(h('div', { class: 'error', role: 'alert', part: 'error' }, messageOf(error, this.#t.unavailable)));
    }
  }

  async #load(productId: number): Promise<void> {
    this.#productId = productId;
    this.#form = await this.#get<Form>(`/products/${productId}/calculator`);
    this.#values = {};
    for (const p of this.#form.parameters) if (p.default !== undefined) this.#values[p.key] = p.default;
    const q = this.#form.quantity;
    this.#quantity = q.presets?.[0] ?? q.min ?? 1;
    this.#render();
    this.#reprice(0);
  }

  #render(): void {
    const form = this.#form!;
    const options = this.#category!.options;
    const t = this.#t;
    const id = (name: string) => `${this.#id}-${name}`;
    const box = this.#el.box!;
    box.replaceChildren();
    box.setAttribute('aria-busy', 'false');

    const customCss = options.customCss && (this.#options.context === 'editor' ? options.stylesInEditor : options.stylesOnPages) ? options.customCss : null;
    this.root.querySelector('style[data-custom]')?.remove();
    if (customCss) this.root.append(h('style', { 'data-custom': '' }, customCss));

    box.append(h('h3', { part: 'title' }, form.name));

    if (options.grouping && this.#category!.products.length > 1) {
      const select = h('select', { id: id('product'), 'data-role': 'product' }, ...this.#category!.products.map((p) => h('option', { value: String(p.id), ...(p.id === this.#productId && { selected: '' }) }, p.name))) as HTMLSelectElement;
      select.addEventListener('change', () => void this.#load(Number(select.value)).catch((e: unknown) => this.#showError(e)));
      box.append(h('div', { class: 'row grouping' }, h('label', { for: id('product') }, t.product), select));
    }

    const groups = new Map<string, Parameter[]>();
    for (const p of form.parameters) groups.set(p.group, [...(groups.get(p.group) ?? []), p]);
    for (const [group, parameters] of groups) {
      const set = h('fieldset', {}, ...(groups.size > 1 ? [h('legend', {}, group)] : []));
      for (const p of parameters) set.append(this.#control(p, id(`p${form.parameters.indexOf(p)}`)));
      box.append(set);
    }

    box.append(this.#quantityControl(id('quantity')));

    const total = h('output', { class: 'total', part: 'total', 'aria-live': 'polite', 'data-role': 'total' });
    const unit = h('span', { class: 'unit', 'data-role': 'unit-price' });
    box.append(h('div', { class: 'price' }, h('span', {}, `${t.total}: `), total, ...(options.unitPrice ? [unit] : [])));
    this.#el.total = total;
    this.#el.unit = unit;
    const error = h('div', { class: 'error', role: 'alert', part: 'error', 'data-role': 'error' });
    this.#el.error = error;
    box.append(error);

    if (options.fileUpload) {
      const input = h('input', { type: 'file', multiple: '', id: id('files'), 'data-role': 'files' }) as HTMLInputElement;
      const list = h('ul');
      input.addEventListener('change', () => {
        this.#files = [...(input.files ?? [])];
        list.replaceChildren(...this.#files.map((f) => h('li', {}, f.name)));
      });
      box.append(h('div', { class: 'row files' }, h('label', { for: id('files') }, t.files), input, list));
    }

    const caption = options.continueCaption ? options.continueCaptionText || t.continueCaption : t.continue;
    const next = h('button', { type: 'button', part: 'continue', 'data-role': 'continue' }, caption) as HTMLButtonElement;
    next.addEventListener('click', () => void this.#hand('continue'));
    const actions = h('div', { class: 'actions' }, next);
    if (options.addToCart) {
      const cart = h('button', { type: 'button', class: 'secondary', part: 'add-to-cart', 'data-role': 'add-to-cart' }, t.cart) as HTMLButtonElement;
      cart.addEventListener('click', () => void this.#hand('add-to-cart'));
      actions.append(cart);
    }
    const status = h('div', { class: 'status', role: 'status', 'data-role': 'status' });
    this.#el.status = status;
    box.append(actions, status);
  }

  #control(p: Parameter, id: string): HTMLElement {
    const label = h('label', { for: id }, p.unit ? `${p.label}, ${p.unit}` : p.label);
    let control: HTMLInputElement | HTMLSelectElement;
    const current = this.#values[p.key];
    if (p.type === 'select' && p.options) {
      control = h('select', { id }, ...p.options.map((o) => h('option', { value: o.value, ...(String(current) === o.value && { selected: '' }) }, o.label))) as HTMLSelectElement;
      if (current === undefined && p.options[0]) this.#values[p.key] = p.options[0].value;
    } else if (p.type === 'boolean') {
      control = h('input', { type: 'checkbox', id, ...(current === true && { checked: '' }) }) as HTMLInputElement;
    } else {
      const numeric = p.type === 'number' || p.type === 'integer';
      control = h('input', {
        id,
        type: numeric ? 'number' : p.type === 'date' ? 'date' : 'text',
        ...(current !== undefined && { value: String(current) }),
        ...(p.min !== undefined && { min: String(p.min) }),
        ...(p.max !== undefined && { max: String(p.max) }),
        ...(numeric && { step: String(p.step ?? (p.type === 'integer' ? 1 : 'any')) }),
      }) as HTMLInputElement;
    }
    control.setAttribute('data-parameter', p.key);
    if (p.required) control.setAttribute('aria-required', 'true');
    control.addEventListener('change', () => {
      const input = control as HTMLInputElement;
      const value: Value = p.type === 'boolean' ? input.checked : p.type === 'number' || p.type === 'integer' ? Number(input.value) : input.value;
      if (p.type !== 'boolean' && input.value === '') delete this.#values[p.key];
      else this.#values[p.key] = value;
      void this.#narrow(p.key);
    });
    return h('div', { class: 'row' }, label, control);
  }

  #quantityControl(id: string): HTMLElement {
    const q = this.#form!.quantity;
    let control: HTMLInputElement | HTMLSelectElement;
    if (q.min === undefined && q.presets?.length) {
      control = h('select', { id }, ...q.presets.map((n) => h('option', { value: String(n), ...(n === this.#quantity && { selected: '' }) }, n.toLocaleString('ru-RU')))) as HTMLSelectElement;
    } else {
      control = h('input', {
        id,
        type: 'number',
        inputmode: 'numeric',
        value: String(this.#quantity),
        ...(q.min !== undefined && { min: String(q.min) }),
        ...(q.max !== undefined && { max: String(q.max) }),
        step: String(q.step ?? 1),
      }) as HTMLInputElement;
      if (q.presets?.length) {
        control.setAttribute('list', `${id}-presets`);
        this.root.append(h('datalist', { id: `${id}-presets` }, ...q.presets.map((n) => h('option', { value: String(n) }))));
      }
    }
    control.setAttribute('data-role', 'quantity');
    control.addEventListener('change', () => {
      this.#quantity = Number(control.value);
      this.#reprice();
    });
    control.addEventListener('input', () => {
      this.#quantity = Number(control.value);
      this.#reprice(400);
    });
    return h('div', { class: 'row' }, h('label', { for: id }, this.#t.quantity), control);
  }

  /**
   * After a choice: asks the form again with the values chosen so far. An engine whose options
   * depend on each other (a price matrix) may offer fewer now; the controls are redrawn only then,
   * keeping the focus where it was. Then prices.
   */
  async #narrow(changedKey: string): Promise<void> {
    const seq = this.#seq;
    try {
      const form = await this.#get<Form>(`/products/${this.#productId}/calculator`, `&parameters=${encodeURIComponent(JSON.stringify(this.#values))}`);
      const current = this.#form!;
      if (seq === this.#seq && JSON.stringify([form.parameters, form.quantity]) !== JSON.stringify([current.parameters, current.quantity])) {
        this.#form = form;
        const values: Record<string, Value> = {};
        for (const p of form.parameters) {
          const chosen = this.#values[p.key];
          const offered = chosen !== undefined && (!p.options || p.options.some((o) => o.value === String(chosen)));
          if (offered) values[p.key] = chosen;
          else if (p.default !== undefined) values[p.key] = p.default;
        }
        this.#values = values;
        this.#render();
        (this.root.querySelector(`[data-parameter="${CSS.escape(changedKey)}"]`) as HTMLElement | null)?.focus();
      }
    } catch {
      // The price request says what is wrong.
    }
    this.#reprice();
  }

  #choice(): { quantity: number; parameters: Record<string, Value> } {
    return { quantity: this.#quantity, parameters: { ...this.#values } };
  }

  /** Prices the current choice after `delayMs`; an answer to an older choice is dropped. */
  #reprice(delayMs = 120): void {
    clearTimeout(this.#timer);
    const seq = ++this.#seq;
    this.#quote = null;
    this.#el.total!.textContent = this.#t.pricing;
    this.#el.unit!.textContent = '';
    this.#el.error!.textContent = '';
    this.#timer = setTimeout(() => {
      this.#post<Quote>(`/products/${this.#productId}/quote`, this.#choice())
        .then((quote) => {
          if (seq !== this.#seq) return;
          this.#quote = quote;
          this.#el.total!.textContent = money(quote.total, quote.currency);
          this.#el.unit!.textContent = `${this.#t.unit}: ${money(quote.unitPrice, quote.currency)}`;
          this.#host.dispatchEvent(new CustomEvent('printsync:price', { detail: quote, bubbles: true, composed: true }));
        })
        .catch((error: unknown) => {
          if (seq === this.#seq) this.#showError(error);
        });
    }, delayMs);
  }

  #showError(error: unknown): void {
    this.#quote = null;
    if (this.#el.total) this.#el.total.textContent = '—';
    if (this.#el.unit) this.#el.unit.textContent = '';
    if (this.#el.error) this.#el.error.textContent = messageOf(error, this.#t.unavailable);
  }

  /** Continue / add to cart: keep the choice as a quote, attach the files, hand the quote id to the page. */
  async #hand(kind: 'continue' | 'add-to-cart'): Promise<void> {
    const buttons = [...this.root.querySelectorAll('button')];
    buttons.forEach((b) => (b.disabled = true));
    this.#el.status!.textContent = '';
    try {
      const quote = await this.#post<Quote & { quoteId: string }>(`/products/${this.#productId}/quotes`, this.#choice());
      const files: WidgetEventDetail['files'] = [];
      for (const file of this.#files) {
        const query = `&name=${encodeURIComponent(file.name)}${file.type ? `&type=${encodeURIComponent(file.type)}` : ''}`;
        files.push(await this.#send(`/quotes/${quote.quoteId}/files`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: file }, query));
      }
      const detail: WidgetEventDetail = { quoteId: quote.quoteId, quote, files };
      this.#host.dispatchEvent(new CustomEvent(`printsync:${kind}`, { detail, bubbles: true, composed: true }));
      (kind === 'continue' ? this.#options.onContinue : this.#options.onAddToCart)?.(quote.quoteId, detail);
      this.#el.status!.textContent = this.#t.done;
    } catch (error) {
      this.#showError(error);
    } finally {
      buttons.forEach((b) => (b.disabled = false));
    }
  }

  #get<T>(path: string, query = ''): Promise<T> {
    return this.#send<T>(path, { method: 'GET' }, query);
  }

  #post<T>(path: string, body: unknown): Promise<T> {
    return this.#send<T>(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  }

  async #send<T>(path: string, init: RequestInit, query = ''): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.#api}${path}?key=${encodeURIComponent(this.#options.key)}${query}`, { ...init, credentials: 'omit', mode: 'cors' });
    } catch {
      throw new WidgetError(this.#t.unavailable);
    }
    const body = (await response.json().catch(() => null)) as (T & { message?: string }) | null;
    if (!response.ok) throw new WidgetError(body?.message || this.#t.unavailable);
    return body as T;
  }
}

class WidgetError extends Error {}

function messageOf(error: unknown, fallback: string): string {
  return error instanceof WidgetError ? error.message : fallback;
}

function money(minor: number, currency: string): string {
  try {
    return new Intl.NumberFormat('ru-RU', { style: 'currency', currency }).format(minor / 100);
  } catch {
    return `${(minor / 100).toFixed(2)} ${currency}`;
  }
}

function h(tag: string, attributes: Record<string, string | false> = {}, ...children: Array<Node | string>): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== false) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

/** Mounts a calculator into `container` (an element or its id). */
export function mount(container: HTMLElement | string, options: MountOptions): CalculatorWidget {
  const host = typeof container === 'string' ? document.getElementById(container) : container;
  if (!host) throw new Error(`printsync calculator: no element #${String(container)}`);
  const widget = new CalculatorWidget(host, options);
  void widget.start();
  return widget;
}

/** A global function named by a data attribute (the seed's afterLoad), if the page has one. */
function named<T>(name: string | undefined): T | undefined {
  const value = name ? (window as unknown as Record<string, unknown>)[name] : undefined;
  return typeof value === 'function' ? (value as T) : undefined;
}

// The script tag mounts itself when it names a container.
const script = document.currentScript as HTMLScriptElement | null;
if (script?.dataset.container) {
  const data = script.dataset;
  const apiBase = data.api ?? new URL(script.src, location.href).origin;
  const start = () =>
    mount(data.container!, {
      key: data.key ?? '',
      category: Number(data.category),
      product: data.product ? Number(data.product) : undefined,
      apiBase,
      context: data.context === 'editor' ? 'editor' : 'page',
      lang: data.lang === 'en' ? 'en' : 'ru',
      // Looked up when called: the page may define them after this script ran.
      onContinue: (quoteId, detail) => named<Callback>(data.onContinue)?.(quoteId, detail),
      onAddToCart: (quoteId, detail) => named<Callback>(data.onAddToCart)?.(quoteId, detail),
      afterLoad: (widget) => named<(widget: CalculatorWidget) => void>(data.afterLoad)?.(widget),
    });
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
  else start();
}
