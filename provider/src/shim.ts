/**
 * The serialized provider: the only code Pulumi stores in state (`__provider`).
 *
 * Pulumi serializes a dynamic resource's provider into its inputs and outputs, and `refresh` and `destroy` run
 * the text stored in state, not the program (see
 * docs/design/pulumi-engine.md#the-life-of-a-dynamic-resource). So this object is a frozen shim: each method loads `pulumi-partner-center/dynamic` by name when it
 * runs, from the Pulumi project directory, and delegates to it. A stack created today is then refreshed and
 * destroyed by whatever version of the package is installed at that time, and nothing else is captured: no zod
 * schema, no undici object, no setting and no secret.
 *
 * COMPATIBILITY CONTRACT: the text of these functions and the subpath they require never change. Do not edit.
 */
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-require-imports */
export const shim = {
  configure: (req: any) => load().configure(req),
  check: (olds: any, news: any) => load().check(olds, news),
  diff: (id: any, olds: any, news: any) => load().diff(id, olds, news),
  create: (inputs: any) => load().create(inputs),
  read: (id: any, props: any) => load().read(id, props),
  update: (id: any, olds: any, news: any) => load().update(id, olds, news),
  delete: (id: any, props: any) => load().delete(id, props),
};

function load(): any {
  try {
    return require("pulumi-partner-center/dynamic");
  } catch (e: any) {
    if (e && e.code === "MODULE_NOT_FOUND" && String(e.message).indexOf("pulumi-partner-center") >= 0) {
      throw new Error(
        "The Pulumi provider for Partner Center could not load the package 'pulumi-partner-center' from " +
          process.cwd() +
          ". This stack's state runs it by name. Install the project's dependencies in the Pulumi project " +
          "directory (`npm ci`, or `npm install pulumi-partner-center`), then run the command again.",
      );
    }
    throw e;
  }
}
