// Multi-valued cells (docs/datasets.md "Lists"): items sorted by UTF-16 code units,
// duplicates dropped, joined by `;`. Inside an item `\` and `;` are escaped as `\\` and `\;`,
// so any item text survives a split. An empty list is null (an empty CSV field).

export const LIST_SEPARATOR = ';';

export function escapeItem(item: string): string {
  return item.replace(/[\\;]/g, (c) => `\\${c}`);
}

/** Sorted, unique, escaped and joined; null for no items. */
export function joinList(items: Iterable<string>): string | null {
  const unique = [...new Set(items)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return unique.length === 0 ? null : unique.map(escapeItem).join(LIST_SEPARATOR);
}

/** The inverse of joinList. */
export function splitList(cell: string | null): string[] {
  if (cell === null || cell === '') return [];
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < cell.length; i++) {
    const c = cell[i] as string;
    if (c === '\\' && i + 1 < cell.length) cur += cell[++i];
    else if (c === LIST_SEPARATOR) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** Collects list items per key (one row's lists), then joins each. */
export class ListBag {
  private readonly items = new Map<string, string[]>();
  add(key: string, item: string | null | undefined): void {
    if (item === null || item === undefined || item === '') return;
    let a = this.items.get(key);
    if (!a) this.items.set(key, (a = []));
    a.push(item);
  }
  join(key: string): string | null {
    return joinList(this.items.get(key) ?? []);
  }
}
