#!/usr/bin/env node
/**
 * Generates provider/schema.json, the Pulumi package schema the provider plugin serves (GetSchema), from what
 * already defines the provider, so nothing is written twice:
 * - resource inputs: the zod input schemas of the dynamic modules (types, required), with the descriptions of the
 *   `*Args` interfaces of the TypeScript resources;
 * - outputs: the resource classes' declared outputs (types and descriptions);
 * - config: the settings table of settings.ts (keys, types, environment variables, secrets, defaults,
 *   descriptions).
 *
 *   node scripts/gen-schema.js          write provider/schema.json (after `npm run build`)
 *   node scripts/gen-schema.js --check  exit 1 when the committed file differs
 */
const fs = require("node:fs");
const path = require("node:path");
const ts = require("typescript");

const ROOT = path.join(__dirname, "..");
const SRC = path.join(ROOT, "provider", "src");
const OUT = path.join(ROOT, "provider", "schema.json");
const dist = (m) => require(path.join(ROOT, "provider", "dist", m));

/** Outputs whose declarations carry no doc comment yet (in modules owned elsewhere). */
const EXTRA_DOCS = {
  "DelegatedAdminRelationship.customerDisplayName": "The customer's name, as Microsoft Graph reports it.",
  "DelegatedAdminRelationship.activatedDateTime": "When the customer approved the relationship (ISO 8601).",
  "DelegatedAdminRelationship.endDateTime": "When the relationship ends unless it is extended (ISO 8601).",
  "DelegatedAdminAccessAssignment.assignmentId":
    "The Graph id of the access assignment (also the resource id).",
  "getResellerInvitationUrl.url":
    "The link a global administrator of the customer's tenant opens to accept the reseller relationship.",
};

const RESOURCES = [
  { name: "ResellerRelationship", file: "resource.ts", module: "dynamic" },
  { name: "DelegatedAdminRelationship", file: "gdap/resource.ts", module: "dynamic-gdap" },
  { name: "DelegatedAdminAccessAssignment", file: "gdap/resource.ts", module: "dynamic-gdap-access" },
];

// ------------------------------------------------------------------------------------- TypeScript sources

const files = ["resource.ts", "gdap/resource.ts", "invitation.ts", "errors.ts"].map((f) => path.join(SRC, f));
const program = ts.createProgram(files, { strict: true, target: ts.ScriptTarget.ES2022, noEmit: true });
const checker = program.getTypeChecker();

/** A doc comment as plain text: `{@link X}` as `X`, project notes removed. */
function docOf(node) {
  const sym = node.name && checker.getSymbolAtLocation(node.name);
  if (!sym) return "";
  return ts
    .displayPartsToString(sym.getDocumentationComment(checker))
    .replace(/\{@link\s+([^}|\s]+)(?:\s*\|[^}]*)?\}/g, "$1")
    .replace(/GDAP \(issue \d+\)[.,]?\s*/g, "")
    .replace(/\s*\(issue \d+\)/g, "")
    .replace(/^./, (c) => c.toUpperCase())
    .trim();
}

function declaration(file, kind, name) {
  const sf = program.getSourceFile(path.join(SRC, file));
  let found;
  sf.forEachChild((n) => {
    if (n.kind === kind && n.name && n.name.text === name) found = n;
  });
  if (!found) throw new Error(`gen-schema: ${name} not found in ${file}`);
  return found;
}

function members(node) {
  const out = new Map();
  for (const m of node.members) if (m.name && ts.isIdentifier(m.name)) out.set(m.name.text, m);
  return out;
}

/** A schema property from a TypeScript type node (outputs). Named object types go into `types`. */
function typeSpec(node, types, nameHint) {
  if (ts.isUnionTypeNode(node)) {
    const rest = node.types.filter(
      (t) =>
        t.kind !== ts.SyntaxKind.UndefinedKeyword &&
        !(ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword),
    );
    if (rest.every((t) => ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal)))
      return { type: "string" };
    if (rest.length === 1) return typeSpec(rest[0], types, nameHint);
    throw new Error(`gen-schema: cannot map union ${node.getText()}`);
  }
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword:
      return { type: "string" };
    case ts.SyntaxKind.NumberKeyword:
      return { type: "number" };
    case ts.SyntaxKind.BooleanKeyword:
      return { type: "boolean" };
  }
  if (ts.isArrayTypeNode(node)) return { type: "array", items: typeSpec(node.elementType, types, nameHint) };
  if (ts.isTypeLiteralNode(node)) return objectType(nameHint, node, types);
  if (ts.isTypeReferenceNode(node)) {
    let sym = checker.getSymbolAtLocation(node.typeName);
    if (sym && sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
    const decl = sym && (sym.declarations || [])[0];
    if (decl && ts.isInterfaceDeclaration(decl)) return objectType(decl.name.text, decl, types);
    if (decl && ts.isTypeAliasDeclaration(decl)) return typeSpec(decl.type, types, nameHint);
  }
  throw new Error(`gen-schema: cannot map type ${node.getText()}`);
}

function objectType(name, node, types) {
  const token = `partnercenter:index:${name}`;
  if (!types[token]) {
    const properties = {};
    const required = [];
    for (const [key, m] of members(node)) {
      properties[key] = { ...typeSpec(m.type, types, key), description: docOf(m) || key };
      if (!m.questionToken) required.push(key);
    }
    types[token] = { type: "object", properties, required };
  }
  return { $ref: `#/types/${token}` };
}

// ---------------------------------------------------------------------------------------------- zod inputs

/** A schema property from zod's JSON Schema of an input (io: input). */
function fromJsonSchema(js) {
  if (js.type === "array") return { type: "array", items: fromJsonSchema(js.items) };
  if (["string", "boolean", "integer", "number"].includes(js.type)) return { type: js.type };
  throw new Error(`gen-schema: cannot map ${JSON.stringify(js)}`);
}

