/**
 * `pulumi-resource-partnercenter`: the ResourceProvider gRPC service, served over @pulumi/pulumi's generated
 * stubs. @pulumi/pulumi's own `provider.main` (3.248) answers CheckConfig and DiffConfig UNIMPLEMENTED and drops
 * Configure's values (pulumi/pulumi#10915), so this is written out, after `cmd/dynamic-provider` of the same SDK.
 *
 * Each provider instance (the default one, or an explicit `Provider` resource) is a process of its own, so the
 * process-wide settings of configuration.ts hold exactly that instance's config.
 */
import { createRequire } from "node:module";
import * as fs from "node:fs";
import * as path from "node:path";
import type * as grpcTypes from "@grpc/grpc-js";
import type * as structTypes from "google-protobuf/google/protobuf/struct_pb";
import * as reseller from "../dynamic";
import { onBehalfOf } from "../log";
import { checkConfig, configMap, configureRequest } from "./config";
import {
  DELEGATED_ADMIN_RELATIONSHIP,
  GET_RESELLER_INVITATION_URL,
  getResellerInvitationUrl,
  readResource,
  RESOURCES,
} from "./resources";

/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */
// @grpc/grpc-js and google-protobuf are dependencies of @pulumi/pulumi: resolved from there, so the plugin needs
// nothing the package does not already depend on, and the generated stubs see the same copies.
const fromPulumi = createRequire(require.resolve("@pulumi/pulumi"));
const grpc: typeof grpcTypes = fromPulumi("@grpc/grpc-js");
const structproto: typeof structTypes = fromPulumi("google-protobuf/google/protobuf/struct_pb");
const emptyproto = fromPulumi("google-protobuf/google/protobuf/empty_pb");
const plugproto = require("@pulumi/pulumi/proto/plugin_pb");
const provproto = require("@pulumi/pulumi/proto/provider_pb");
const provrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");

/** The package's version: the plugin's, the schema's, and what state records for the provider. */
export const VERSION: string = require("../../package.json").version;

/** schema.json, generated from the zod input schemas and the resources' doc comments (scripts/gen-schema.js). */
export const SCHEMA_PATH = path.join(__dirname, "..", "..", "schema.json");

type Callback = (err: any, value?: any) => void;
type Call = { request: any };

const Struct = structproto.Struct;
const toJs = (s: structTypes.Struct | undefined): Record<string, unknown> =>
  (s?.toJavaScript() as Record<string, unknown> | undefined) ?? {};

/** Drops `undefined` at any depth: a Struct cannot hold it. */
function plain(v: unknown): any {
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === "object") {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([, x]) => x !== undefined)
        .map(([k, x]) => [k, plain(x)]),
    );
  }
  return v;
}
const toStruct = (o: Record<string, unknown>) => Struct.fromJavaScript(plain(o));

/** The error the engine shows: our typed errors' messages already name the field and the fix. */
function grpcError(e: unknown): grpcTypes.ServiceError {
  const message = e instanceof Error ? e.message : String(e);
  return Object.assign(new Error(message), {
    code: grpc.status.UNKNOWN,
    details: message,
    metadata: new grpc.Metadata(),
  });
}

function failuresList(failures: { property: string; reason: string }[] | undefined) {
  return (failures ?? []).map((f) => {
    const c = new provproto.CheckFailure();
    c.setProperty(f.property);
    c.setReason(f.reason);
    return c;
  });
}

/** Runs `fn`, answering the call with its value or its error. */
function answer<T>(callback: Callback, fn: () => Promise<T> | T): void {
  Promise.resolve()
    .then(fn)
    .then(
      (v) => callback(null, v),
      (e) => callback(grpcError(e)),
    );
}

/** {@link answer} for a call about one resource: its log lines are attributed to the resource's URN. */
function answerFor<T>(call: Call, callback: Callback, fn: () => Promise<T>): void {
  answer(callback, () => onBehalfOf(String(call.request.getUrn?.() ?? ""), fn));
}

function moduleOf(type: string) {
  const mod = RESOURCES[type];
  if (!mod)
    throw new Error(
      `unknown resource type ${type}: this provider serves ${Object.keys(RESOURCES).join(", ")}`,
    );
  return mod;
}

