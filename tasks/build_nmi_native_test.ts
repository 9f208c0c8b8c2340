import assert from "node:assert/strict";
import {
  NATIVE_LIBRARY_URL,
  NATIVE_SOURCE_URL,
  nativeLibraryName,
  nativeStampUrl,
  openNativeLibrary,
} from "../nmi/_native.ts";
import { compilerArguments, compilerCommand, runBuildNmiNative } from "./build_nmi_native.ts";

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
    return Deno.statSync(NATIVE_LIBRARY_URL).mtime?.getTime();
  } catch {
    return undefined;
  }
}

Deno.test("build-nmi-native keeps float64 order", () => {
  const args = compilerArguments("kernel.c", "out.so");
  assert.ok(args.includes("-ffp-contract=off"));
  assert.ok(args.includes("-fno-fast-math"));
  assert.ok(!args.some((arg) => arg === "-ffast-math" || arg === "-Ofast"));
  assert.deepEqual(args.slice(-3), ["-o", "out.so", "kernel.c"]);
});

Deno.test("build-nmi-native splits CC", () => {
  assert.deepEqual(compilerCommand(undefined), ["cc"]);
  assert.deepEqual(compilerCommand("  "), ["cc"]);
  assert.deepEqual(compilerCommand("ccache  gcc -O2"), ["ccache", "gcc", "-O2"]);
});

/** Runs the build with $CC set to `cc`, restoring it after; returns the exit code and error lines. */
async function buildWith(cc: string): Promise<{ code: number; errors: string[] }> {
  const previous = Deno.env.get("CC");
  Deno.env.set("CC", cc);
  let code = 0;
  try {
    const { errors } = await captured(async () => {
      code = await runBuildNmiNative([]);
    });
    return { code, errors };
  } finally {
    if (previous === undefined) Deno.env.delete("CC");
    else Deno.env.set("CC", previous);
  }
}

Deno.test("build-nmi-native rejects arguments", async () => {
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

Deno.test("build-nmi-native reports a failed compiler", async () => {
  const before = libraryTime();
  const missing = await buildWith("/nonexistent/mials-cc");
  assert.equal(missing.code, 1);
  assert.match(
    missing.errors[0],
    /could not run the C compiler "\/nonexistent\/mials-cc" .*Install one, or set CC/,
  );
  const failing = await buildWith("false");
  assert.equal(failing.code, 1);
  assert.match(failing.errors[0], /false failed with exit code 1 and no output/);
  const fastMath = await buildWith("gcc -O2 -funsafe-math-optimizations");
  assert.equal(fastMath.code, 1);
  assert.match(
    fastMath.errors[0],
    /CC contains -funsafe-math-optimizations, which changes floating-point results/,
  );
  const silent = await buildWith("true");
  assert.equal(silent.code, 1);
  assert.match(silent.errors[0], /true exited with code 0 but wrote an empty library/);
  assert.equal(libraryTime(), before);
});

/** Returns whether the C compiler that the build would run starts here. */
function compilerStarts(): boolean {
  const [compiler, ...own] = compilerCommand(Deno.env.get("CC"));
  try {
    return new Deno.Command(compiler, { args: [...own, "--version"], stdout: "null", stderr: "null" })
      .outputSync()
      .success;
  } catch {
    return false;
  }
}

Deno.test({
  name: "build-nmi-native builds twice at once",
  ignore: !compilerStarts(),
  fn: async () => {
    const folder = await Deno.makeTempDir();
    const library = new URL(`file://${folder}/build/${nativeLibraryName()}`);
    try {
      let codes: number[] = [];
      await captured(async () => {
        codes = await Promise.all([runBuildNmiNative([], library), runBuildNmiNative([], library)]);
      });
      assert.deepEqual(codes, [0, 0]);
      const opened = openNativeLibrary(NATIVE_SOURCE_URL, library);
      assert.notEqual(typeof opened, "string", String(opened));
      (opened as { close(): void }).close();
      const names = [...Deno.readDirSync(new URL(".", library))].map((entry) => entry.name).sort();
      assert.deepEqual(names, [nativeLibraryName(), `${nativeLibraryName()}.json`]);
      // Readable by other users of the checkout, not only the one who built it.
      assert.equal(Deno.statSync(library).mode! & 0o777, 0o755);
      assert.equal(Deno.statSync(nativeStampUrl(library)).mode! & 0o777, 0o644);
    } finally {
      await Deno.remove(folder, { recursive: true });
    }
  },
});
