/**
 * The published JSON Schema of the estate file, generated from the zod schema that validates it (zod's
 * `z.toJSONSchema`, input side: what a user writes). `schema/estate.v1.json` in the package is this output; a
 * test keeps the two equal. Regenerate with `node provider/dist/estate/json-schema.js > provider/schema/estate.v1.json`.
 */
import { z } from "zod";
import { estateSchema, SCHEMA_ID } from "./format";

export function estateJsonSchema(): Record<string, unknown> {
  const s = z.toJSONSchema(estateSchema, { io: "input", target: "draft-2020-12" }) as Record<string, unknown>;
  return { $id: SCHEMA_ID, title: "pulumi-partner-center estate file, version 1", ...s };
}

if (require.main === module) process.stdout.write(`${JSON.stringify(estateJsonSchema(), null, 2)}\n`);
