/**
 * The provider plugin `pulumi-resource-partnercenter` over gRPC, spawned through its launcher exactly as the
 * engine starts it (engine address as argument, port on the first stdout line), against the emulator.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { startEmulator, SAMPLE_CUSTOMERS as ID, type Emulator } from "pulumi-partner-center-emulator";
/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
const rpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
const pb = require("@pulumi/pulumi/proto/provider_pb");
const { Empty } = require("google-protobuf/google/protobuf/empty_pb");

const LAUNCHER = path.join(__dirname, "../../provider/bin/pulumi-resource-partnercenter");
const RR = "partnercenter:index:ResellerRelationship";
const SECRET = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270" };
const PARTNER_TENANT_ID = "0a0a0a0a-0000-4000-8000-00000000000a";

class Plugin {
  constructor(
    private readonly child: ChildProcess,
    readonly client: any,
    readonly stderr: () => string,
  ) {}
  static async start(): Promise<Plugin> {
    // An address nobody listens on: log lines to the engine fail quietly, as in the dynamic host's tests.
    const child = spawn(LAUNCHER, ["127.0.0.1:1"], { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr!.on("data", (d) => (err += d));
    const port = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (d) => {
        out += d;
        if (out.includes("\n")) resolve(out.split("\n")[0]!.trim());
      });
      child.on("exit", (code) => reject(new Error(`plugin exited ${code}: ${err}`)));
    });
    const client = new rpc.ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    return new Plugin(child, client, () => err);
  }
  call<T = any>(method: string, req: unknown): Promise<T> {
    return new Promise((resolve, reject) =>
      this.client[method](req, (e: Error | null, r: T) => (e ? reject(e) : resolve(r))),
    );
  }
  async configure(args: Record<string, unknown>) {
    const req = new pb.ConfigureRequest();
    req.setArgs(Struct.fromJavaScript(args as any));
    req.setAcceptsecrets(true);
    return this.call("configure", req);
  }
  async checkConfig(news: Record<string, unknown>) {
    const req = new pb.CheckRequest();
    req.setUrn("urn:pulumi:test::p::pulumi:providers:partnercenter::default");
    req.setOlds(Struct.fromJavaScript({}));
    req.setNews(Struct.fromJavaScript(news as any));
    const r = await this.call("checkConfig", req);
    return r.getFailuresList().map((f: any) => ({ property: f.getProperty(), reason: f.getReason() }));
  }
  async check(type: string, olds: Record<string, unknown>, news: Record<string, unknown>) {
    const req = new pb.CheckRequest();
    req.setUrn(`urn:pulumi:test::p::${type}::r`);
    req.setType(type);
    req.setOlds(Struct.fromJavaScript(olds as any));
    req.setNews(Struct.fromJavaScript(news as any));
    const r = await this.call("check", req);
    return {
      inputs: r.getInputs()?.toJavaScript(),
      failures: r.getFailuresList().map((f: any) => ({ property: f.getProperty(), reason: f.getReason() })),
    };
  }
  async create(type: string, props: Record<string, unknown>) {
    const req = new pb.CreateRequest();
    req.setUrn(`urn:pulumi:test::p::${type}::r`);
    req.setType(type);
    req.setProperties(Struct.fromJavaScript(props as any));
    const r = await this.call("create", req);
    return { id: r.getId(), props: r.getProperties()?.toJavaScript() };
  }
  async read(type: string, id: string, props: Record<string, unknown> = {}) {
    const req = new pb.ReadRequest();
    req.setUrn(`urn:pulumi:test::p::${type}::r`);
    req.setType(type);
    req.setId(id);
    req.setProperties(Struct.fromJavaScript(props as any));
    const r = await this.call("read", req);
    return { id: r.getId(), props: r.getProperties()?.toJavaScript(), inputs: r.getInputs()?.toJavaScript() };
  }
  async delete(type: string, id: string, props: Record<string, unknown>) {
    const req = new pb.DeleteRequest();
    req.setUrn(`urn:pulumi:test::p::${type}::r`);
    req.setType(type);
    req.setId(id);
    req.setProperties(Struct.fromJavaScript(props as any));
    return this.call("delete", req);
  }
  async invoke(tok: string, args: Record<string, unknown>) {
    const req = new pb.InvokeRequest();
    req.setTok(tok);
    req.setArgs(Struct.fromJavaScript(args as any));
    const r = await this.call("invoke", req);
    return r.getReturn()?.toJavaScript();
  }
  async stop() {
    this.client.close();
    this.child.kill();
  }
}

let emulator: Emulator;
let plugin: Plugin;
beforeEach(async () => {
  emulator = await startEmulator({ throttle: false });
  plugin = await Plugin.start();
});
afterEach(async () => {
  await plugin.stop();
  await emulator.close();
});

const settings = () => ({
  endpoint: emulator.url,
  authority: emulator.url,
  tenantId: PARTNER_TENANT_ID,
  clientId: "local-client",
  clientSecret: { ...SECRET, value: "client-secret-6d2e1f0a-recognisable" },
  refreshToken: { ...SECRET, value: "refresh-token-9c4b3a21-recognisable" },
  allowLoopbackWithCredentials: true,
  version: "0.1.0",
});

test("Configure takes the provider's own inputs (bare keys, secrets wrapped): create adopts from that endpoint", async () => {
  await plugin.configure(settings());
  const checked = await plugin.check(RR, {}, { customerId: ID.clean.toUpperCase() });
  expect(checked.failures).toEqual([]);
  const created = await plugin.create(RR, checked.inputs);
  expect(created.id).toBe(ID.clean);
  expect(created.props).toMatchObject({ customerId: ID.clean, relationshipToPartner: "reseller" });
  expect(created.props).not.toHaveProperty("__provider");
  expect(JSON.stringify(created.props)).not.toMatch(/recognisable/);
  expect(emulator.requests().filter((r) => r.method === "GET").length).toBe(1);
});

test("import: Read with the id alone adopts the customer into state with GETs only", async () => {
  await plugin.configure(settings());
  const read = await plugin.read(RR, ID.clean);
  expect(read.id).toBe(ID.clean);
  expect(read.inputs).toEqual({ customerId: ID.clean });
  expect(read.props).toMatchObject({
    customerId: ID.clean,
    relationshipToPartner: "reseller",
    removable: true,
  });
  expect(emulator.requests().length).toBeGreaterThan(0);
  expect(emulator.requests().filter((r) => r.method !== "GET")).toEqual([]);
  // A customer with no reseller relationship is not found (blank id), and nothing is written either.
  expect((await plugin.read(RR, ID.noRelationship)).id).toBe("");
  await expect(plugin.read(RR, "not-a-guid")).rejects.toThrow(/tenant id, a GUID/);
  await expect(plugin.read("partnercenter:index:DelegatedAdminRelationship", "abc")).rejects.toThrow(
    /cannot be imported by its id alone/,
  );
  expect(emulator.requests().filter((r) => r.method !== "GET")).toEqual([]);
});

test("CheckConfig refuses an unknown key and names the closest one; malformed values fail too", async () => {
  expect(await plugin.checkConfig({ endpiont: "https://x" })).toEqual([
    {
      property: "endpiont",
      reason: expect.stringMatching(
        /unknown configuration key partnercenter:endpiont: did you mean partnercenter:endpoint\?/,
      ),
    },
  ]);
  expect((await plugin.checkConfig({ clientSecrett: "x" }))[0]?.reason).toMatch(
    /did you mean partnercenter:clientSecret\?/,
  );
  expect(await plugin.checkConfig(settings())).toEqual([]);
  const bad = await plugin.checkConfig({ endpoint: "http://example.com" });
  expect(bad).toEqual([
    { property: "", reason: expect.stringMatching(/partnercenter:endpoint .* must use https/) },
  ]);
});

test("DiffConfig: a changed setting is an update of the provider, never a replacement", async () => {
  const diff = async (olds: Record<string, unknown>, news: Record<string, unknown>) => {
    const req = new pb.DiffRequest();
    req.setUrn("urn:pulumi:test::p::pulumi:providers:partnercenter::default");
    req.setOlds(Struct.fromJavaScript(olds as any));
    req.setOldInputs(Struct.fromJavaScript(olds as any));
    req.setNews(Struct.fromJavaScript(news as any));
    const r = await plugin.call("diffConfig", req);
    return { changes: r.getChanges(), replaces: r.getReplacesList(), diffs: r.getDiffsList() };
  };
  const before = settings();
  expect(await diff(before, settings())).toEqual({ changes: 1, replaces: [], diffs: [] }); // DIFF_NONE
  const rotated = {
    ...before,
    endpoint: "https://api.partnercenter.microsoft.com",
    refreshToken: { ...SECRET, value: "rotated" },
  };
  expect(await diff(before, rotated)).toEqual({
    changes: 2,
    replaces: [],
    diffs: ["endpoint", "refreshToken"],
  });
});

test("the invitation-link function uses the provider's settings", async () => {
  await plugin.configure(settings());
  const r = await plugin.invoke("partnercenter:index:getResellerInvitationUrl", {});
  expect(r.url).toMatch(/^https:\/\//);
  await expect(
    plugin.invoke("partnercenter:index:getResellerInvitationUrl", { indirectResellerId: "x" }),
  ).rejects.toThrow(/indirectResellerId must be/);
});

test("delete runs the same removal rules as the dynamic provider: blockers keep the customer", async () => {
  await plugin.configure(settings());
  const id = ID.activeSubscriptions;
  await expect(plugin.delete(RR, id, { customerId: id })).rejects.toThrow(/PPC_REMOVAL_BLOCKED|block/i);
  expect(emulator.requests().filter((r) => r.method === "PATCH")).toEqual([]);
  await plugin.delete(RR, ID.clean, { customerId: ID.clean });
  expect(emulator.state().customers.find((c) => c.id === ID.clean)?.relationshipToPartner).toBe("none");
});

test("cancel answers", async () => {
  await plugin.call("cancel", new Empty());
});
