/**
 * Test helpers for SVG text: a small well-formedness check and extractors for
 * elements and text, written with regular expressions because Deno has no
 * DOMParser for XML.
 *
 * @module
 */
import assert from "node:assert/strict";

/** One start, end or empty-element tag of a document. */
export interface Tag {
  name: string;
  attributes: Record<string, string>;
  kind: "start" | "end" | "empty";
}

const TAG_PATTERN = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"]*")*)\s*(\/?)>/y;
const ATTRIBUTE_PATTERN = /([\w:-]+)="([^"]*)"/g;
const ENTITY_PATTERN = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/y;

/** Checks that `&` starts a known entity at every position in a text or attribute value. */
function assertEntities(text: string, where: string): void {
  for (let i = text.indexOf("&"); i >= 0; i = text.indexOf("&", i + 1)) {
    ENTITY_PATTERN.lastIndex = i;
    assert.ok(ENTITY_PATTERN.test(text), `unescaped "&" in ${where}: ${text.slice(i, i + 20)}`);
  }
}

/**
 * Parses an SVG document into tags and asserts that it is well formed: one
 * `<svg>` root with the SVG namespace, balanced tags, quoted attributes, no
 * raw `<` in text and every `&` starting an entity.
 *
 * @returns The tags in document order.
 */
export function parseSvgTags(svg: string): Tag[] {
  const tags: Tag[] = [];
  const open: string[] = [];
  let position = 0;
  let rootClosed = false;
  while (position < svg.length) {
    const next = svg.indexOf("<", position);
    const text = svg.slice(position, next < 0 ? svg.length : next);
    assertEntities(text, "text");
    if (text.trim() !== "") assert.ok(open.length > 0, `text outside the root element: ${text.trim()}`);
    if (next < 0) break;
    TAG_PATTERN.lastIndex = next;
    const match = TAG_PATTERN.exec(svg);
    assert.ok(match !== null, `malformed tag at offset ${next}: ${svg.slice(next, next + 60)}`);
    const [whole, slash, name, attributeText, selfClosing] = match;
    const attributes: Record<string, string> = {};
    for (const [, key, value] of attributeText.matchAll(ATTRIBUTE_PATTERN)) {
      assert.ok(!(key in attributes), `attribute ${key} repeated in <${name}>`);
      assertEntities(value, `attribute ${key} of <${name}>`);
      attributes[key] = value;
    }
    let kind: Tag["kind"] = "start";
    if (slash === "/") kind = "end";
    else if (selfClosing === "/") kind = "empty";
    if (kind !== "end") assert.ok(!rootClosed, `element <${name}> after the root element`);
    if (tags.length === 0) {
      assert.equal(name, "svg", "the root element is not <svg>");
      assert.equal(attributes.xmlns, "http://www.w3.org/2000/svg");
    }
    if (kind === "start") open.push(name);
    if (kind === "end") {
      assert.equal(open.pop(), name, `</${name}> does not close the open element`);
      if (open.length === 0) rootClosed = true;
    }
    tags.push({ name, attributes, kind });
    position = next + whole.length;
  }
  assert.equal(open.length, 0, `unclosed elements: ${open.join(", ")}`);
  assert.ok(rootClosed, "the document has no closed root element");
  return tags;
}

/** Decodes the five predefined XML entities. */
export function unescapeXml(text: string): string {
  return text
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&apos;", "'")
    .replaceAll("&amp;", "&");
}

/** Returns the decoded contents of every `<text>` element, in document order. */
export function textContents(svg: string): string[] {
  return [...svg.matchAll(/<text\b[^>]*>([^<]*)<\/text>/g)].map((match) => unescapeXml(match[1]));
}

/** Returns the tags with the given name and, optionally, class attribute. */
export function tagsNamed(svg: string, name: string, className?: string): Tag[] {
  return parseSvgTags(svg).filter((tag) =>
    tag.name === name && tag.kind !== "end" && (className === undefined || tag.attributes.class === className)
  );
}

/** Returns the y-axis tick labels: right-aligned `<text>` elements, in document order. */
export function yTickLabels(svg: string): string[] {
  return [...svg.matchAll(/<text\b[^>]*text-anchor="end"[^>]*>([^<]*)<\/text>/g)].map((match) => match[1]);
}

/** Parses the "x,y x,y …" list of a polyline or polygon. */
export function parsePoints(points: string): [number, number][] {
  return points.trim().split(/\s+/).map((pair) => {
    const [x, y] = pair.split(",").map(Number);
    return [x, y];
  });
}
