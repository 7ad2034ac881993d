"use strict";
/**
 * Drives the real `@pulumi/pulumi` dynamic provider host over gRPC, exactly as the Pulumi engine does
 * (docs/design/pulumi-engine.md#testing-without-the-pulumi-cli): spawn
 * `@pulumi/pulumi/cmd/dynamic-provider`, read its port from the first stdout line, then call Configure,
 * Check, Diff, Create, Read, Update and Delete with the serialized provider in the properties.
 * The host is given the address of an engine server of ours that takes its Log calls (the provider's lines,
 * with the URN of the resource each is about) as the engine does. Only the engine's own bookkeeping (state
 * file, plan, parallelism) is missing. Used by the demo, the benchmark, the soak run and the host tests.
 */
const { spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");
const grpc = require("@grpc/grpc-js");
const providerGrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
const providerPb = require("@pulumi/pulumi/proto/provider_pb");
const engineGrpc = require("@pulumi/pulumi/proto/engine_grpc_pb");
const { Empty } = require("google-protobuf/google/protobuf/empty_pb");
const { Struct } = require("google-protobuf/google/protobuf/struct_pb");

const TYPE = "pulumi-nodejs:dynamic/partnercenter:ResellerRelationship";
/** The engine wraps secret config values like this; the host unwraps them before `configure`. */
const SECRET_SIG = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };
const ROOT = path.resolve(__dirname, "../..");
/** The partner tenant of the emulator's sample estate. */
const PARTNER_TENANT_ID = "0a0a0a0a-0000-4000-8000-00000000000a";

/** @typedef {Record<string, unknown>} Props */
/** @typedef {{ name: string, type: string, inputs: Props }} DeclaredResource */

/**
 * Runs a Pulumi program under `pulumi.runtime.setMocks` and returns the resources it declares, each with the
 * real serialized `__provider` in its inputs. The program's own module is loaded fresh.
 * @param {() => unknown} program a function that declares resources (e.g. `() => require(programPath)`)
 * @param {Record<string, string>} [config] stack config visible to the program
 * @returns {Promise<{ resources: DeclaredResource[] }>}
 */
async function runProgram(program, config = {}) {
  const pulumi = require("@pulumi/pulumi");
  /** @type {DeclaredResource[]} */
  const resources = [];
  pulumi.runtime.setAllConfig(config);
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        resources.push({ name: args.name, type: args.type, inputs: args.inputs });
        return { id: `${args.name}-preview`, state: args.inputs };
      },
      call: () => ({}),
    },
    "project",
    "stack",
    false,
  );
  program();
  // Wait until every registration the program started has reached the mocks (serializing the provider is
  // asynchronous): the same wait the SDK does before a program ends. A fixed sleep would race on a slow machine.
  await require("@pulumi/pulumi/runtime/settings").waitForRPCs();
  return { resources };
}

/** The `__provider` text of a real `new ResellerRelationship(...)`. @returns {Promise<string>} */
async function captureProviderText() {
  const { resources } = await runProgram(() => {
    const { ResellerRelationship } = require("pulumi-partner-center");
    new ResellerRelationship("capture", { customerId: "11111111-1111-4111-8111-111111111111" });
  });
  const text = resources[0] && resources[0].inputs.__provider;
  if (typeof text !== "string") throw new Error("the program did not register a resource with __provider");
  return text;
}

/** @param {string} name */
function urn(name, type = TYPE) {
  return `urn:pulumi:stack::project::${type}::${name}`;
}

/**
 * The engine's Log call, as the host reaches it: each line is recorded with its URN and severity, and its text
 * joins the host's output where the CLI would show it. The engine's other calls answer UNIMPLEMENTED.
 * @param {{ urn: string, severity: number, message: string }[]} logs @param {string[]} stdout
 */
