/**
 * The demo shop's page: a print shop's plain HTML page in Russian with the calculator widget
 * embedded for a few products — each with the snippet the panel's «Калькулятор» tab gives
 * (a container and one `<script>` tag), and a small script of the shop's own that takes the
 * widget's hand-over (`printsync:continue` / `printsync:add-to-cart`) and shows the quote id.
 */
export interface DemoShopProduct {
  id: number;
  categoryId: number;
  name: string;
  /** A line under the heading: what prices it. */
  note: string;
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * The snippet for one product, in the panel's shape (web/src/components/calculator-widget.tsx)
 * with `data-product` added, since each section of the page sells one product.
 */
export function demoShopSnippet(appUrl: string, key: string, product: DemoShopProduct): string {
  const id = `printsync-calc-${product.categoryId}-${product.id}`;
  return [
    `<div id="${id}"></div>`,
    `<script src="${appUrl}/widget/calculator.js" async data-container="${id}" data-key="${key}" data-category="${product.categoryId}" data-product="${product.id}"`,
    `  data-on-continue="onPrintsyncContinue" data-on-add-to-cart="onPrintsyncAddToCart"></script>`,
  ].join('\n');
}

/** The shop's own script: the widget hands it a quote id; a real shop would put it in the cart. */
const HANDOVER_SCRIPT = `<script>
  // The callbacks the snippets name: the shop keeps what it was handed.
  window.printsyncHandovers = [];
  function onPrintsyncContinue(quoteId, detail) { printsyncHandovers.push({ kind: 'continue', quoteId: quoteId, total: detail.quote.total }); }
  function onPrintsyncAddToCart(quoteId, detail) { printsyncHandovers.push({ kind: 'add-to-cart', quoteId: quoteId, total: detail.quote.total }); }
  // The same hand-over as DOM events on the container: shown to the shopper.
  function showHandover(kind, event) {
    var quote = event.detail.quote;
    var section = event.target.closest('section');
    var money = new Intl.NumberFormat('ru-RU', { style: 'currency', currency: quote.currency }).format(quote.total / 100);
    var box = document.getElementById('handover');
    box.hidden = false;
    document.getElementById('handover-action').textContent = kind === 'continue' ? 'Оформление заказа' : 'Добавлено в корзину';
    document.getElementById('handover-product').textContent = section ? section.querySelector('h2').textContent : '';
    document.getElementById('handover-quantity').textContent = quote.quantity + ' шт.';
    document.getElementById('handover-total').textContent = money;
    document.getElementById('handover-quote').textContent = event.detail.quoteId;
  }
  document.addEventListener('printsync:continue', function (event) { showHandover('continue', event); });
  document.addEventListener('printsync:add-to-cart', function (event) { showHandover('add-to-cart', event); });
</script>`;

const STYLE = `<style>
  body { font-family: Georgia, serif; margin: 0; background: #faf7f2; color: #222; }
  header { background: #1f3a5f; color: #fff; padding: 24px 32px; }
  header p { margin: 4px 0 0; opacity: .85; }
  main { max-width: 760px; margin: 0 auto; padding: 16px 32px 48px; }
  section { background: #fff; border: 1px solid #e4ddd0; border-radius: 8px; padding: 16px 20px; margin: 20px 0; }
  section h2 { margin: 0 0 4px; font-size: 22px; }
  .note { color: #666; margin: 0 0 12px; font-size: 14px; }
  #handover { position: sticky; bottom: 0; background: #fffbe6; border: 2px solid #e0b400; border-radius: 8px; padding: 12px 20px; }
  #handover code { font-size: 16px; font-weight: bold; }
  footer { color: #888; font-size: 13px; text-align: center; padding-bottom: 24px; }
</style>`;

export function demoShopPage(appUrl: string, key: string, products: DemoShopProduct[]): string {
  const sections = products
    .map(
      (product) => `<section data-product-id="${product.id}">
  <h2>${escapeHtml(product.name)}</h2>
  <p class="note">${escapeHtml(product.note)}</p>
  ${demoShopSnippet(appUrl, key, product).replace(/\n/g, '\n  ')}
</section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="ru">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Типография «Оттиск» — печать онлайн</title>
${STYLE}
</head>
<body>
<header>
  <h1>Типография «Оттиск»</h1>
  <p>Рассчитайте стоимость тиража прямо на странице — цены из printsync, как в панели менеджера.</p>
</header>
<main>
${sections}
<div id="handover" role="status" aria-live="polite" hidden>
  <strong id="handover-action"></strong>: <span id="handover-product"></span>, <span id="handover-quantity"></span>, <span id="handover-total"></span><br>
  Расчёт передан магазину: <code id="handover-quote"></code> — с этим номером (<code>quoteId</code>) магазин создаёт заказ в printsync.
</div>
</main>
<footer>Демонстрационный магазин printsync: страница на своём адресе, калькулятор подключён одним тегом <code>&lt;script&gt;</code>.</footer>
${HANDOVER_SCRIPT}
</body>
</html>
`;
}
