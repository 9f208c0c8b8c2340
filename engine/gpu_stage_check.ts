/**
 * Compares the distortion and NMI stages on a backend's tensors with the CPU
 * kernels of the same stages: each of the four distortions at several levels,
 * then the NMI between the clean and the distorted images.
 *
 * Run it as a script to get one JSON object on stdout:
 *
 * ```sh
 * deno run --allow-all engine/gpu_stage_check.ts --backend webgpu
 * ```
 *
 * It exits with 0 when every difference is within 1e-5, 1 when one is not, and 2
 * when the backend fails to start or an option is invalid. It runs in its own
 * process for the reason given in gpu_step_check.ts.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { parseArgs } from "node:util";
import { applyDistortion, DISTORTION_NAMES } from "../distortions/mod.ts";
import { applyDistortionPlans, planDistortion } from "../distortions/tensor.ts";
import { normalizedMutualInformation } from "../nmi/nmi.ts";
import { nmiBatchTensor } from "../nmi/nmi_tensor.ts";
import { parseBackendName, selectBackend } from "./backend.ts";
import { Random } from "./random.ts";

/** Largest allowed difference of a distorted pixel or an NMI from the CPU kernels. */
export const STAGE_TOLERANCE = 1e-5;

/** Report that the check prints as JSON. */
export interface StageCheckReport {
  backend: string;
  side: number;
  images: number;
  /** Largest absolute difference of a distorted pixel value. */
  distortionDifference: number;
  /** Largest absolute difference of an image's NMI. */
  nmiDifference: number;
  violations: string[];
}

const LEVELS = [0.1, 0.4, 0.7, 1];

/** Runs both stages on the current backend for one image per distortion and level. */
export async function checkStages(side: number, backend: string): Promise<StageCheckReport> {
  const random = new Random(11);
  const pixels = side * side * 3;
  const cases = DISTORTION_NAMES.flatMap((name) => LEVELS.map((level) => ({ name, level })));
  const clean = Float32Array.from({ length: cases.length * pixels }, () => random.uniform());
  const expected = new Float32Array(clean.length);
  const plans = cases.map(({ name, level }, i) => {
    const image = clean.subarray(i * pixels, (i + 1) * pixels);
    expected.set(applyDistortion(name, image, side, side, level, new Random(3, i)), i * pixels);
    return planDistortion(name, side, side, level, new Random(3, i));
  });
  const cleanTensor = tf.tensor4d(clean, [cases.length, side, side, 3]);
  const distorted = applyDistortionPlans(cleanTensor, plans);
  const nmi = nmiBatchTensor(cleanTensor, distorted);
  const [actual, actualNmi] = [await distorted.data(), await nmi.data()];
  tf.dispose([cleanTensor, distorted, nmi]);
  let distortionDifference = 0;
  actual.forEach((value, i) => {
    distortionDifference = Math.max(distortionDifference, Math.abs(value - expected[i]));
  });
  let nmiDifference = 0;
  cases.forEach((_, i) => {
    const range = [i * pixels, (i + 1) * pixels] as const;
    const cpu = normalizedMutualInformation(clean.subarray(...range), expected.subarray(...range));
    nmiDifference = Math.max(nmiDifference, Math.abs(cpu - actualNmi[i]));
  });
  const violations = [
    ...(distortionDifference > STAGE_TOLERANCE ? [`distorted pixels differ by ${distortionDifference}`] : []),
    ...(nmiDifference > STAGE_TOLERANCE ? [`NMI differs by ${nmiDifference}`] : []),
  ];
  return { backend, side, images: cases.length, distortionDifference, nmiDifference, violations };
}

async function main(args: string[]): Promise<number> {
  let backendName;
  let side;
  try {
    const { values } = parseArgs({
      args,
      options: { backend: { type: "string", default: "webgpu" }, side: { type: "string", default: "32" } },
    });
    backendName = parseBackendName(values.backend!);
    side = Number(values.side);
    if (!Number.isInteger(side) || side < 4) {
      throw new Error(`Invalid --side "${values.side}": expected 4 or more.`);
    }
  } catch (error) {
    console.error(`gpu_stage_check: ${(error as Error).message}`);
    return 2;
  }
  try {
    await selectBackend(backendName);
  } catch (error) {
    console.error(`gpu_stage_check: backend ${backendName} did not start: ${(error as Error).message}`);
    return 2;
  }
  const report = await checkStages(side, backendName);
  console.log(JSON.stringify(report));
  return report.violations.length === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
