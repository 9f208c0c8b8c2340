/**
 * Whether TensorFlow's CPU build runs its oneDNN kernels, and the suite's default for it.
 *
 * TensorFlow reads `TF_ENABLE_ONEDNN_OPTS` once per process, when tfjs-node loads it.
 * Unset, TensorFlow 2.21 left oneDNN off on the 2-core AMD EPYC machines with AVX2 of
 * docs/performance.md: convolutions then ran as Eigen's image patches and
 * matrix products. It turned oneDNN on where the CPU had AVX-512 with VNNI and BF16. With
 * oneDNN on, training steps of the suite's ResNet-18 at width 1 ran 1.2 to 1.3 times as
 * fast on the AVX2 machines. So the suite sets the variable to 1 before it loads
 * tfjs-node, unless the user set it.
 *
 * @module
 */

/** The environment variable that TensorFlow reads. */
export const ONEDNN_VARIABLE = "TF_ENABLE_ONEDNN_OPTS";

/** Whether oneDNN is on, and who decided it. */
export interface OneDnnSetting {
  enabled: boolean;
  /**
   * `suite` when the variable was unset and the suite set it to 1, `environment`
   * when the user set it, `unknown` when TensorFlow may have read it before the
   * suite could set it (`enabled` then comes from the variable's current value).
   */
  source: "suite" | "environment" | "unknown";
}

/** The process environment, or a fake of it in tests. */
export interface EnvironmentVariables {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
}

let recorded: OneDnnSetting | undefined;

/**
 * Parses a value of `TF_ENABLE_ONEDNN_OPTS` as TensorFlow does: 1 or true turn oneDNN
 * on, 0 or false turn it off, in any letter case.
 *
 * @throws {Error} for any other value, which TensorFlow would replace with its
 *   CPU-dependent default after a warning.
 */
export function parseOneDnnValue(value: string): boolean {
  const lower = value.toLowerCase();
  if (lower === "1" || lower === "true") return true;
  if (lower === "0" || lower === "false") return false;
  throw new Error(
    `${ONEDNN_VARIABLE} is "${value}", which TensorFlow does not accept. ` +
      "Set it to 1 (oneDNN kernels, the suite's default) or 0 (TensorFlow's Eigen kernels), or unset it.",
  );
}

/**
 * Checks the value of `TF_ENABLE_ONEDNN_OPTS`, so that a typo fails before any backend
 * starts instead of making the `tensorflow` backend fail and another one take its place.
 *
 * @throws {Error} when the variable contains a value other than 0, 1, false or true.
 */
export function checkOneDnnVariable(environment: Pick<EnvironmentVariables, "get"> = Deno.env): void {
  const value = environment.get(ONEDNN_VARIABLE);
  if (value !== undefined) parseOneDnnValue(value);
}

/**
 * Sets `TF_ENABLE_ONEDNN_OPTS` to 1 where it is unset and returns the setting that
 * TensorFlow will read.
 *
 * @param loadedAlready True when TensorFlow was loaded before, so that it may have
 *   read the variable already. The variable is then left as it is.
 * @param environment The process environment, or a fake of it.
 * @throws {Error} when the variable contains a value other than 0, 1, false or true.
 */
export function resolveOneDnnSetting(
  loadedAlready: boolean,
  environment: EnvironmentVariables,
): OneDnnSetting {
  const value = environment.get(ONEDNN_VARIABLE);
  if (loadedAlready) return { enabled: enabledByValue(value), source: "unknown" };
  if (value === undefined) {
    environment.set(ONEDNN_VARIABLE, "1");
    return { enabled: true, source: "suite" };
  }
  return { enabled: parseOneDnnValue(value), source: "environment" };
}

/**
 * Applies {@linkcode resolveOneDnnSetting} to this process and records the result for
 * {@linkcode currentOneDnnSetting}, unless a setting was recorded when TensorFlow was
 * loaded earlier. The `tensorflow` backend calls it before tfjs-node loads TensorFlow.
 */
export function applyOneDnnDefault(loadedAlready: boolean): OneDnnSetting {
  // A second start of the backend finds TensorFlow loaded with the setting recorded the first time.
  if (loadedAlready && recorded !== undefined) return recorded;
  recorded = resolveOneDnnSetting(loadedAlready, Deno.env);
  return recorded;
}

/**
 * Returns the setting recorded when the `tensorflow` backend started. Before that, or
 * where tfjs-node was loaded without the suite, it reads the variable, with source
 * `unknown`: unset or invalid counts as off.
 *
 * NOTE: where TensorFlow was loaded without the suite and the variable is unset, this
 * returns off. TensorFlow may run oneDNN all the same there, as it did on a CPU with
 * AVX-512 VNNI and BF16.
 */
export function currentOneDnnSetting(): OneDnnSetting {
  return recorded ?? { enabled: enabledByValue(Deno.env.get(ONEDNN_VARIABLE)), source: "unknown" };
}

/** Returns whether a value turns oneDNN on, counting unset and invalid values as off. */
function enabledByValue(value: string | undefined): boolean {
  try {
    return value !== undefined && parseOneDnnValue(value);
  } catch {
    // TensorFlow replaces an invalid value with its default, which was off on the AVX2 CPUs measured.
    return false;
  }
}

/**
 * Returns whether the suite sets and records the oneDNN setting for the backend named:
 * only for `tensorflow`, TensorFlow's CPU build.
 */
export function recordsOneDnn(backendName: string): boolean {
  return backendName === "tensorflow";
}

/** Returns whether TensorFlow runs its oneDNN kernels in this process (see {@linkcode currentOneDnnSetting}). */
export function oneDnnEnabled(): boolean {
  return currentOneDnnSetting().enabled;
}

/** Describes the setting for logs, such as "oneDNN on (TF_ENABLE_ONEDNN_OPTS=1, set by the suite)". */
export function describeOneDnn(setting: OneDnnSetting = currentOneDnnSetting()): string {
  const state = setting.enabled ? "on" : "off";
  const origin = setting.source === "suite"
    ? `${ONEDNN_VARIABLE}=1, set by the suite`
    : setting.source === "environment"
    ? `${ONEDNN_VARIABLE} set in the environment`
    : `TensorFlow was loaded before the suite could set ${ONEDNN_VARIABLE}`;
  return `oneDNN ${state} (${origin})`;
}
