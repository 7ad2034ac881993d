"use strict";
/**
 * Runs inside the temporary project scripts/oldest-pulumi.js builds: the oldest @pulumi/pulumi we support, our
 * packed tarballs, nothing from the workspace. It does what the engine does with a dynamic provider: a program
 * under setMocks serializes the providers, then the SDK's own provider host (`cmd/dynamic-provider`) is driven
 * over gRPC through Configure, Check, Create, Read, Diff, Update and Delete against the emulator on loopback.
 */
const assert = require("node:assert/strict");
const { spawn } = require("node:child_process");
const grpc = require("@grpc/grpc-js");
const pulumi = require("@pulumi/pulumi");
const providerGrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
const pb = require("@pulumi/pulumi/proto/provider_pb");
const { Struct } = require("google-protobuf/google/protobuf/struct_pb");
const { startEmulator, SAMPLE_CUSTOMERS } = require("pulumi-partner-center-emulator");

const PARTNER_TENANT_ID = "0a0a0a0a-0000-4000-8000-00000000000a";
/** How the engine marks a secret config value; the host unwraps it before `configure`. */
const SECRET = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };
const ROLE = "729827e3-9c14-49f7-bb1b-9608f156bbb8";

/** The `__provider` text of each resource type, as this SDK serializes it. */
async function providerTexts() {
  /** @type {Record<string, string>} */
  const texts = {};
  await pulumi.runtime.setMocks(
    {
      newResource: (a) => {
        texts[a.type] = a.inputs.__provider;
        return { id: `${a.name}-id`, state: a.inputs };
      },
      call: () => ({}),
    },
    "project",
    "stack",
    false,
  );
  const pcc = require("pulumi-partner-center");
  new pcc.ResellerRelationship("r", { customerId: SAMPLE_CUSTOMERS.clean });
  new pcc.DelegatedAdminRelationship("g", {
    customerId: SAMPLE_CUSTOMERS.clean,
    duration: "P730D",
    roles: [ROLE],
  });
  new pcc.DelegatedAdminAccessAssignment("a", {
    relationshipId: "x",
    securityGroupId: "869713c9-0b28-4d08-8949-ae07ae1bf528",
    roles: [ROLE],
  });
  await require("@pulumi/pulumi/runtime/settings").waitForRPCs();
  return texts;
}

