/**
 * `deno task nmi-bench`: times the NMI kernel against the plain reference. Run with
 * `--help` for the options.
 *
 * @module
 */
import { runNmiBench } from "../nmi/benchmark.ts";

Deno.exit(await runNmiBench(Deno.args));
