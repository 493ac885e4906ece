import { readFile, rename, writeFile } from 'node:fs/promises';

const SAVE_DEBOUNCE_MS = 200;

/** What a state file keeps: a snapshot that carries its format version, and how to load one back. */
export interface Persistable<Snapshot extends { version: number }> {
  snapshot(): Snapshot;
  load(snapshot: Snapshot): void;
}

/** `--state FILE`: the data is read at start and written (atomically, debounced) after changes. */
export class StateFile<Snapshot extends { version: number }> {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    private readonly data: Persistable<Snapshot>,
    private readonly version: Snapshot['version'],
  ) {}

  /** Loads the file into the data; false when there is no file yet. */
  async load(): Promise<boolean> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    const snapshot = JSON.parse(text) as Snapshot;
    if (snapshot.version !== this.version) throw new Error(`${this.path}: unsupported state version ${String(snapshot.version)}`);
    this.data.load(snapshot);
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
    const json = JSON.stringify(this.data.snapshot());
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
