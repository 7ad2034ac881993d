#!/usr/bin/env node
/**
 * Entry point of `pulumi-resource-partnercenter`. The engine starts it with its own address as the first
 * argument (flags such as `--logflow` or `-v=9` may come too).
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const engine = process.argv.slice(2).find((a) => !a.startsWith("-"));
// Log lines (pulumi.log) go to the engine, which shows them with the resource's operation; set before
// @pulumi/pulumi reads its settings. Without it they would be printed on stdout, which the engine does not show.
if (engine && !process.env.PULUMI_NODEJS_ENGINE) process.env.PULUMI_NODEJS_ENGINE = engine;

process.on("unhandledRejection", (e) => console.error(e));
(require("./server") as typeof import("./server")).serve().catch((e: unknown) => {
  console.error(`pulumi-resource-partnercenter: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