/** Starts the SDK's dynamic provider host in this project and connects to it. */
async function startHost() {
  const child = spawn(
    process.execPath,
    [require.resolve("@pulumi/pulumi/cmd/dynamic-provider"), "127.0.0.1:1"],
    {
      env: { PATH: process.env.PATH, PULUMI_NODEJS_PROJECT: "project", PULUMI_NODEJS_STACK: "stack" },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const port = await new Promise((resolve, reject) => {
    child.stdout.once("data", (d) => resolve(Number(String(d).split("\n")[0])));
    child.once("exit", (code) => reject(new Error(`the provider host exited (${code})`)));
  });
  const client = new providerGrpc.ResourceProviderClient(
    `127.0.0.1:${port}`,
    grpc.credentials.createInsecure(),
  );
  /** @param {string} method @param {any} req @returns {Promise<any>} */
  const call = (method, req) =>
    new Promise((resolve, reject) => client[method](req, (e, res) => (e ? reject(e) : resolve(res))));
  const stop = () => {
    client.close();
    child.kill("SIGTERM");
  };
  return { call, stop };
}

async function main() {
  const sdk = require("@pulumi/pulumi/package.json").version;
  const texts = await providerTexts();
  const emulator = await startEmulator({ throttle: false });
  const host = await startHost();
  try {
    const configure = new pb.ConfigureRequest();
    configure.setArgs(
      Struct.fromJavaScript({
        "partnercenter:endpoint": emulator.url,
        "partnercenter:authority": emulator.url,
        "partnercenter:graphEndpoint": emulator.url,
        "partnercenter:tenantId": PARTNER_TENANT_ID,
        "partnercenter:clientId": "oldest-sdk-client",
        "partnercenter:clientSecret": { ...SECRET, value: "oldest-sdk-secret" },
        "partnercenter:refreshToken": { ...SECRET, value: "oldest-sdk-refresh-token" },
        "partnercenter:allowLoopbackWithCredentials": "true",
      }),
    );
    configure.setAcceptsecrets(true);
    await host.call("configure", configure);

    /** A request of `Type` for the resource `name` of `type`, its Struct fields set from plain objects. */
    const request = (Type, type, name, fields) => {
      const req = new Type();
      req.setUrn(`urn:pulumi:stack::project::pulumi-nodejs:dynamic/partnercenter:${type}::${name}`);
      for (const [k, v] of Object.entries(fields)) {
        const setter = `set${k[0].toUpperCase()}${k.slice(1)}`;
        const withText = (p) =>
          Struct.fromJavaScript({ ...p, __provider: texts[`pulumi-nodejs:dynamic/partnercenter:${type}`] });
        // null: an empty Struct (Check's olds for a new resource), without the provider text.
        req[setter](v === null ? Struct.fromJavaScript({}) : typeof v === "object" ? withText(v) : v);
      }
      return req;
    };
    const plain = (s) => {
      const { __provider: _p, ...rest } = s.toJavaScript();
      return rest;
    };
    const R = "ResellerRelationship";
    const id = SAMPLE_CUSTOMERS.clean;

    const checked = await host.call(
      "check",
      request(pb.CheckRequest, R, "clean", { olds: null, news: { customerId: id.toUpperCase() } }),
    );
    assert.deepEqual(checked.getFailuresList(), []);
    assert.equal(plain(checked.getInputs()).customerId, id);

    const created = await host.call(
      "create",
      request(pb.CreateRequest, R, "clean", { properties: { customerId: id } }),
    );
    assert.equal(created.getId(), id);
    assert.equal(plain(created.getProperties()).relationshipToPartner, "reseller");

    const read = await host.call(
      "read",
      request(pb.ReadRequest, R, "clean", {
        id,
        properties: plain(created.getProperties()),
        inputs: { customerId: id },
      }),
    );
    assert.equal(plain(read.getProperties()).removable, true);
    // read() returning inputs (what the floor version added): a refresh shows no spurious diff.
    assert.deepEqual(read.getInputs() && plain(read.getInputs()), { customerId: id });

    const olds = plain(read.getProperties());
    const same = await host.call(
      "diff",
      request(pb.DiffRequest, R, "clean", { id, olds, news: { customerId: id } }),
    );
    assert.equal(same.getChanges(), pb.DiffResponse.DiffChanges.DIFF_NONE);
    const news = { customerId: id, suspendActiveSubscriptions: true };
    const some = await host.call("diff", request(pb.DiffRequest, R, "clean", { id, olds, news }));
    assert.equal(some.getChanges(), pb.DiffResponse.DiffChanges.DIFF_SOME);
    const updated = await host.call("update", request(pb.UpdateRequest, R, "clean", { id, olds, news }));
    assert.equal(plain(updated.getProperties()).suspendActiveSubscriptions, true);

    await host.call(
      "delete",
      request(pb.DeleteRequest, R, "clean", { id, properties: plain(updated.getProperties()) }),
    );
    const customer = emulator.state().customers.find((c) => c.id === id);
    assert.equal(customer && customer.relationshipToPartner, "none");

    // The GDAP subpaths load and reach Graph through the same host.
    const G = "DelegatedAdminRelationship";
    const gdap = { customerId: id, displayName: "oldest-sdk", duration: "P730D", roles: [ROLE] };
    const gChecked = await host.call("check", request(pb.CheckRequest, G, "g", { olds: null, news: gdap }));
    assert.deepEqual(gChecked.getFailuresList(), []);
    const gCreated = await host.call(
      "create",
      request(pb.CreateRequest, G, "g", { properties: plain(gChecked.getInputs()) }),
    );
    assert.equal(plain(gCreated.getProperties()).status, "approvalPending");
    const access = {
      relationshipId: gCreated.getId(),
      securityGroupId: "869713c9-0b28-4d08-8949-ae07ae1bf528",
      roles: [ROLE],
    };
    const aChecked = await host.call(
      "check",
      request(pb.CheckRequest, "DelegatedAdminAccessAssignment", "a", { olds: null, news: access }),
    );
    assert.deepEqual(aChecked.getFailuresList(), []);

    process.stdout.write(
      `oldest-pulumi: @pulumi/pulumi ${sdk}: configure, check, create, read (with inputs), diff, update, delete, GDAP create: ok\n`,
    );
  } finally {
    host.stop();
    await emulator.close();
  }
}

main().catch((e) => {
  process.stderr.write(`oldest-pulumi: ${e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
