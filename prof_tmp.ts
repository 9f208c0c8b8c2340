import "./compat/node_util_shim.ts";
import "@tensorflow/tfjs-node";
import * as tf from "@tensorflow/tfjs";
import { createResNet18 } from "./engine/resnet.ts";
import { NesterovSgd } from "./engine/sgd.ts";
import { trainStep } from "./engine/train_step.ts";
import { forwardResNet18 } from "./engine/resnet_forward.ts";
import { softCrossEntropy } from "./metrics/soft_cross_entropy.ts";
await tf.setBackend("tensorflow");
const width = Number(Deno.args[0] ?? 0.25);
const model = createResNet18({ numClasses: 10, width, imageSide: 32, seed: 0 });
const opt = new NesterovSgd({ momentum: 0.9, weightDecay: 5e-4, decayed: model.decayed });
const x = tf.randomNormal([128, 32, 32, 3]) as tf.Tensor4D;
const y = tf.oneHot(tf.zeros([128], "int32"), 10).toFloat() as tf.Tensor2D;
for (let i = 0; i < 3; i++) await trainStep(model, opt, x, y, 0.1);
let t = performance.now();
for (let i = 0; i < 5; i++) await trainStep(model, opt, x, y, 0.1);
console.log("full step img/s", (5 * 128) / ((performance.now() - t) / 1000));
t = performance.now();
for (let i = 0; i < 5; i++) {
  const l = tf.tidy(() => { const { value, grads } = tf.variableGrads(() => { const f = forwardResNet18(model, x, true); f.updates.forEach(u=>{u.mean.dispose();u.variance.dispose();}); return softCrossEntropy(f.logits, y); }, [...model.trainable.values()]); return value; });
  await l.data(); l.dispose();
}
console.log("fwd+bwd img/s", (5 * 128) / ((performance.now() - t) / 1000));
t = performance.now();
for (let i = 0; i < 5; i++) { const l = tf.tidy(() => forwardResNet18(model, x, false).logits.sum()); await l.data(); l.dispose(); }
console.log("fwd eval img/s", (5 * 128) / ((performance.now() - t) / 1000));