function described(spec, desc, where) {
  if (!desc) throw new Error(`gen-schema: ${where} has no description: add a doc comment`);
  return { ...spec, description: desc };
}

/** Inputs a front door fills in itself (the plugin from the URN's name), never set by a program. */
const INTERNAL_INPUTS = new Set(["DelegatedAdminRelationship.displayNamePrefix"]);

function resourceSpec(r, types) {
  const { z } = require("zod");
  const inputs = z.toJSONSchema(dist(r.module).inputsSchema, { io: "input", unrepresentable: "any" });
  const cls = declaration(r.file, ts.SyntaxKind.ClassDeclaration, r.name);
  const args = members(declaration(r.file, ts.SyntaxKind.InterfaceDeclaration, `${r.name}Args`));
  const outs = members(cls);
  const inputProperties = {};
  for (const [key, js] of Object.entries(inputs.properties)) {
    if (INTERNAL_INPUTS.has(`${r.name}.${key}`)) continue;
    const doc = args.has(key) ? docOf(args.get(key)) : "";
    inputProperties[key] = described(fromJsonSchema(js), doc, `${r.name}Args.${key}`);
  }
  const properties = {};
  const required = [...inputs.required];
  for (const [key, m] of outs) {
    if (!m.type || !ts.isTypeReferenceNode(m.type) || !m.type.typeArguments) continue;
    const doc = docOf(m) || inputProperties[key]?.description || EXTRA_DOCS[`${r.name}.${key}`];
    const spec = inputProperties[key]
      ? { ...inputProperties[key] }
      : typeSpec(
          m.type.typeArguments[0],
          types,
          key.replace(/s$/, "").replace(/^./, (c) => c.toUpperCase()),
        );
    properties[key] = described({ ...spec, description: undefined }, doc, `${r.name}.${key}`);
    const t = m.type.typeArguments[0];
    const optional = ts.isUnionTypeNode(t) && t.types.some((x) => x.kind === ts.SyntaxKind.UndefinedKeyword);
    if (!inputProperties[key] && !optional) required.push(key);
  }
  for (const key of Object.keys(inputProperties)) {
    if (!properties[key]) throw new Error(`gen-schema: input ${r.name}.${key} is not declared as an output`);
  }
  return {
    description: docOf(cls),
    inputProperties,
    requiredInputs: inputs.required.filter((k) => !INTERNAL_INPUTS.has(`${r.name}.${k}`)),
    properties,
    required: [...new Set(required)],
  };
}

// ------------------------------------------------------------------------------------------------- config

function configSpec() {
  const { SETTINGS } = dist("settings");
  const variables = {};
  for (const [key, spec] of Object.entries(SETTINGS)) {
    variables[key] = described(
      {
        type: spec.type,
        ...(spec.secret && { secret: true }),
        ...(spec.default !== undefined && { default: spec.default }),
        defaultInfo: { environment: [spec.env] },
      },
      spec.description && `${spec.description} Environment variable: ${spec.env}.`,
      `SETTINGS.${key}`,
    );
  }
  return variables;
}

// ------------------------------------------------------------------------------------------------- schema

function generate() {
  const pkg = require(path.join(ROOT, "provider", "package.json"));
  const types = {};
  const resources = {};
  for (const r of RESOURCES) resources[`partnercenter:index:${r.name}`] = resourceSpec(r, types);
  const variables = configSpec();
  const options = members(
    declaration("invitation.ts", ts.SyntaxKind.InterfaceDeclaration, "InvitationUrlOptions"),
  );
  const fn = declaration("invitation.ts", ts.SyntaxKind.FunctionDeclaration, "getResellerInvitationUrl");
  return {
    name: "partnercenter",
    displayName: "Microsoft Partner Center",
    version: pkg.version,
    description:
      "Manage a CSP partner's reseller relationships and GDAP admin relationships with its customers.",
    keywords: ["pulumi", "partnercenter", "csp", "gdap", "category/utility"],
    license: pkg.license,
    config: { variables },
    provider: {
      description: "The Partner Center provider: one partner tenant's credentials and endpoints.",
      inputProperties: variables,
    },
    resources,
    functions: {
      "partnercenter:index:getResellerInvitationUrl": {
        description: docOf(fn),
        inputs: {
          properties: {
            indirectResellerId: described(
              { type: "string" },
              docOf(options.get("indirectResellerId")),
              "indirectResellerId",
            ),
          },
        },
        outputs: {
          properties: { url: { type: "string", description: EXTRA_DOCS["getResellerInvitationUrl.url"] } },
          required: ["url"],
        },
      },
    },
    types,
    language: {
      nodejs: {
        packageName: "@pulumi-partner-center/partnercenter",
        dependencies: { "@pulumi/pulumi": "^3.0.0" },
      },
      python: { packageName: "pulumi_partnercenter" },
      csharp: { rootNamespace: "PartnerCenter" },
      go: { importBasePath: "github.com/partner-center/pulumi-partner-center/sdk/go/partnercenter" },
    },
  };
}

const text = () => `${JSON.stringify(generate(), null, 2)}\n`;

module.exports = { generate, text, OUT };

if (require.main === module) {
  const t = text();
  if (process.argv.includes("--check")) {
    if (fs.readFileSync(OUT, "utf8") !== t) {
      console.error("provider/schema.json is stale: run `npm run build && node scripts/gen-schema.js`.");
      process.exit(1);
    }
  } else {
    fs.writeFileSync(OUT, t);
    console.log(`wrote ${path.relative(ROOT, OUT)}`);
  }
}
