export type Row = Record<string, unknown>;

export interface StoreSnapshot {
  version: 1;
  counters: Record<string, number>;
  tables: Record<string, Row[]>;
}

/**
 * The portal's data, in memory: one table of rows per kind, each with its own id counter (ids
 * are never reused, as in MySQL auto-increment). Rows hold internal values (numbers, epoch ms);
 * methods format them for the wire.
 */
export class Store {
  private tables = new Map<string, Map<number, Row>>();
  private counters = new Map<string, number>();
  private listeners: (() => void)[] = [];

  table(name: string): Map<number, Row> {
    let table = this.tables.get(name);
    if (!table) {
      table = new Map();
      this.tables.set(name, table);
    }
    return table;
  }

  nextId(counter: string): number {
    const next = (this.counters.get(counter) ?? 0) + 1;
    this.counters.set(counter, next);
    return next;
  }

  get(name: string, id: number): Row | undefined {
    return this.table(name).get(id);
  }

  all(name: string): Row[] {
    return [...this.table(name).values()];
  }

  put(name: string, row: Row): void {
    this.table(name).set(row.ID as number, row);
    this.changed();
  }

  remove(name: string, id: number): boolean {
    const removed = this.table(name).delete(id);
    if (removed) this.changed();
    return removed;
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  changed(): void {
    for (const listener of this.listeners) listener();
  }

  snapshot(): StoreSnapshot {
    const tables: Record<string, Row[]> = {};
    for (const [name, rows] of this.tables) tables[name] = [...rows.values()];
    return { version: 1, counters: Object.fromEntries(this.counters), tables };
  }

  load(snapshot: StoreSnapshot): void {
    this.tables = new Map();
    for (const [name, rows] of Object.entries(snapshot.tables)) {
      this.tables.set(name, new Map(rows.map((row) => [row.ID as number, row])));
    }
    this.counters = new Map(Object.entries(snapshot.counters));
  }

  clear(): void {
    this.tables = new Map();
    this.counters = new Map();
  }
}
