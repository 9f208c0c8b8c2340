import assert from "node:assert/strict";
import { NATIVE_LIBRARY_PATH } from "../nmi/_native.ts";
import { compilerArguments, runBuildNmiNative } from "./build_nmi_native.ts";

/** Runs `body` with console.log and console.error captured and returns what they printed. */
async function captured(body: () => Promise<void>): Promise<{ output: string[]; errors: string[] }> {
  const output: string[] = [];
  const errors: string[] = [];
  const [log, error] = [console.log, console.error];
  console.log = (line: string) => output.push(line);
  console.error = (line: string) => errors.push(line);
  try {
    await body();
  } finally {
    [console.log, console.error] = [log, error];
  }
  return { output, errors };
}

/** Returns the library's modification time, or undefined where it is not built. */
function libraryTime(): number | undefined {
  try {
    return Deno.statSync(NATIVE_LIBRARY_PATH).mtime?.getTime();
  } catch {
    return undefined;
  }
}

Deno.test("build-nmi-native keeps float64 sums exact", () => {
  const args = compilerArguments("ab12", "kernel.c", "out.so");
  assert.ok(args.includes("-ffp-contract=off"));
  assert.ok(!args.some((arg) => arg.includes("fast-math") || arg === "-Ofast"));
  assert.ok(args.includes('-DMIALS_NMI_SOURCE_SHA256="ab12"'));
  assert.deepEqual(args.slice(-3), ["-o", "out.so", "kernel.c"]);
});

Deno.test("build-nmi-native rejects arguments and prints help without building", async () => {
  const before = libraryTime();
  let codes: number[] = [];
  const { output, errors } = await captured(async () => {
    codes = [await runBuildNmiNative(["--out", "x"]), await runBuildNmiNative(["--help"])];
  });
  assert.deepEqual(codes, [2, 0]);
  assert.match(errors[0], /unexpected argument "--out"/);
  assert.match(output[0], /^Usage: deno task build-nmi-native/);
  assert.equal(libraryTime(), before);
});

Deno.test("build-nmi-native names a compiler that cannot run and keeps the library", async () => {
  const before = libraryTime();
  const previous = Deno.env.get("CC");
  Deno.env.set("CC", "/nonexistent/mials-cc");
  let code = 0;
  try {
    const { errors } = await captured(async () => {
      code = await runBuildNmiNative([]);
    });
    assert.match(
      errors[0],
      /could not run the C compiler "\/nonexistent\/mials-cc" .*Install one, or set CC/,
    );
  } finally {
    if (previous === undefined) Deno.env.delete("CC");
    else Deno.env.set("CC", previous);
  }
  assert.equal(code, 1);
  assert.equal(libraryTime(), before);
});