/** The ResourceProvider service. */
export function service(): Record<string, (call: Call, callback: Callback) => void> {
  return {
    getPluginInfo: (_call, cb) =>
      answer(cb, () => {
        const info = new plugproto.PluginInfo();
        info.setVersion(VERSION);
        return info;
      }),
    getSchema: (_call, cb) =>
      answer(cb, () => {
        const resp = new provproto.GetSchemaResponse();
        resp.setSchema(fs.readFileSync(SCHEMA_PATH, "utf8"));
        return resp;
      }),
    checkConfig: (call, cb) =>
      answer(cb, () => {
        const resp = new provproto.CheckResponse();
        resp.setInputs(call.request.getNews());
        resp.setFailuresList(failuresList(checkConfig(toJs(call.request.getNews()))));
        return resp;
      }),
    // A config change (credentials rotated, another endpoint) never replaces a resource: that would offboard
    // every customer of the stack. It only updates the provider's inputs.
    diffConfig: (call, cb) =>
      answer(cb, () => {
        const olds = configMap(toJs(call.request.getOldInputs() ?? call.request.getOlds()));
        const news = configMap(toJs(call.request.getNews()));
        const keys = new Set([...olds.keys(), ...news.keys()]);
        const changed = [...keys].filter((k) => olds.get(k) !== news.get(k));
        const resp = new provproto.DiffResponse();
        resp.setChanges(
          changed.length
            ? provproto.DiffResponse.DiffChanges.DIFF_SOME
            : provproto.DiffResponse.DiffChanges.DIFF_NONE,
        );
        resp.setDiffsList(changed.map((k) => k.replace(/^partnercenter:/, "")));
        return resp;
      }),
    configure: (call, cb) =>
      answer(cb, async () => {
        const variables: [string, string][] = call.request.getVariablesMap().toArray();
        // Every dynamic module's configure sets the same process-wide settings.
        await reseller.configure(configureRequest(configMap(toJs(call.request.getArgs()), variables)));
        const resp = new provproto.ConfigureResponse();
        // Resource inputs arrive without secret wrappers; the engine marks as secret the outputs whose inputs were.
        resp.setAcceptsecrets(false);
        resp.setSupportspreview(false);
        resp.setAcceptresources(false);
        return resp;
      }),
    check: (call, cb) =>
      answerFor(call, cb, async () => {
        const mod = moduleOf(call.request.getType() || typeFromUrn(call.request.getUrn()));
        const news = toJs(call.request.getNews());
        // Autonaming, as the DelegatedAdminRelationship class does it: the name comes from the resource's URN.
        if (mod === RESOURCES[DELEGATED_ADMIN_RELATIONSHIP] && news.displayName === undefined) {
          news.displayNamePrefix ??= call.request.getUrn().split("::").pop();
        }
        const r = await mod.check(toJs(call.request.getOlds()), news);
        const resp = new provproto.CheckResponse();
        resp.setInputs(toStruct(r.inputs ?? news));
        resp.setFailuresList(failuresList(r.failures));
        return resp;
      }),
    diff: (call, cb) =>
      answerFor(call, cb, async () => {
        const mod = moduleOf(call.request.getType() || typeFromUrn(call.request.getUrn()));
        const r = await mod.diff(
          call.request.getId(),
          toJs(call.request.getOlds()),
          toJs(call.request.getNews()),
        );
        const resp = new provproto.DiffResponse();
        resp.setChanges(
          r.changes
            ? provproto.DiffResponse.DiffChanges.DIFF_SOME
            : provproto.DiffResponse.DiffChanges.DIFF_NONE,
        );
        if (r.replaces?.length) resp.setReplacesList(r.replaces);
        if (r.deleteBeforeReplace) resp.setDeletebeforereplace(true);
        return resp;
      }),
    create: (call, cb) =>
      answerFor(call, cb, async () => {
        const mod = moduleOf(call.request.getType() || typeFromUrn(call.request.getUrn()));
        const r = await mod.create(toJs(call.request.getProperties()));
        const resp = new provproto.CreateResponse();
        resp.setId(r.id);
        resp.setProperties(toStruct(r.outs));
        return resp;
      }),
    read: (call, cb) =>
      answerFor(call, cb, async () => {
        const type = call.request.getType() || typeFromUrn(call.request.getUrn());
        const r = await readResource(
          type,
          moduleOf(type),
          call.request.getId(),
          toJs(call.request.getProperties()),
        );
        const resp = new provproto.ReadResponse();
        // A blank id: the object is gone (refresh drops it; an import reports it not found).
        resp.setId(r.id ?? "");
        if (r.props) resp.setProperties(toStruct(r.props));
        if (r.inputs) resp.setInputs(toStruct(r.inputs));
        return resp;
      }),
    update: (call, cb) =>
      answerFor(call, cb, async () => {
        const mod = moduleOf(call.request.getType() || typeFromUrn(call.request.getUrn()));
        const r = await mod.update(
          call.request.getId(),
          toJs(call.request.getOlds()),
          toJs(call.request.getNews()),
        );
        const resp = new provproto.UpdateResponse();
        resp.setProperties(toStruct(r.outs));
        return resp;
      }),
    delete: (call, cb) =>
      answerFor(call, cb, async () => {
        const mod = moduleOf(call.request.getType() || typeFromUrn(call.request.getUrn()));
        await mod.delete(call.request.getId(), toJs(call.request.getProperties()));
        return new emptyproto.Empty();
      }),
    invoke: (call, cb) =>
      answer(cb, async () => {
        const tok: string = call.request.getTok();
        if (tok !== GET_RESELLER_INVITATION_URL) {
          throw new Error(`unknown function ${tok}: this provider serves ${GET_RESELLER_INVITATION_URL}`);
        }
        const resp = new provproto.InvokeResponse();
        resp.setReturn(toStruct(await getResellerInvitationUrl(toJs(call.request.getArgs()))));
        return resp;
      }),
    cancel: (_call, cb) => answer(cb, () => new emptyproto.Empty()),
  };
}

/** `urn:pulumi:<stack>::<project>::<parent type$>...<type>::<name>`: the type, for engines that send no `type`. */
function typeFromUrn(urn: string): string {
  const qualified = urn.split("::")[2] ?? "";
  return qualified.split("$").at(-1) ?? "";
}

/** Starts the server on a free loopback port and prints the port, which the engine reads from stdout. */
export async function serve(): Promise<grpcTypes.Server> {
  const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
  server.addService(provrpc.ResourceProviderService, service() as any);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) =>
      err ? reject(err) : resolve(p),
    ),
  );
  process.stdout.write(`${port}\n`);
  return server;
}
