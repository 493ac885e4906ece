/**
 * A one-file page for acting as a manager: list CRM data, move a deal's stage, edit a contact's
 * phones and e-mails with their types, rename or delete a company, delete a product, convert a
 * lead, reset the portal. It only calls the admin JSON API, so everything it does a test can do.
 */
export function adminPage(entities: readonly string[]): string {
  return `<!doctype html>
<html lang="ru">
<head>
<meta charset="utf-8">
<title>Bitrix24 emulator — manager</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 1.5rem; color: #222; }
  nav button { margin-right: .3rem; }
  nav button.active { font-weight: bold; }
  table { border-collapse: collapse; margin-top: 1rem; width: 100%; }
  td, th { border: 1px solid #ccc; padding: .25rem .5rem; text-align: left; vertical-align: top; }
  .actions button { margin: 0 .2rem .2rem 0; }
  #status { margin-top: .5rem; color: #555; min-height: 1.2em; }
  code { font-size: 12px; }
</style>
</head>
<body>
<h1>Bitrix24 emulator</h1>
<p>Acting as the manager (user 2). Changes fire outgoing events like real edits.</p>
<nav>${entities.map((e) => `<button data-entity="${e}">${e}</button>`).join('')}
  <button id="reset" title="Drop all CRM data and start from the seed">reset portal</button>
  <button id="events">event deliveries</button>
</nav>
<div id="status"></div>
<div id="content"></div>
<script>
const api = (path, options = {}) => fetch('/admin/api' + path, {
  method: options.method || 'GET',
  headers: { 'content-type': 'application/json' },
  body: options.body ? JSON.stringify(options.body) : undefined,
}).then(async (r) => { const data = await r.json(); if (!r.ok) throw new Error(data.error_description || data.error); return data; });
const status = (text) => { document.getElementById('status').textContent = text; };
const esc = (v) => String(v ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));
let current = 'deal';

const columns = {
  deal: ['ID', 'TITLE', 'CATEGORY_ID', 'STAGE_ID', 'OPPORTUNITY', 'CONTACT_ID', 'COMPANY_ID'],
  contact: ['ID', 'NAME', 'LAST_NAME', 'PHONE', 'EMAIL', 'COMPANY_ID'],
  company: ['ID', 'TITLE', 'COMPANY_TYPE', 'PHONE', 'EMAIL'],
  lead: ['ID', 'TITLE', 'NAME', 'LAST_NAME', 'COMPANY_TITLE', 'STATUS_ID', 'PHONE', 'EMAIL'],
  product: ['ID', 'NAME', 'PRICE', 'XML_ID'],
};

function cell(value) {
  if (Array.isArray(value)) return value.map((m) => esc(m.VALUE_TYPE) + ': ' + esc(m.VALUE) + ' <code>#' + esc(m.ID) + '</code>').join('<br>');
  return esc(value);
}

function actions(entity, row) {
  const b = (label, fn) => '<button data-fn="' + fn + '" data-id="' + row.ID + '">' + label + '</button>';
  const list = [];
  if (entity === 'deal') list.push(b('move stage', 'stage'));
  if (entity === 'contact' || entity === 'company' || entity === 'lead') list.push(b('add phone', 'addPhone'), b('add e-mail', 'addEmail'), b('edit/delete value', 'editValue'));
  if (entity === 'company') list.push(b('rename', 'rename'));
  if (entity === 'lead') list.push(b('convert', 'convert'));
  list.push(b('delete', 'delete'));
  return list.join('');
}

async function show(entity) {
  current = entity;
  document.querySelectorAll('nav button[data-entity]').forEach((el) => el.classList.toggle('active', el.dataset.entity === entity));
  const rows = await api('/entities/' + entity);
  const cols = columns[entity];
  document.getElementById('content').innerHTML = '<table><tr>' + cols.map((c) => '<th>' + c + '</th>').join('') + '<th></th></tr>' +
    rows.map((row) => '<tr>' + cols.map((c) => '<td>' + cell(row[c]) + '</td>').join('') + '<td class="actions">' + actions(entity, row) + '</td></tr>').join('') + '</table>' +
    '<p><button id="create">create ' + entity + '</button></p>';
}

const handlers = {
  async stage(id) {
    const deal = await api('/entities/deal/' + id);
    const stages = (await api('/statuses')).filter((s) => s.ENTITY_ID === (deal.CATEGORY_ID === '0' ? 'DEAL_STAGE' : 'DEAL_STAGE_' + deal.CATEGORY_ID));
    const stageId = prompt('Stage id (' + stages.map((s) => s.STATUS_ID + ' = ' + s.NAME).join(', ') + ')', deal.STAGE_ID);
    if (stageId) await api('/deals/' + id + '/stage', { method: 'POST', body: { stageId } });
  },
  async addPhone(id) {
    const value = prompt('Phone'); if (!value) return;
    const type = prompt('Type: WORK, MOBILE, FAX, HOME, PAGER, MAILING, OTHER', 'MOBILE');
    await api('/' + current + '/' + id + '/communications', { method: 'POST', body: { PHONE: [{ VALUE: value, VALUE_TYPE: type }] } });
  },
  async addEmail(id) {
    const value = prompt('E-mail'); if (!value) return;
    const type = prompt('Type: WORK, HOME, MAILING, OTHER', 'HOME');
    await api('/' + current + '/' + id + '/communications', { method: 'POST', body: { EMAIL: [{ VALUE: value, VALUE_TYPE: type }] } });
  },
  async editValue(id) {
    const kind = prompt('PHONE or EMAIL', 'PHONE'); if (!kind) return;
    const valueId = prompt('Value id (the #number)'); if (!valueId) return;
    const value = prompt('New value (empty deletes)', '');
    const type = value ? prompt('Type', kind === 'PHONE' ? 'MOBILE' : 'HOME') : undefined;
    await api('/' + current + '/' + id + '/communications', { method: 'POST', body: { [kind.toUpperCase()]: [{ ID: valueId, VALUE: value || '', VALUE_TYPE: type }] } });
  },
  async rename(id) {
    const title = prompt('New company title'); if (title) await api('/companies/' + id + '/rename', { method: 'POST', body: { title } });
  },
  async convert(id) {
    const result = await api('/leads/' + id + '/convert', { method: 'POST', body: {} });
    alert('Created: ' + JSON.stringify(result));
  },
  async delete(id) {
    if (confirm('Delete ' + current + ' ' + id + '?')) await api('/entities/' + current + '/' + id, { method: 'DELETE' });
  },
};

document.addEventListener('click', async (event) => {
  const el = event.target;
  try {
    if (el.dataset.entity) return await show(el.dataset.entity);
    if (el.id === 'reset') { if (confirm('Reset the whole portal?')) { await api('/reset', { method: 'POST', body: {} }); status('reset'); } return await show(current); }
    if (el.id === 'events') {
      const list = await api('/events/deliveries');
      document.getElementById('content').innerHTML = '<table><tr><th>#</th><th>event</th><th>ID</th><th>status</th><th>http</th><th>url</th></tr>' +
        list.map((d) => '<tr><td>' + d.seq + '</td><td>' + esc(d.event) + '</td><td>' + esc(d.fields.ID) + '</td><td>' + esc(d.status) + '</td><td>' + esc(d.httpStatus) + '</td><td>' + esc(d.url) + '</td></tr>').join('') + '</table>';
      return;
    }
    if (el.id === 'create') {
      const json = prompt('Fields as JSON', current === 'product' ? '{"NAME":"Визитки"}' : '{"TITLE":"Test"}');
      if (json) await api('/entities/' + current, { method: 'POST', body: { fields: JSON.parse(json) } });
      return await show(current);
    }
    if (el.dataset.fn) { await handlers[el.dataset.fn](Number(el.dataset.id)); status(el.dataset.fn + ' done'); await show(current); }
  } catch (error) { status('Error: ' + error.message); }
});
show('deal').catch((error) => status('Error: ' + error.message));
</script>
</body>
</html>`;
}
