/**
 * The serialized provider is a compatibility contract: state files hold its text and run it on refresh and
 * destroy, possibly years later. This test fails whenever the text a program stores would change.
 * If a change is truly intended (it never should be), regenerate the golden file and explain why in the commit.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { captureProviderText } from "../support/host";

test("the provider text stored in state is byte-for-byte the frozen shim", async () => {
  const golden = fs.readFileSync(path.join(__dirname, "provider-text.golden.txt"), "utf8");
  const text = await captureProviderText();
  expect(text).toBe(golden);
});

test("the shim captures nothing but the package name", async () => {
  const text = await captureProviderText();
  expect(text).toContain('require("pulumi-partner-center/dynamic")');
  // No settings, schemas, HTTP objects or environment values.
  expect(text).not.toMatch(/partnercenter:|PARTNER_CENTER_|zod|undici|https?:\/\//);
  expect(Buffer.byteLength(text)).toBeLessThan(4096);
});