async function startEngine(logs, stdout) {
  const server = new grpc.Server();
  server.addService(engineGrpc.EngineService, {
    /** @param {any} call @param {(e: null, r: unknown) => void} done */
    log(call, done) {
      const r = call.request;
      logs.push({ urn: r.getUrn(), severity: r.getSeverity(), message: r.getMessage() });
      stdout.push(`${r.getMessage()}\n`);
      done(null, new Empty());
    },
  });
  const port = await new Promise((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  return { server, address: `127.0.0.1:${port}` };
}

/** A running provider host and a gRPC client to it. */
class Host {
  /**
   * Starts the host with `cwd` as the Pulumi project directory.
   * @param {{ providerText: string, cwd?: string, env?: NodeJS.ProcessEnv }} opts
   * @returns {Promise<Host>}
   */
  static async start(opts) {
    const cwd = opts.cwd || ROOT;
    const hostPath = require.resolve("@pulumi/pulumi/cmd/dynamic-provider", { paths: [cwd, ROOT] });
    /** @type {{ urn: string, severity: number, message: string }[]} */
    const logs = [];
    /** @type {string[]} */
    const stdout = [];
    const engine = await startEngine(logs, stdout);
    const child = spawn(process.execPath, [hostPath, engine.address], {
      cwd,
      env: {
        PATH: process.env.PATH,
        PULUMI_NODEJS_PROJECT: "project",
        PULUMI_NODEJS_STACK: "stack",
        ...opts.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const host = new Host(child, opts.providerText, { logs, stdout, server: engine.server });
    const port = await new Promise((resolve, reject) => {
      let buf = "";
      /** @param {Buffer} d */
      const onData = (d) => {
        buf += d.toString();
        const nl = buf.indexOf("\n");
        if (nl < 0) return;
        child.stdout.off("data", onData);
        host.stdout.push(buf.slice(nl + 1));
        child.stdout.on("data", (x) => host.stdout.push(x.toString()));
        resolve(Number(buf.slice(0, nl).trim()));
      };
      child.stdout.on("data", onData);
      child.once("exit", (code) =>
        reject(new Error(`provider host exited (${code}): ${host.stderr.join("")}`)),
      );
    });
    host.client = new providerGrpc.ResourceProviderClient(
      `127.0.0.1:${port}`,
      grpc.credentials.createInsecure(),
      {
        "grpc.max_receive_message_length": 64 * 1024 * 1024,
      },
    );
    return host;
  }

  /**
   * @param {import("node:child_process").ChildProcess} child
   * @param {string} providerText
   * @param {{ logs: { urn: string, severity: number, message: string }[], stdout: string[], server: any }} engine
   */
  constructor(child, providerText, engine) {
    this.child = child;
    this.providerText = providerText;
    /** What the host printed, and the lines it sent the engine, in the order they came. */
    this.stdout = engine.stdout;
    /** The lines the host sent the engine's Log call, each with the URN it names. */
    this.logs = engine.logs;
    this.engine = engine.server;
    /** @type {string[]} */
    this.stderr = [];
    /** @type {any} */
    this.client = undefined;
    /** @type {string | undefined} GDAP: the type token of an as() view; ResellerRelationship's when unset */
    this.type = undefined;
    if (child.stderr) child.stderr.on("data", (d) => this.stderr.push(d.toString()));
  }

  /**
   * @param {string} method
   * @param {unknown} req
   * @returns {Promise<any>}
   */
  call(method, req) {
    return new Promise((resolve, reject) => {
      this.client[method](req, (/** @type {Error|null} */ e, /** @type {any} */ res) =>
        e ? reject(e) : resolve(res),
      );
    });
  }

  /**
   * GDAP: this host (same process, same configure) driving another resource type, as one engine
   * provider process serves every dynamic resource of a stack.
   * @param {string} providerText the other type's serialized provider @param {string} type its type token
   * @returns {Host}
   */
  as(providerText, type) {
    return Object.create(this, { providerText: { value: providerText }, type: { value: type } });
  }

  /** @param {Props} p */
  withProvider(p) {
    return { ...p, __provider: this.providerText };
  }

  /**
   * Configure with stack config (`partnercenter:*` keys); `secretKeys` are wrapped as the engine wraps secrets.
   * @param {Record<string, string>} config
   * @param {string[]} [secretKeys]
   */
  async configure(config, secretKeys = []) {
    /** @type {Props} */
    const args = {};
    for (const [k, v] of Object.entries(config))
      args[k] = secretKeys.includes(k) ? { ...SECRET_SIG, value: v } : v;
    const req = new providerPb.ConfigureRequest();
    req.setArgs(Struct.fromJavaScript(args));
    req.setAcceptsecrets(true);
    await this.call("configure", req);
  }

  /**
   * Configure for the emulator at `url`, as a stack whose `partnercenter:*` config points at it, with the
   * client secret and refresh token as secrets (dummy values unless given).
   * @param {string} url
   * @param {{ clientSecret?: string, refreshToken?: string, clientId?: string }} [creds]
   * @param {Record<string, string>} [extra] more stack config, e.g. `partnercenter:auditLog`
   */
  async configureEmulator(url, creds = {}, extra = {}) {
    await this.configure(
      {
        ...extra,
        "partnercenter:endpoint": url,
        "partnercenter:authority": url,
        "partnercenter:graphEndpoint": url, // GDAP: the emulator speaks Graph's GDAP routes too
        "partnercenter:tenantId": PARTNER_TENANT_ID,
        "partnercenter:clientId": creds.clientId || "emulator-client",
        "partnercenter:clientSecret": creds.clientSecret || "emulator-dummy-secret",
        "partnercenter:refreshToken": creds.refreshToken || "emulator-dummy-refresh-token",
        // The emulator listens on loopback over plain http: credentials go there only when asked for.
        "partnercenter:allowLoopbackWithCredentials": "true",
      },
      ["partnercenter:clientSecret", "partnercenter:refreshToken"],
    );
  }

  /**
   * @param {string} name
   * @param {Props} news
   * @param {Props} [olds]
   * @returns {Promise<{ inputs: Props, failures: { property: string, reason: string }[] }>}
   */
  async check(name, news, olds = {}) {
    const req = new providerPb.CheckRequest();
    req.setUrn(urn(name, this.type)); // GDAP: the type of an as() view
    req.setOlds(Struct.fromJavaScript(Object.keys(olds).length ? this.withProvider(olds) : {}));
    req.setNews(Struct.fromJavaScript(this.withProvider(news)));
    const res = await this.call("check", req);
    return {
      inputs: res.getInputs().toJavaScript(),
      failures: res
        .getFailuresList()
        .map((/** @type {any} */ f) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }

  /**
   * @param {string} name @param {string} id @param {Props} olds @param {Props} news
   * @returns {Promise<{ changes: number, replaces: string[], deleteBeforeReplace: boolean }>}
   */
  async diff(name, id, olds, news) {
    const req = new providerPb.DiffRequest();
    req.setId(id);
    req.setUrn(urn(name, this.type)); // GDAP: the type of an as() view
    req.setOlds(Struct.fromJavaScript(this.withProvider(olds)));
    req.setNews(Struct.fromJavaScript(this.withProvider(news)));
    const res = await this.call("diff", req);
    return {
      changes: res.getChanges(),
      replaces: res.getReplacesList(),
      deleteBeforeReplace: res.getDeletebeforereplace(),
    };
  }

  /** @param {string} name @param {Props} props @returns {Promise<{ id: string, props: Props }>} */
  async create(name, props) {
    const req = new providerPb.CreateRequest();
    req.setUrn(urn(name, this.type)); // GDAP: the type of an as() view
    req.setProperties(Struct.fromJavaScript(this.withProvider(props)));
    const res = await this.call("create", req);
    return { id: res.getId(), props: res.getProperties().toJavaScript() };
  }

  /**
   * @param {string} name @param {string} id @param {Props} props @param {Props} [inputs]
   * @returns {Promise<{ id: string, props: Props, inputs: Props | undefined }>}
   */
  async read(name, id, props, inputs) {
    const req = new providerPb.ReadRequest();
    req.setId(id);
    req.setUrn(urn(name, this.type)); // GDAP: the type of an as() view
    req.setProperties(Struct.fromJavaScript(this.withProvider(props)));
    if (inputs) req.setInputs(Struct.fromJavaScript(this.withProvider(inputs)));
    const res = await this.call("read", req);
    const p = res.getProperties();
    const i = res.getInputs();
    return { id: res.getId(), props: p ? p.toJavaScript() : {}, inputs: i ? i.toJavaScript() : undefined };
  }

  /** @param {string} name @param {string} id @param {Props} olds @param {Props} news @returns {Promise<Props>} */
  async update(name, id, olds, news) {
    const req = new providerPb.UpdateRequest();
    req.setId(id);
    req.setUrn(urn(name, this.type)); // GDAP: the type of an as() view
    req.setOlds(Struct.fromJavaScript(this.withProvider(olds)));
    req.setNews(Struct.fromJavaScript(this.withProvider(news)));
    const res = await this.call("update", req);
    return res.getProperties().toJavaScript();
  }

  /** @param {string} name @param {string} id @param {Props} props */
  async delete(name, id, props) {
    const req = new providerPb.DeleteRequest();
    req.setId(id);
    req.setUrn(urn(name, this.type)); // GDAP: the type of an as() view
    req.setProperties(Struct.fromJavaScript(this.withProvider(props)));
    await this.call("delete", req);
  }

  /** Everything the host printed so far (stdout after the port line, and stderr). */
  output() {
    return this.stdout.join("") + this.stderr.join("");
  }

  /** Resident memory of the host process in MiB, from /proc (Linux), or undefined. */
  rssMiB() {
    try {
      const status = fs.readFileSync(`/proc/${this.child.pid}/status`, "utf8");
      const kb = /VmRSS:\s+(\d+)/.exec(status);
      return kb ? Number(kb[1]) / 1024 : undefined;
    } catch {
      return undefined;
    }
  }

  async stop() {
    if (this.client) this.client.close();
    this.engine.forceShutdown();
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    await new Promise((resolve) => {
      this.child.once("exit", () => resolve(undefined));
      this.child.kill("SIGTERM");
    });
  }
}

/**
 * Runs `fn` over `items` with at most `limit` at once, as the engine runs resources (`--parallel`).
 * @template T, R
 * @param {readonly T[]} items @param {number} limit @param {(t: T, i: number) => Promise<R>} fn
 * @returns {Promise<R[]>}
 */
async function mapLimit(items, limit, fn) {
  /** @type {R[]} */
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** @param {Props} p @returns {Props} */
function withoutProvider(p) {
  const { __provider: _p, ...rest } = p;
  return rest;
}

module.exports = {
  Host,
  runProgram,
  captureProviderText,
  withoutProvider,
  mapLimit,
  PARTNER_TENANT_ID,
  TYPE,
  urn,
  SECRET_SIG,
  ROOT,
};
