/**
 * The Estate component over the estate file named by the stack config key `estateFile` (an absolute path), so
 * that the real-CLI suite (test/pulumi/estate.test.ts) drives offboarding by editing the file, as a pull request
 * would.
 */
import * as pulumi from "@pulumi/pulumi";
import { Estate } from "pulumi-partner-center";

const estate = new Estate("partner", { file: new pulumi.Config().require("estateFile") });

export const customers = estate.customers;
export const approvalLinks = estate.approvalLinks;
export const invitationLinks = estate.invitationLinks;
export const offboarded = estate.offboarded;
