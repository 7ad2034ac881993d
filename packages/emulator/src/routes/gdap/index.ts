/**
 * The Microsoft Graph route table (apis.ts): GDAP's delegated admin relationships, their requests, operations and
 * access assignments under `/v1.0/tenantRelationships`. Each route maps methods to handlers, functions of
 * (ctx, params, state) over the GDAP store (gdap-store.ts).
 */
import type { Route } from "../../router";
import {
  createAssignment,
  deleteAssignment,
  getAssignment,
  listAssignments,
  patchAssignment,
} from "./access-assignments";
import { getOperation, listOperations } from "./operations";
import {
  createRelationship,
  deleteRelationship,
  getRelationship,
  listRelationships,
  patchRelationship,
} from "./relationships";
import { createRequest, getRequest, listRequests } from "./requests";

const RELS = String.raw`^\/v1\.0\/tenantRelationships\/delegatedAdminRelationships`;
const re = (rest: string) => new RegExp(`${RELS}${rest}\\/?$`, "i");

export const GRAPH_ROUTES: readonly Route[] = [
  {
    re: re(""),
    noun: "delegatedAdminRelationships",
    methods: { GET: listRelationships, POST: createRelationship },
  },
  {
    re: re(String.raw`\/([^/]+)`),
    noun: "a delegated admin relationship",
    methods: { GET: getRelationship, PATCH: patchRelationship, DELETE: deleteRelationship },
  },
  { re: re(String.raw`\/([^/]+)\/requests`), methods: { GET: listRequests, POST: createRequest } },
  { re: re(String.raw`\/([^/]+)\/requests\/([^/]+)`), methods: { GET: getRequest } },
  { re: re(String.raw`\/([^/]+)\/operations`), methods: { GET: listOperations } },
  { re: re(String.raw`\/([^/]+)\/operations\/([^/]+)`), methods: { GET: getOperation } },
  {
    re: re(String.raw`\/([^/]+)\/accessAssignments`),
    methods: { GET: listAssignments, POST: createAssignment },
  },
  {
    re: re(String.raw`\/([^/]+)\/accessAssignments\/([^/]+)`),
    noun: "an access assignment",
    methods: { GET: getAssignment, PATCH: patchAssignment, DELETE: deleteAssignment },
  },
];
