/**
 * `deno task build-nmi-native`: compiles the native pass of the NMI kernel,
 * `nmi/native/nmi_kernel.c`, into a shared library in `nmi/native/build/` with the
 * system's C compiler (`$CC`, else `cc`), and writes the stamp file that `nmi/_native.ts`
 * checks before it loads the library. `deno task setup` runs it.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import {
  NATIVE_LIBRARY_URL,
  NATIVE_SOURCE_URL,
  type NativeStamp,
  nativeStampUrl,
  sha256Hex,
} from "../nmi/_native.ts";
import { handleHelpOnlyArguments } from "./_help_only.ts";

/** Help text of `deno task build-nmi-native`. */
export const BUILD_NMI_NATIVE_USAGE = `Usage: deno task build-nmi-native

Compiles nmi/native/nmi_kernel.c into nmi/native/build/ with the C compiler named by
$CC (a command with optional arguments, such as "ccache gcc", but no flags that change
floating-point arithmetic, such as -ffast-math), or cc. It writes the
SHA-256 of the source and of the library into a stamp file beside the library. The NMI
functions use that library where both match, and the WebAssembly pass otherwise. Run
it after changing the C source. It takes no options other than -h, --help.`;

/**
 * Returns the compiler's arguments, which come after any in $CC. -fno-fast-math keeps
 * the float64 additions in source order, so that the sums are the same floats as the
 * other passes' (it overrides a -ffast-math or -Ofast in $CC). -ffp-contract=off keeps
 * multiplications and additions from being fused.
 */
export function compilerArguments(source: string, library: string): string[] {
  const shared = Deno.build.os === "darwin" ? "-dynamiclib" : "-shared";
  return ["-O3", "-fno-fast-math", "-ffp-contract=off", "-fPIC", shared, "-o", library, source];
}

/** Returns the compiler command and its own arguments from $CC, split at whitespace, or ["cc"]. */
export function compilerCommand(cc: string | undefined): string[] {
  const words = (cc ?? "").trim().split(/\s+/).filter((word) => word !== "");
  return words.length > 0 ? words : ["cc"];
}

/**
 * Flags that change floating-point results or state. The sums would no longer equal
 * the other passes' floats, and with GCC 12, -ffast-math, -Ofast and
 * -funsafe-math-optimizations at link time add code that sets flush-to-zero for the
 * whole thread that loads the library.
 */
const FLOATING_POINT_FLAG =
  /^-(Ofast|ffast-math|funsafe-math-optimizations|fassociative-math|freciprocal-math|ffinite-math-only|mfpmath=|fexcess-precision=)/;

/** Runs the compiler into `partial`; returns why it failed, or undefined. */
async function runCompiler(source: string, partial: string): Promise<string | undefined> {
  const [compiler, ...own] = compilerCommand(Deno.env.get("CC"));
  const floatingPoint = own.find((word) => FLOATING_POINT_FLAG.test(word));
  if (floatingPoint !== undefined) {
    return `CC contains ${floatingPoint}, which changes floating-point results. Remove it from CC`;
  }
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(compiler, { args: [...own, ...compilerArguments(source, partial)] })
      .output();
  } catch (error) {
    return `could not run the C compiler "${compiler}" (${(error as Error).message}). Install one, or set CC`;
  }
  const stderr = new TextDecoder().decode(output.stderr).trim();
  if (!output.success) {
    return `${compiler} failed with exit code ${output.code}${
      stderr === "" ? " and no output" : `:\n${stderr}`
    }`;
  }
  const size = (await Deno.stat(partial)).size;
  return size > 0 ? undefined : `${compiler} exited with code 0 but wrote an empty library`;
}

/**
 * Compiles the library to `libraryUrl` and writes its stamp file; returns why it
 * failed, or undefined. Both are written to temporary files in the same folder and
 * renamed, library first. A process that loads in between finds a stamp that does not
 * match the library and uses the WebAssembly pass. Two builds at once write to
 * different temporary files. Their renames can pair one build's library with the
 * other's stamp, which matches because the compiler writes the same bytes for the same
 * source and options.
 */
async function build(libraryUrl: URL): Promise<string | undefined> {
  const library = fileURLToPath(libraryUrl);
  const stamp = fileURLToPath(nativeStampUrl(libraryUrl));
  const folder = fileURLToPath(new URL(".", libraryUrl));
  const temporary: string[] = [];
  try {
    const source = await Deno.readTextFile(NATIVE_SOURCE_URL);
    await Deno.mkdir(folder, { recursive: true });
    const partialLibrary = await Deno.makeTempFile({ dir: folder, suffix: ".partial" });
    const partialStamp = await Deno.makeTempFile({ dir: folder, suffix: ".partial" });
    temporary.push(partialLibrary, partialStamp);
    const failure = await runCompiler(fileURLToPath(NATIVE_SOURCE_URL), partialLibrary);
    if (failure !== undefined) return failure;
    const record: NativeStamp = {
      source_sha256: sha256Hex(source),
      library_sha256: sha256Hex(await Deno.readFile(partialLibrary)),
    };
    await Deno.writeTextFile(partialStamp, `${JSON.stringify(record, null, 2)}\n`);
    // Temporary files are private (0600); other users of the checkout must read both.
    await Deno.chmod(partialLibrary, 0o755);
    await Deno.chmod(partialStamp, 0o644);
    await Deno.rename(partialLibrary, library);
    await Deno.rename(partialStamp, stamp);
    return undefined;
  } catch (error) {
    return `could not build ${library}: ${(error as Error).message}`;
  } finally {
    for (const path of temporary) await Deno.remove(path).catch(() => {});
  }
}

/**
 * Runs the task with `args` and returns its exit code: 0 when built or for help, 1
 * when the library cannot be compiled, 2 for any argument other than -h or --help.
 * Tests pass another `library` location.
 */
export async function runBuildNmiNative(args: string[], library = NATIVE_LIBRARY_URL): Promise<number> {
  const stop = handleHelpOnlyArguments("build-nmi-native", BUILD_NMI_NATIVE_USAGE, args);
  if (stop !== undefined) return stop;
  const problem = await build(library);
  if (problem !== undefined) {
    console.error(`build-nmi-native: ${problem}`);
    return 1;
  }
  console.log(`build-nmi-native: wrote ${fileURLToPath(library)} and its stamp file`);
  return 0;
}

if (import.meta.main) Deno.exit(await runBuildNmiNative(Deno.args));
