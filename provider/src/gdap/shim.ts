/**
 * The serialized providers of the GDAP resources: the only code Pulumi stores in their state.
 * Like ../shim.ts, each method loads its implementation by package name when it runs, so `refresh` and `destroy`
 * of an old stack run the version installed then, and nothing else is captured.
 *
 * COMPATIBILITY CONTRACT: the text of these functions and the subpaths they require
 * (`pulumi-partner-center/dynamic-gdap`, `pulumi-partner-center/dynamic-gdap-access`) never change. Do not edit.
 * Golden files: test/gdap/*.golden.txt.
 */
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-require-imports */
export const relationshipShim = {
  configure: (req: any) => loadGdap().configure(req),
  check: (olds: any, news: any) => loadGdap().check(olds, news),
  diff: (id: any, olds: any, news: any) => loadGdap().diff(id, olds, news),
  create: (inputs: any) => loadGdap().create(inputs),
  read: (id: any, props: any) => loadGdap().read(id, props),
  update: (id: any, olds: any, news: any) => loadGdap().update(id, olds, news),
  delete: (id: any, props: any) => loadGdap().delete(id, props),
};

export const accessAssignmentShim = {
  configure: (req: any) => loadGdapAccess().configure(req),
  check: (olds: any, news: any) => loadGdapAccess().check(olds, news),
  diff: (id: any, olds: any, news: any) => loadGdapAccess().diff(id, olds, news),
  create: (inputs: any) => loadGdapAccess().create(inputs),
  read: (id: any, props: any) => loadGdapAccess().read(id, props),
  update: (id: any, olds: any, news: any) => loadGdapAccess().update(id, olds, news),
  delete: (id: any, props: any) => loadGdapAccess().delete(id, props),
};

function loadGdap(): any {
  try {
    return require("pulumi-partner-center/dynamic-gdap");
  } catch (e: any) {
    if (e && e.code === "MODULE_NOT_FOUND" && String(e.message).indexOf("pulumi-partner-center") >= 0) {
      throw new Error(
        "The Pulumi provider for Partner Center could not load 'pulumi-partner-center/dynamic-gdap' from " +
          process.cwd() +
          ". This stack's state runs it by name. Install the project's dependencies in the Pulumi project " +
          "directory (`npm ci`, or `npm install pulumi-partner-center` at a version with GDAP support), then run the command again.",
      );
    }
    throw e;
  }
}

function loadGdapAccess(): any {
  try {
    return require("pulumi-partner-center/dynamic-gdap-access");
  } catch (e: any) {
    if (e && e.code === "MODULE_NOT_FOUND" && String(e.message).indexOf("pulumi-partner-center") >= 0) {
      throw new Error(
        "The Pulumi provider for Partner Center could not load 'pulumi-partner-center/dynamic-gdap-access' from " +
          process.cwd() +
          ". This stack's state runs it by name. Install the project's dependencies in the Pulumi project " +
          "directory (`npm ci`, or `npm install pulumi-partner-center` at a version with GDAP support), then run the command again.",
      );
    }
    throw e;
  }
}
