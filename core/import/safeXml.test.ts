// The safe XML reader: declarations refused before any element (so before any entity could be
// used), also when the declaration straddles two chunks; trees with streamed children.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tmpDir } from '../testing/tmp';
import { readXml, childText, type XmlNode } from './safeXml';

const dir = tmpDir('edw-xml-');
let n = 0;
function file(text: string): string {
  const f = path.join(dir, `f${n++}.xml`);
  fs.writeFileSync(f, text);
  return f;
}

async function tags(f: string): Promise<{ opened: string[]; error: string | null }> {
  const opened: string[] = [];
  try {
    await readXml(f, 'f.xml', {
      open: (t) => opened.push(t.name),
      collect: () => false,
      node: () => undefined,
    });
    return { opened, error: null };
  } catch (e) {
    return { opened, error: (e as Error).message };
  }
}

describe('readXml', () => {
  it('refuses a DOCTYPE before any element is opened', async () => {
    const r = await tags(
      file(
        '<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<a>&e;</a>',
      ),
    );
    expect(r.opened).toEqual([]);
    expect(r.error).toMatch(
      /line 2: the XML contains a DOCTYPE declaration with ENTITY declarations: refused/,
    );
  });

  it('refuses a declaration split across two read chunks', async () => {
    // The first 1 MiB chunk ends with "<!DOC", the second starts with "TYPE".
    const head = '<?xml version="1.0"?><!--';
    const prefix = `${head}${'x'.repeat((1 << 20) - 5 - head.length - 4)}-->\n`;
    const text = `${prefix}<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>`;
    expect(text.slice((1 << 20) - 5, 1 << 20)).toBe('<!DOC');
    const r = await tags(file(text));
    expect(r.opened).toEqual([]);
    // Found by the raw-text probe (which sees the ENTITY too), not only by the parser.
    expect(r.error).toMatch(
      /line 2: the XML contains a DOCTYPE declaration with ENTITY declarations/,
    );
  });

  it('refuses a bare ENTITY declaration and undeclared entity references', async () => {
    expect((await tags(file('<!ENTITY e "x"><a/>'))).error).toMatch(
      /an ENTITY declaration: refused/,
    );
    const r = await tags(file('<a>\n<b>&e;</b></a>'));
    expect(r.error).toMatch(/line 2: reference to an undeclared entity: refused/);
  });

  it('accepts the predefined entities and character references', async () => {
    const got: XmlNode[] = [];
    await readXml(file('<a><b>&lt;&amp;&gt;&quot;&apos;&#65;&#x42;</b></a>'), 'f.xml', {
      collect: (name) => name === 'a',
      node: (n) => {
        got.push(n);
      },
    });
    expect(childText(got[0], 'b')).toBe('<&>"\'AB');
  });

  it('streams repeating children out of the tree they belong to', async () => {
    const readings = Array.from({ length: 5 }, (_, i) => `<r><v>${i}</v></r>`).join('\n');
    const streamed: string[] = [];
    const trees: XmlNode[] = [];
    await readXml(file(`<feed><entry><t>x</t><block>${readings}</block></entry></feed>`), 'f.xml', {
      collect: (name) => name === 'entry',
      stream: (name) => name === 'r',
      streamed: (r, parents) =>
        streamed.push(`${parents.map((p) => p.name).join('/')}:${childText(r, 'v')}`),
      node: (e) => {
        trees.push(e);
      },
    });
    expect(streamed).toEqual([
      'entry/block:0',
      'entry/block:1',
      'entry/block:2',
      'entry/block:3',
      'entry/block:4',
    ]);
    expect(trees).toHaveLength(1);
    expect(trees[0]?.children.map((c) => c.name)).toEqual(['t', 'block']);
    expect(trees[0]?.children[1]?.children).toEqual([]); // the readings were not kept
  });
});

describe('edw Green Button samples', () => {
  let xmllint = true;
  try {
    execFileSync('xmllint', ['--version'], { stdio: 'ignore' });
  } catch {
    xmllint = false;
  }
  it.skipIf(!xmllint)('the well-formed samples validate against the ESPI 3.3 schema', () => {
    const xsd = '/work/shared/reference/espi/v3.3/feed.xsd';
    if (!fs.existsSync(xsd)) return;
    for (const f of ['ues-hourly-fallback.xml', 'liberty-gas-daily.xml']) {
      const out = execFileSync(
        'xmllint',
        [
          '--noout',
          '--nonet',
          '--schema',
          xsd,
          path.join(__dirname, '../../fixtures/greenbutton', f),
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
      );
      expect(out).toBe('');
    }
  });
});
