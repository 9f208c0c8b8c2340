import assert from "node:assert/strict";
import { parseShard, selectShard } from "./shard.ts";

Deno.test("parseShard reads i/N", () => {
  assert.deepEqual(parseShard("1/1"), { index: 1, count: 1 });
  assert.deepEqual(parseShard("3/4"), { index: 3, count: 4 });
  assert.deepEqual(parseShard(" 2 / 10 "), { index: 2, count: 10 });
});

Deno.test("parseShard rejects bad values", () => {
  const cases: [string, RegExp][] = [
    ["0/4", /Invalid --shard "0\/4": the shard index must be in \[1, 4\].*JOB_COMPLETION_INDEX \+ 1/],
    ["5/4", /Invalid --shard "5\/4": the shard index must be in \[1, 4\]/],
    ["1/0", /Invalid --shard "1\/0": the shard count N must be 1 or more/],
    ["2", /Invalid --shard "2": expected i\/N/],
    ["-1/4", /Invalid --shard "-1\/4": expected i\/N/],
    ["1.5/4", /Invalid --shard "1\.5\/4": expected i\/N/],
    ["a/b", /Invalid --shard "a\/b": expected i\/N/],
    ["", /Invalid --shard "": expected i\/N/],
  ];
  for (const [value, message] of cases) assert.throws(() => parseShard(value), message, value);
});

Deno.test("selectShard takes every Nth item", () => {
  const items = ["a", "b", "c", "d", "e", "f", "g"];
  assert.deepEqual(selectShard(items, { index: 1, count: 3 }), ["a", "d", "g"]);
  assert.deepEqual(selectShard(items, { index: 2, count: 3 }), ["b", "e"]);
  assert.deepEqual(selectShard(items, { index: 3, count: 3 }), ["c", "f"]);
  assert.deepEqual(selectShard(items, undefined), items);
  assert.deepEqual(selectShard(items, { index: 9, count: 9 }), []);
});

Deno.test("selectShard partitions the items", () => {
  const items = Array.from({ length: 23 }, (_, i) => i);
  for (const count of [1, 2, 5, 23, 30]) {
    const shards = Array.from({ length: count }, (_, i) => selectShard(items, { index: i + 1, count }));
    const merged = shards.flat().sort((a, b) => a - b);
    assert.deepEqual(merged, items, `count ${count}`);
    const sizes = shards.map((shard) => shard.length);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `count ${count}: sizes ${sizes}`);
  }
});
