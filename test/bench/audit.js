#!/usr/bin/env node
"use strict";
/**
 * `node test/bench/audit.js [DIR]`: the cost of the audit trail's durability (provider/src/audit.ts), on this disk.
 * Appends 2,000 records three ways, from 50 concurrent callers as 50 concurrent removals would:
 * no fsync (the baseline), fsync per record (one open/write/fdatasync/close each), and the writer's group
 * commit (one write and one fdatasync per batch of records queued meanwhile). Prints records/s and ratios
 * against the baseline measured in the same run. Needs `npm run build`.
 */
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { TrailWriter, serializeRecord } = require("../../provider/dist/audit");

const N = 2000;
const CONCURRENCY = 50;
const line = (i) =>
  serializeRecord({ version: 1, operationId: `op-${i}`, customer: { id: "c", name: "Fabrikam Active Inc" } });

async function run(label, append) {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < N) await append(line(next++));
    }),
  );
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  return { label, ms, perSecond: Math.round((N / ms) * 1000) };
}

async function main() {
  const dir = fs.mkdtempSync(path.join(process.argv[2] || os.tmpdir(), "ppc-audit-bench-"));
  try {
    const plain = path.join(dir, "plain.jsonl");
    const perRecord = path.join(dir, "per-record.jsonl");
    const results = [
      await run("no fsync (baseline)", (l) => fs.promises.appendFile(plain, l)),
      await run("fdatasync per record", async (l) => {
        const fh = await fs.promises.open(perRecord, "a");
        try {
          await fh.write(l);
          await fh.datasync();
        } finally {
          await fh.close();
        }
      }),
    ];
    const w = new TrailWriter(path.join(dir, "group.jsonl"));
    results.push(await run("group commit (TrailWriter)", (l) => w.append(l)));
    const base = results[0].perSecond;
    console.log(`audit trail: ${N} records, ${CONCURRENCY} concurrent callers, in ${path.dirname(dir)}`);
    for (const r of results) {
      console.log(
        `  ${r.label.padEnd(28)} ${String(r.perSecond).padStart(7)} records/s  ${r.ms.toFixed(0).padStart(6)} ms  x${(r.perSecond / base).toFixed(3)} of baseline`,
      );
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
