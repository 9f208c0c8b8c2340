import assert from "node:assert/strict";
import {
  assembleKernel,
  KERNEL_MODULE_PATH,
  kernelModuleSource,
  runBuildNmiKernel,
} from "./build_nmi_kernel.ts";

Deno.test("nmi kernel module is up to date", async () => {
  const expected = kernelModuleSource(await assembleKernel());
  const stored = await Deno.readTextFile(KERNEL_MODULE_PATH);
  assert.ok(
    stored === expected,
    `${KERNEL_MODULE_PATH} does not match nmi/_kernel_wat.ts; regenerate it with: deno task build-nmi-kernel`,
  );
});

Deno.test("nmi kernel module source splits base64 lines", () => {
  const source = kernelModuleSource(new Uint8Array(200).fill(7));
  const lines = source.split("\n").filter((line) => line.startsWith('  "'));
  assert.equal(lines.length, 3);
  assert.match(source, /module \(200 bytes\)/);
});

Deno.test("build-nmi-kernel rejects arguments without writing", async () => {
  const before = await Deno.stat(KERNEL_MODULE_PATH);
  const errors: string[] = [];
  const original = console.error;
  console.error = (line: string) => errors.push(line);
  try {
    assert.equal(await runBuildNmiKernel(["--out", "x"]), 2);
    assert.equal(await runBuildNmiKernel(["--help", "extra"]), 2);
  } finally {
    console.error = original;
  }
  assert.match(errors[0], /unexpected argument "--out"/);
  assert.match(errors[1], /unexpected argument "extra"/);
  assert.equal((await Deno.stat(KERNEL_MODULE_PATH)).mtime?.getTime(), before.mtime?.getTime());
});
