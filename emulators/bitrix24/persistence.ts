import { readFile, rename, writeFile } from 'node:fs/promises';
import type { Store, StoreSnapshot } from './store.js';

const SAVE_DEBOUNCE_MS = 200;

/** `--state FILE`: the store is read at start and written (atomically, debounced) after changes. */
export class StateFile {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly store: Store,
  ) {}

  /** Loads the file into the store; false when there is no file yet. */
  async load(): Promise<boolean> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    const snapshot = JSON.parse(text) as StoreSnapshot;
    if (snapshot.version !== 1) throw new Error(`${this.path}: unsupported state version ${String(snapshot.version)}`);
    this.store.load(snapshot);
    return true;
  }

  scheduleSave(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.save();
    }, SAVE_DEBOUNCE_MS);
  }

  save(): Promise<void> {
    const json = JSON.stringify(this.store.snapshot());
    this.writing = this.writing.then(async () => {
      const temp = `${this.path}.${process.pid}.tmp`;
      await writeFile(temp, json);
      await rename(temp, this.path);
    });
    return this.writing;
  }

  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
      await this.save();
    }
    await this.writing;
  }
}
