import assert from "node:assert/strict";
import { parseBackendName } from "./backend.ts";

Deno.test("parseBackendName accepts the three backends and lists them otherwise", () => {
  for (const name of ["tensorflow", "wasm", "cpu"]) assert.equal(parseBackendName(name), name);
  assert.throws(
    () => parseBackendName("webgl"),
    /Unknown backend "webgl"\. Use one of: tensorflow, wasm, cpu\./,
  );
});

Deno.test("selectBackend('cpu') prints no advice to install tfjs-node", async () => {
  const script = [
    'import * as tf from "@tensorflow/tfjs";',
    'import { selectBackend } from "./engine/backend.ts";',
    'const choice = await selectBackend("cpu");',
    "tf.tensor1d([1, 2, 3]).square().dataSync();",
    "console.log(choice.name, tf.getBackend());",
  ].join("\n");
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", script],
    cwd: new URL("..", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stdout = new TextDecoder().decode(output.stdout);
  const stderr = new TextDecoder().decode(output.stderr);

  assert.equal(output.code, 0, stderr);
  assert.equal(stdout.trim(), "cpu cpu");
  assert.doesNotMatch(stdout + stderr, /node backend|tfjs-node/);
});
