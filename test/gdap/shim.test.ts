/**
 * The GDAP resources' serialized providers are compatibility contracts like ResellerRelationship's
 * (test/provider/shim.test.ts): state files hold their text. These fail whenever the stored text would change.
 * Regenerate a golden file only for a deliberate change, explained in the commit (it never should be).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { captureGdapProviderTexts } from "./helpers";

test.each([
  [
    "DelegatedAdminRelationship",
    "relationship-provider-text.golden.txt",
    "pulumi-partner-center/dynamic-gdap",
  ],
  [
    "DelegatedAdminAccessAssignment",
    "access-provider-text.golden.txt",
    "pulumi-partner-center/dynamic-gdap-access",
  ],
] as const)(
  "%s: the provider text is byte-for-byte the frozen shim (%s), requiring %s",
  async (type, file, subpath) => {
    const texts = await captureGdapProviderTexts();
    const text = texts[type] ?? "";
    const golden = path.join(__dirname, file);
    // A new shim is written once by hand (UPDATE_GOLDEN=1), never in CI: there it would compare with itself.
    if (process.env.UPDATE_GOLDEN === "1" && !process.env.CI) fs.writeFileSync(golden, text);
    expect(text).toBe(fs.readFileSync(golden, "utf8"));
    expect(text).toContain(`require("${subpath}")`);
    expect(text).not.toMatch(/partnercenter:|PARTNER_CENTER_|zod|undici|https?:\/\//);
  },
);
