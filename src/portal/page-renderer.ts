import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import type { Person } from './person-access.js';

/** Templates live beside the sources (src/portal/views), read from there by the built code too. */
export const VIEWS_DIR = fileURLToPath(new URL('../../../src/portal/views', import.meta.url));
export const ASSETS_DIR = fileURLToPath(new URL('../../../src/portal/assets', import.meta.url));

const ROLE_LABELS: Readonly<Record<string, string>> = { manager: 'manager', operator: 'operator', billing: 'billing service', installer: 'installer', customer: 'customer', '': 'partner' };

export interface PageContext {
  person?: Person;
  csrf: string;
  notice?: string;
  problem?: string;
  nav?: string;
}

/**
 * Server-rendered pages (Eta templates, escaping every `<%= %>` value; the
 * few `<%~ %>` outputs are attributes the code chose or JSON for a data
 * block with `<` escaped), wrapped in one layout with the navigation.
 */
export class PageRenderer {
  readonly #eta = new Eta({ views: VIEWS_DIR, autoEscape: true, cache: true });

  render(view: string, title: string, ctx: PageContext, data: Record<string, unknown> = {}): string {
    const a = ctx.person?.account;
    const person = a && {
      name: a.name,
      displayName: a.displayName,
      roleLabel: ROLE_LABELS[a.role === 'partner' ? a.partnerKind : a.role],
      controlRoom: ctx.person!.scope.controlRoom,
      manager: a.role === 'manager',
    };
    return this.#eta.render(`./${view}`, { ...data, title, person, csrf: ctx.csrf, notice: ctx.notice, problem: ctx.problem, nav: ctx.nav });
  }
}

/** JSON for a `<script type="application/json">` block: it cannot end the block early. */
export function dataJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}
