import assert from "node:assert/strict";
import { applyScale, escapeXml, niceTicks, renderDocument, renderLegend, renderText } from "./svg.ts";
import { parseSvgTags, textContents } from "./_svg_test_support.ts";

Deno.test("escapeXml escapes all five characters", () => {
  assert.equal(escapeXml(`a<b>&"c"'d'`), "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;");
  assert.equal(escapeXml("&amp;"), "&amp;amp;");
  assert.equal(escapeXml("plain"), "plain");
});

Deno.test("niceTicks covers range with round steps", () => {
  assert.deepEqual(niceTicks(3, 47, 5), { values: [0, 10, 20, 30, 40, 50], decimals: 0 });
  assert.deepEqual(niceTicks(0, 1, 5), { values: [0, 0.2, 0.4, 0.6, 0.8, 1], decimals: 1 });
  assert.deepEqual(niceTicks(0.12, 0.18, 3).values, [0.12, 0.14, 0.16, 0.18]);
  assert.equal(niceTicks(0.12, 0.18, 3).decimals, 2);
  assert.deepEqual(niceTicks(-7, 7, 4).values, [-10, -5, 0, 5, 10]);
});

Deno.test("niceTicks widens a single value", () => {
  const ticks = niceTicks(5, 5);
  assert.ok(ticks.values[0] < 5, `first tick ${ticks.values[0]} is not below 5`);
  assert.ok(ticks.values[ticks.values.length - 1] > 5, `last tick is not above 5`);
});

Deno.test("niceTicks rejects invalid bounds", () => {
  assert.throws(() => niceTicks(2, 1), /min <= max, got \[2, 1\]/);
  assert.throws(() => niceTicks(Number.NaN, 1), RangeError);
  assert.throws(() => niceTicks(0, Infinity), RangeError);
});

Deno.test("applyScale maps domain to range", () => {
  const scale = { domain: [0, 100] as [number, number], range: [400, 100] as [number, number] };
  assert.equal(applyScale(scale, 0), 400);
  assert.equal(applyScale(scale, 100), 100);
  assert.equal(applyScale(scale, 25), 325);
  assert.equal(applyScale({ domain: [1, 1], range: [0, 10] }, 1), 5);
});

Deno.test("renderDocument escapes title and text", () => {
  const title = `mixup <"α"> & co`;
  const svg = renderDocument(100.4, 50.2, title, [
    renderText(10, 20, "a < b & c", { anchor: "middle", rotate: -90 }),
    ...renderLegend(0, 30, [{ label: "x&y", swatch: () => `<circle cx="1" cy="1" r="1"/>` }]),
  ]);
  const tags = parseSvgTags(svg);
  assert.equal(tags[0].attributes.width, "101");
  assert.equal(tags[0].attributes.height, "51");
  assert.ok(svg.includes("<title>mixup &lt;&quot;α&quot;&gt; &amp; co</title>"));
  assert.deepEqual(textContents(svg), ["a < b & c", "x&y"]);
});
