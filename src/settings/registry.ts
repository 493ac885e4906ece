import { notFound } from '../domain/errors.js';
import type { SettingsDefinition } from './definition.js';

/** The settings definitions of the integrations this deployment runs, by integration name. */
export class SettingsRegistry {
  readonly #byName = new Map<string, SettingsDefinition>();

  constructor(definitions: readonly SettingsDefinition[] = []) {
    for (const definition of definitions) this.add(definition);
  }

  add(definition: SettingsDefinition): this {
    if (this.#byName.has(definition.integration)) throw new Error(`settings of "${definition.integration}" are defined twice`);
    this.#byName.set(definition.integration, definition);
    return this;
  }

  /** In registration order, which is the order the panel lists them in. */
  all(): SettingsDefinition[] {
    return [...this.#byName.values()];
  }

  find(integration: string): SettingsDefinition | undefined {
    return this.#byName.get(integration);
  }

  /** Throws `not_found` (404 over HTTP) for an integration this deployment does not have. */
  require(integration: string): SettingsDefinition {
    const definition = this.#byName.get(integration);
    if (!definition) throw notFound('integration', integration);
    return definition;
  }
}
