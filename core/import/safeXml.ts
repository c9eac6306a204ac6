// Streaming XML for imports, safe against hostile files.
//
// - Never the whole file in memory: text is decoded in chunks (UTF-8 or UTF-16 by BOM) and fed to
//   saxes; callers receive small element trees (`XmlNode`) for the elements they ask to collect,
//   and can stream repeating children out of a tree (`stream`), so a tree never holds them all.
// - No entities beyond XML's five predefined ones and character references. A DOCTYPE or ENTITY
//   declaration is refused as soon as its text is seen — before saxes reads it and before any
//   entity could be referenced — so no external entity (XXE) is ever opened and no expansion
//   (billion laughs) can happen. saxes itself never fetches or expands external entities; a
//   reference to an undeclared entity is refused too.
// - Caps: element depth, characters of one text node, and characters without any markup event
//   (a runaway attribute, comment or text), so a malicious file cannot grow memory.
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { EdwError } from '../workspace/errors';
import { openText } from './source';

export const XML_LIMITS = {
  depth: 64,
  /** Characters of one text node (ESPI values are a few dozen). */
  text: 1 << 20,
  /** Characters fed without any event (tag, text, comment…): bounds what saxes buffers. */
  run: 4 << 20,
};

export interface XmlNode {
  /** Local name (namespace prefix removed). */
  name: string;
  /** Namespace URI ('' when none). */
  uri: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  text: string;
  /** Line of the start tag. */
  line: number;
}

export interface XmlVisitor {
  /** Called for every start tag, with the names of its open ancestors (outermost first). */
  open?: (tag: { name: string; uri: string; line: number }, path: readonly string[]) => void;
  /** Return true to build a tree for this element (delivered to `node` when it closes). */
  collect: (name: string, uri: string, path: readonly string[]) => boolean;
  /** A collected element, complete. */
  node: (node: XmlNode, path: readonly string[]) => void | Promise<void>;
  /**
   * Elements inside a collected tree that are delivered on their own as soon as they close and
   * not kept in the tree (e.g. IntervalReading inside IntervalBlock).
   */
  stream?: (name: string, uri: string) => boolean;
  streamed?: (node: XmlNode, parents: readonly XmlNode[]) => void;
  /** After each chunk: progress and yielding to the event loop. */
  chunk?: (charsRead: number, bytesRead: number, size: number) => void | Promise<void>;
}

export interface XmlReadResult {
  root: string;
  rootUri: string;
  /** The encoding the XML declaration names, if any. */
  declaredEncoding: string | null;
}

const DECLARATION = /<!\s*(DOCTYPE|ENTITY)/i;

function refuseDeclaration(fileName: string, line: number, what: string): EdwError {
  return new EdwError(
    'input_rejected',
    `${fileName}: line ${line}: the XML contains ${what}: refused. ` +
      'Green Button and other import files need no DTD; entity declarations can read local files ' +
      'or network addresses (external entities, XXE) or expand without bound (billion laughs), ' +
      'so no entity of this file was read or expanded',
    { line, reason: 'xml_declaration' },
  );
}

/**
 * Stream an XML file through `v`. Throws EdwError('input_rejected') for malformed or refused
 * XML, with the line where it was found.
 */
