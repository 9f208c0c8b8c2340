import assert from "node:assert/strict";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { compareWithTorch, type StepPerfOptions, TorchStepServer } from "./step_timing.ts";

const python3Available = await new Deno.Command("python3", {
  args: ["--version"],
  stdout: "null",
  stderr: "null",
})
  .output().then((output) => output.success, () => false);

/** A stand-in for torch_reference.py --serve that prints N * 100 images/s for a request of N steps. */
const SERVING = `
import json, sys
print(json.dumps({"ready": True, "torch": "stand-in", "threads": 1}), flush=True)
for line in sys.stdin:
    print(json.dumps({"images_per_s": int(line) * 100}), flush=True)
`;

/** A stand-in for torch_reference.py without PyTorch installed. */
const NO_TORCH = "import sys\nprint('PyTorch is not installed', file=sys.stderr)\nsys.exit(3)\n";

const OPTIONS: StepPerfOptions = { width: 0.0625, batchSize: 2, side: 8, numClasses: 3, steps: 1, warmup: 1 };

/** Writes `source` to a temporary Python script and passes its path to `use`. */
async function withScript<T>(source: string, use: (script: string) => Promise<T>): Promise<T> {
  const folder = await Deno.makeTempDir({ prefix: "mials-torch-stand-in-" });
  try {
    const script = join(folder, "server.py");
    await Deno.writeTextFile(script, source);
    return await use(script);
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
}

Deno.test({
  name: "TorchStepServer times steps per request",
  ignore: !python3Available,
  async fn() {
    await withScript(SERVING, async (script) => {
      const started = await TorchStepServer.start(OPTIONS, script);
      assert.equal(started.status, "started");
      if (started.status !== "started") return;
      assert.equal(started.server.torchVersion, "stand-in");
      assert.equal(started.server.threads, 1);
      assert.equal(await started.server.time(3), 300);
      assert.equal(await started.server.time(1), 100);
      await started.server.close();
    });
  },
});

Deno.test({
  name: "TorchStepServer skips without PyTorch",
  ignore: !python3Available,
  async fn() {
    await withScript(NO_TORCH, async (script) => {
      const started = await TorchStepServer.start(OPTIONS, script);
      assert.deepEqual(started, { status: "skipped", reason: "PyTorch is not installed" });
    });
  },
});

Deno.test({
  name: "TorchStepServer reports a failed start",
  ignore: !python3Available,
  async fn() {
    const failing = "import sys\nprint('out of memory', file=sys.stderr)\nsys.exit(1)\n";
    await withScript(failing, async (script) => {
      await assert.rejects(TorchStepServer.start(OPTIONS, script), /exit 1\): out of memory/);
    });
  },
});

Deno.test({
  name: "TorchStepServer rejects a non-JSON start",
  ignore: !python3Available,
  async fn() {
    const chatty = "import sys, time\nprint('loading', flush=True)\ntime.sleep(60)\n";
    await withScript(chatty, async (script) => {
      await assert.rejects(TorchStepServer.start(OPTIONS, script), /printed "loading", not a JSON line/);
    });
  },
});

Deno.test({
  name: "TorchStepServer reports a stopped server",
  ignore: !python3Available,
  async fn() {
    const stopping = `
import json, sys
print(json.dumps({"ready": True, "torch": "stand-in", "threads": 1}), flush=True)
sys.stdin.readline()
print("crashed", file=sys.stderr)
sys.exit(5)
`;
    await withScript(stopping, async (script) => {
      const started = await TorchStepServer.start(OPTIONS, script);
      assert.equal(started.status, "started");
      if (started.status !== "started") return;
      await assert.rejects(started.server.time(1), /stopped \(exit 5\): crashed/);
      await started.server.close();
    });
  },
});

Deno.test({
  name: "compareWithTorch alternates rounds",
  ignore: !python3Available,
  sanitizeResources: false,
  async fn() {
    await tf.setBackend("cpu");
    const lines: string[] = [];
    const before = tf.memory().numTensors;
    const rounds = await withScript(
      SERVING,
      (script) => compareWithTorch(OPTIONS, 2, (line) => lines.push(line), script),
    );
    assert.equal(tf.memory().numTensors, before, "tensors leaked");
    assert.equal(rounds.length, 2);
    assert.equal(lines.length, 2);
    for (const round of rounds) {
      assert.ok(round.tfjsImagesPerSecond > 0);
      assert.deepEqual(round.torch, {
        status: "measured",
        imagesPerSecond: 100,
        torchVersion: "stand-in",
        threads: 1,
      });
    }
  },
});

Deno.test({
  name: "compareWithTorch times tfjs without PyTorch",
  ignore: !python3Available,
  sanitizeResources: false,
  async fn() {
    await tf.setBackend("cpu");
    const rounds = await withScript(NO_TORCH, (script) => compareWithTorch(OPTIONS, 4, () => {}, script));
    assert.equal(rounds.length, 1);
    assert.ok(rounds[0].tfjsImagesPerSecond > 0);
    assert.deepEqual(rounds[0].torch, { status: "skipped", reason: "PyTorch is not installed" });
  },
});
