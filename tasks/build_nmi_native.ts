/**
 * `deno task build-nmi-native`: compiles the native pass of the NMI kernel,
 * `nmi/native/nmi_kernel.c`, into a shared library in `nmi/native/build/` with the
 * system's C compiler (`$CC`, else `cc`). `deno task setup` runs it. The library
 * records the SHA-256 of the source it was built from (see `nmi/_native.ts`).
 *
 * @module
 */

import {
  NATIVE_LIBRARY_PATH,
  NATIVE_LIBRARY_URL,
  NATIVE_SOURCE_PATH,
  NATIVE_SOURCE_URL,
  nativeSourceDigest,
} from "../nmi/_native.ts";
import { handleHelpOnlyArguments } from "./_help_only.ts";

/** Help text of `deno task build-nmi-native`. */
export const BUILD_NMI_NATIVE_USAGE = `Usage: deno task build-nmi-native

Compiles nmi/native/nmi_kernel.c into nmi/native/build/ with the C compiler named by
$CC, or cc. The NMI functions use that library where it matches the source, and the
WebAssembly pass otherwise. Run it after changing the C source. It takes no options
other than -h, --help.`;

/**
 * Returns the compiler's arguments. -ffp-contract=off keeps every float64 sum exact and
 * in source order, as the other passes add them; -ffast-math must not be added.
 */
export function compilerArguments(digest: string, source: string, library: string): string[] {
  const shared = Deno.build.os === "darwin" ? "-dynamiclib" : "-shared";
  return [
    "-O3",
    "-ffp-contract=off",
    "-fPIC",
    shared,
    `-DMIALS_NMI_SOURCE_SHA256="${digest}"`,
    "-o",
    library,
    source,
  ];
}

/** Compiles the library; returns the compiler's error output on failure, undefined on success. */
async function compile(): Promise<string | undefined> {
  const source = NATIVE_SOURCE_PATH;
  const library = NATIVE_LIBRARY_PATH;
  const digest = nativeSourceDigest(await Deno.readTextFile(NATIVE_SOURCE_URL));
  await Deno.mkdir(new URL(".", NATIVE_LIBRARY_URL), { recursive: true });
  // Built beside the library and renamed, so a running process never loads half a file.
  const partial = `${library}.partial`;
  const compiler = Deno.env.get("CC") || "cc";
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(compiler, { args: compilerArguments(digest, source, partial) }).output();
  } catch (error) {
    return `could not run the C compiler "${compiler}" (${(error as Error).message}). Install one, or set CC`;
  }
  if (!output.success) {
    await Deno.remove(partial).catch(() => {});
    return `${compiler} failed:\n${new TextDecoder().decode(output.stderr).trim()}`;
  }
  await Deno.rename(partial, library);
  return undefined;
}

/**
 * Runs the task with `args` and returns its exit code: 0 when built or for help, 1
 * when the library cannot be compiled, 2 for any argument other than -h or --help.
 */
export async function runBuildNmiNative(args: string[]): Promise<number> {
  const stop = handleHelpOnlyArguments("build-nmi-native", BUILD_NMI_NATIVE_USAGE, args);
  if (stop !== undefined) return stop;
  const problem = await compile();
  if (problem !== undefined) {
    console.error(`build-nmi-native: ${problem}`);
    return 1;
  }
  console.log(`build-nmi-native: wrote ${NATIVE_LIBRARY_PATH}`);
  return 0;
}

if (import.meta.main) Deno.exit(await runBuildNmiNative(Deno.args));