export async function readXml(
  file: string,
  fileName: string,
  v: XmlVisitor,
): Promise<XmlReadResult> {
  const text = openText(file, fileName, Number.MAX_SAFE_INTEGER);
  // Namespaces are resolved here rather than by saxes (its namespace mode is about twice as
  // slow): one scope per open element, null when it declares nothing.
  const parser = new SaxesParser({ xmlns: false, position: true });
  const scopes: (Map<string, string> | null)[] = [];
  const resolve = (prefix: string): string => {
    for (let i = scopes.length - 1; i >= 0; i--) {
      const u = scopes[i]?.get(prefix);
      if (u !== undefined) return u;
    }
    return prefix === 'xml' ? 'http://www.w3.org/XML/1998/namespace' : '';
  };
  const path: string[] = [];
  // Open collected elements (innermost last); `collecting` is the depth where collection began.
  const stack: XmlNode[] = [];
  let collectDepth = -1;
  const streamParents: XmlNode[] = [];
  let streamingDepth = -1;
  let root: { name: string; uri: string } | null = null;
  let declaredEncoding: string | null = null;
  // Character position of the last markup event (saxes counts positions).
  let lastEvent = 0;
  const mark = () => {
    lastEvent = parser.position;
  };
  let line = 1;
  const pending: { node: XmlNode; path: string[] }[] = [];
  // Elements that have child elements: their own text is whitespace between children, not kept.
  const containers = new WeakSet<XmlNode>();

  const fail = (message: string, at = parser.line || line): EdwError =>
    new EdwError('input_rejected', `${fileName}: line ${at}: ${message}`, { line: at });

  parser.on('xmldecl', (d) => {
    mark();
    declaredEncoding = d.encoding ?? null;
  });
  parser.on('doctype', () => {
    throw refuseDeclaration(fileName, parser.line, 'a DOCTYPE declaration');
  });
  parser.on('comment', () => {
    mark();
  });
  parser.on('processinginstruction', () => {
    mark();
  });
  parser.on('cdata', (c) => {
    mark();
    addText(c);
  });
  parser.on('text', (t) => {
    mark();
    addText(t);
  });
  function addText(t: string): void {
    const top = stack[stack.length - 1];
    if (!top || containers.has(top)) return; // outside collected elements, or between children
    if (top.text.length + t.length > XML_LIMITS.text)
      throw fail(
        `the text of <${top.name}> is longer than ${XML_LIMITS.text.toLocaleString('en-US')} characters: refused`,
      );
    // Mixed content keeps only what matters for values: text of leaf elements.
    top.text += t;
  }
  parser.on('opentag', (tag: SaxesTagPlain) => {
    mark();
    if (path.length >= XML_LIMITS.depth)
      throw fail(`elements are nested deeper than ${XML_LIMITS.depth} levels: refused`);
    let scope: Map<string, string> | null = null;
    for (const k in tag.attributes) {
      if (k === 'xmlns' || k.startsWith('xmlns:'))
        (scope ??= new Map()).set(k.length > 5 ? k.slice(6) : '', tag.attributes[k] as string);
    }
    scopes.push(scope);
    const colon = tag.name.indexOf(':');
    const name = colon < 0 ? tag.name : tag.name.slice(colon + 1);
    const uri = resolve(colon < 0 ? '' : tag.name.slice(0, colon));
    if (!root) root = { name, uri };
    v.open?.({ name, uri, line: parser.line }, path);
    if (stack.length > 0 || v.collect(name, uri, path)) {
      const attrs: Record<string, string> = {};
      for (const k in tag.attributes) {
        if (k === 'xmlns' || k.startsWith('xmlns:')) continue;
        const c = k.indexOf(':');
        attrs[c < 0 ? k : k.slice(c + 1)] = tag.attributes[k] as string;
      }
      const node: XmlNode = { name, uri, attrs, children: [], text: '', line: parser.line };
      if (stack.length === 0) collectDepth = path.length;
      else if (streamingDepth < 0 && v.stream?.(name, uri)) {
        streamingDepth = path.length;
        streamParents.length = 0;
        streamParents.push(...stack);
      }
      const parent = stack[stack.length - 1];
      if (parent) {
        containers.add(parent);
        parent.text = '';
        if (streamingDepth < 0 || path.length > streamingDepth) parent.children.push(node);
      }
      stack.push(node);
    }
    path.push(name);
  });
  parser.on('closetag', () => {
    mark();
    path.pop();
    scopes.pop();
    if (stack.length === 0) return;
    const node = stack.pop() as XmlNode;
    if (streamingDepth === path.length) {
      streamingDepth = -1;
      v.streamed?.(node, streamParents);
    } else if (path.length === collectDepth) {
      collectDepth = -1;
      pending.push({ node, path: [...path] });
    }
  });

  const rootSeen = () => root !== null;
  let carry = '';
  let chars = 0;
  try {
    for await (const chunk of text.stream as AsyncIterable<string>) {
      const s = chunk;
      if (!rootSeen()) {
        // DOCTYPE and ENTITY declarations can only come before the root element: look at the
        // raw text there, so saxes never even buffers them.
        const probe = carry + s;
        const m = DECLARATION.exec(probe);
        if (m) {
          const before = probe.slice(0, m.index);
          const at = line - (carry.match(/\n/g)?.length ?? 0) + (before.match(/\n/g)?.length ?? 0);
          const doctype = (m[1] as string).toUpperCase() === 'DOCTYPE';
          const entities = /<!\s*ENTITY/i.test(probe.slice(m.index));
          throw refuseDeclaration(
            fileName,
            at,
            doctype
              ? `a DOCTYPE declaration${entities ? ' with ENTITY declarations' : ''}`
              : 'an ENTITY declaration',
          );
        }
        carry = s.slice(-16);
      }
      for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) line++;
      chars += s.length;
      parser.write(s);
      if (parser.position - lastEvent > XML_LIMITS.run)
        throw fail(
          `more than ${XML_LIMITS.run.toLocaleString('en-US')} characters without any element or text boundary: refused (not XML, or a runaway value)`,
        );
      for (let p = pending.shift(); p; p = pending.shift()) await v.node(p.node, p.path);
      await v.chunk?.(chars, text.bytesRead(), text.size);
    }
    parser.close();
    for (let p = pending.shift(); p; p = pending.shift()) await v.node(p.node, p.path);
  } catch (e) {
    (text.stream as unknown as { destroy?: () => void }).destroy?.();
    if (e instanceof EdwError) throw e;
    const msg = (e as Error).message;
    // saxes messages look like "12:7: undefined entity."
    const pos = /^(?:[^:]*:)?(\d+):(\d+): (.*)$/s.exec(msg);
    const at = pos ? Number(pos[1]) : parser.line || line;
    const what = (pos ? (pos[3] as string) : msg).replace(/\.$/, '');
    if (/undefined entity/i.test(what))
      throw fail(
        'reference to an undeclared entity: refused (only &amp; &lt; &gt; &quot; &apos; and character references are accepted; no entity is ever loaded)',
        at,
      );
    throw fail(`not well-formed XML: ${what}`, at);
  }
  if (!root) throw fail('no XML element found (empty or not an XML file)');
  const r = root as { name: string; uri: string };
  return { root: r.name, rootUri: r.uri, declaredEncoding };
}

/** First child element by local name (any namespace). */
export function child(n: XmlNode | undefined, name: string): XmlNode | undefined {
  return n?.children.find((c) => c.name === name);
}

/** Trimmed text of a child element, or undefined. */
export function childText(n: XmlNode | undefined, name: string): string | undefined {
  const c = child(n, name);
  return c === undefined ? undefined : c.text.trim();
}

/** All descendants (depth first) with a local name. */
export function descendants(n: XmlNode, name: string, out: XmlNode[] = []): XmlNode[] {
  for (const c of n.children) {
    if (c.name === name) out.push(c);
    descendants(c, name, out);
  }
  return out;
}
