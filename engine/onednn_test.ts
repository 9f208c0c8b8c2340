import assert from "node:assert/strict";
import {
  checkOneDnnVariable,
  currentOneDnnSetting,
  describeOneDnn,
  type EnvironmentVariables,
  ONEDNN_VARIABLE,
  parseOneDnnValue,
  recordsOneDnn,
  resolveOneDnnSetting,
} from "./onednn.ts";
import { nativeBackendAvailable } from "./_native_test_support.ts";
import { selectBackend } from "./backend.ts";

function fakeEnvironment(value?: string): EnvironmentVariables & { values: Map<string, string> } {
  const values = new Map<string, string>();
  if (value !== undefined) values.set(ONEDNN_VARIABLE, value);
  return { values, get: (name) => values.get(name), set: (name, next) => void values.set(name, next) };
}

Deno.test("parseOneDnnValue accepts TensorFlow's values", () => {
  for (const value of ["1", "true", "TRUE", "True"]) assert.equal(parseOneDnnValue(value), true, value);
  for (const value of ["0", "false", "FALSE"]) assert.equal(parseOneDnnValue(value), false, value);
});

Deno.test("parseOneDnnValue rejects other values", () => {
  for (const value of ["", "yes", "2", " 1", "on"]) {
    assert.throws(
      () => parseOneDnnValue(value),
      (error: Error) =>
        error.message.includes(`TF_ENABLE_ONEDNN_OPTS is "${value}"`) &&
        error.message.includes("Set it to 1"),
      JSON.stringify(value),
    );
  }
});

Deno.test("checkOneDnnVariable accepts unset and valid values", () => {
  for (const value of [undefined, "0", "1", "true", "False"]) {
    assert.doesNotThrow(() => checkOneDnnVariable(fakeEnvironment(value)), String(value));
  }
  assert.throws(() => checkOneDnnVariable(fakeEnvironment("2")), /TF_ENABLE_ONEDNN_OPTS is "2"/);
});

Deno.test("resolveOneDnnSetting sets 1 where unset", () => {
  const environment = fakeEnvironment();
  assert.deepEqual(resolveOneDnnSetting(false, environment), { enabled: true, source: "suite" });
  assert.equal(environment.values.get(ONEDNN_VARIABLE), "1");
});

Deno.test("resolveOneDnnSetting keeps the user's value", () => {
  const off = fakeEnvironment("0");
  assert.deepEqual(resolveOneDnnSetting(false, off), { enabled: false, source: "environment" });
  assert.equal(off.values.get(ONEDNN_VARIABLE), "0");
  const on = fakeEnvironment("true");
  assert.deepEqual(resolveOneDnnSetting(false, on), { enabled: true, source: "environment" });
  assert.equal(on.values.get(ONEDNN_VARIABLE), "true");
});

Deno.test("resolveOneDnnSetting rejects an invalid value", () => {
  const environment = fakeEnvironment("maybe");
  assert.throws(() => resolveOneDnnSetting(false, environment), /TF_ENABLE_ONEDNN_OPTS is "maybe"/);
  assert.equal(environment.values.get(ONEDNN_VARIABLE), "maybe");
});

Deno.test("resolveOneDnnSetting after TensorFlow loaded", () => {
  const unset = fakeEnvironment();
  assert.deepEqual(resolveOneDnnSetting(true, unset), { enabled: false, source: "unknown" });
  assert.equal(unset.values.has(ONEDNN_VARIABLE), false, "left unset");
  assert.deepEqual(resolveOneDnnSetting(true, fakeEnvironment("1")), { enabled: true, source: "unknown" });
  assert.deepEqual(resolveOneDnnSetting(true, fakeEnvironment("maybe")), {
    enabled: false,
    source: "unknown",
  });
});

Deno.test("recordsOneDnn only for tensorflow", () => {
  assert.equal(recordsOneDnn("tensorflow"), true);
  for (const name of ["tensorflow-gpu", "webgpu", "wasm", "cpu"]) {
    assert.equal(recordsOneDnn(name), false, name);
  }
});

Deno.test("describeOneDnn names state and origin", () => {
  assert.equal(
    describeOneDnn({ enabled: true, source: "suite" }),
    "oneDNN on (TF_ENABLE_ONEDNN_OPTS=1, set by the suite)",
  );
  assert.equal(
    describeOneDnn({ enabled: false, source: "environment" }),
    "oneDNN off (TF_ENABLE_ONEDNN_OPTS set in the environment)",
  );
  assert.match(
    describeOneDnn({ enabled: false, source: "unknown" }),
    /^oneDNN off \(TensorFlow was loaded before/,
  );
});

Deno.test({
  name: "tensorflow backend records the setting",
  ignore: !(await nativeBackendAvailable()),
  fn() {
    const setting = currentOneDnnSetting();
    assert.notEqual(setting.source, "unknown");
    const value = Deno.env.get(ONEDNN_VARIABLE);
    assert.ok(value !== undefined, "the variable is set once the backend started");
    assert.equal(setting.enabled, parseOneDnnValue(value));
  },
});

Deno.test({
  name: "second backend start keeps the setting",
  ignore: !(await nativeBackendAvailable()),
  sanitizeResources: false,
  async fn() {
    const first = currentOneDnnSetting();
    const value = Deno.env.get(ONEDNN_VARIABLE)!;
    Deno.env.set(ONEDNN_VARIABLE, first.enabled ? "0" : "1");
    try {
      await selectBackend("tensorflow");
      assert.deepEqual(currentOneDnnSetting(), first, "TensorFlow keeps what it read at load");
    } finally {
      Deno.env.set(ONEDNN_VARIABLE, value);
    }
  },
});
