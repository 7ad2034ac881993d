/**
 * The Microsoft Graph client for granular delegated admin privileges (GDAP): delegated admin relationships,
 * their requests (lock for approval, terminate) and their access assignments.
 *
 * Wire facts, from Microsoft Graph v1.0 documentation (learn.microsoft.com/graph/api/...):
 * - `resources/delegatedadminrelationship`: properties, the status enum (activating, active, approvalPending,
 *   approved, created, expired, expiring, terminated, terminating, terminationRequested, unknownFutureValue),
 *   `duration` from P1D to P2Y, `autoExtendDuration` one of P0D, PT0S, P180D, `displayName` at most 50 characters.
 * - `tenantrelationship-post-delegatedadminrelationships`: POST answers 201 with the relationship and `@odata.etag`.
 * - `tenantrelationship-list-delegatedadminrelationships`: `$filter`, `$top` (up to 300) and `@odata.nextLink` paging.
 * - `delegatedadminrelationship-delete`: only in status `created` ("A relationship can only be deleted if it's in
 *   the 'created' status"), `If-Match: {etag}` required; answers 204.
 * - `delegatedadminrelationship-update` ("Update delegatedAdminRelationship"): `If-Match` required; any property
 *   while `created`; `autoExtendDuration` while `created` or `active`; while `active`, removing the Global
 *   Administrator role answers `202 Accepted` with the Location of a long-running operation; otherwise 200 and
 *   the relationship.
 * - `delegatedadminaccessassignment-update` ("Update delegatedAdminAccessAssignment"): "typically returns a
 *   202 Accepted response code with a URL to a long-running operation in the Location response header" (and
 *   Retry-After, and an empty object); 200 with the assignment when nothing changes.
 * - `delegatedadminrelationshipoperation-get`: the operation at that Location; done when its status is
 *   `succeeded` (the documented example) or `complete` (the documented enum), `failed` otherwise.
 * - `delegatedadminrelationship-post-requests`: `{"action":"lockForApproval"|"terminate"}` answers 201 with a
 *   delegatedAdminRelationshipRequest whose status is created, pending, succeeded or failed; the relationship's
 *   own status follows asynchronously.
 * - `delegatedadminrelationship-post-accessassignments` / `resources/delegatedadminaccessassignment`:
 *   `accessContainer{accessContainerId, accessContainerType:"securityGroup"}`, `accessDetails.unifiedRoles`,
 *   status pending, active, deleting, deleted, error; update and delete with If-Match.
 * - Errors (Graph "Microsoft Graph error responses and resource types"): `{"error":{"code","message",
 *   "innerError":{"request-id","date"}}}`; throttling (Graph "Microsoft Graph throttling guidance"): 429 with
 *   Retry-After, honoured by the shared transport.
 *
 * Requests go through the same transport as Partner Center calls (retries, Retry-After, typed errors) over the
 * same connection pool and token source: the Graph token is the same refresh-token grant with
 * `resource=https://graph.microsoft.com` (Entra refresh tokens are multi-resource), cached next to the Partner
 * Center token. Graph throttles independently of Partner Center, so Graph calls get a limiter of their own (same
 * algorithm and options): a Graph 429 never holds back Partner Center calls, nor the other way round.
 */
import { z } from "zod";
import type { PartnerCenterClient } from "../client";
import { GRAPH_WORDING } from "../client/core/classify";
import { Limiter } from "../client/core/pacing";
import { listPaged, odataPaging, type ODataPage } from "../client/core/pagination";
import { checkedSegment, rfc3986Query } from "../client/core/path";
import { Transport, type TransportRequest } from "../client/core/transport";
import { ConfigurationError, printable, ResponseValidationError } from "../errors";
import { GUID } from "../guid";
import { settingName, type Settings } from "../settings";
import { GRAPH_RESOURCE, graphAudienceOf, graphEndpointOf, graphEndpointRefusal } from "./graph-settings";
import {
  assignmentSchema,
  operationSchema,
  pageSchema,
  relationshipSchema,
  requestSchema,
  type AccessAssignment,
  type AdminRelationship,
  type RelationshipOperation,
  type RelationshipRequest,
} from "./graph-resources";

export type {
  AccessAssignment,
  AdminRelationship,
  RelationshipOperation,
  RelationshipRequest,
  RelationshipStatus,
} from "./graph-resources";
export { GRAPH_RESOURCE, GRAPH_SCOPE, graphAudienceOf, graphEndpointOf } from "./graph-settings";

/** Graph ids are GUIDs or `{guid}-{guid}`: nothing that could change the route. */
const ID = /^[A-Za-z0-9-]{1,100}$/;

// ------------------------------------------------------------------------------------------------ client

/** What an update answered: the object (200), or a long-running operation to follow (202 with Location). */
export type Updated<T> =
  { kind: "done"; value: T } | { kind: "accepted"; operation: string; retryAfterMs: number | undefined };

/** Options of {@link GraphClient}. */
export interface GraphClientOptions {
  /** Receives one line per retry; never headers, tokens or bodies. */
  logger?: (line: string) => void;
  /** The token audience: {@link GRAPH_RESOURCE} (v1 `resource=`, default) or `GRAPH_SCOPE` (v2 `scope=`). */
  audience?: string;
}

/** The GDAP part of Microsoft Graph v1.0. */
export class GraphClient {
  private readonly transport: Transport;
  private readonly base: string;
  private readonly settings: Settings;
  /** Why no token may be sent to this Graph endpoint with these settings (thrown by every call), if any. */
  private readonly refusal: ConfigurationError | undefined;

  constructor(pc: PartnerCenterClient, graphEndpoint: string, options: GraphClientOptions = {}) {
    const { settings, dispatcher, auth, options: pcOptions } = pc.graphParts();
    this.settings = settings;
    this.refusal = graphEndpointRefusal(settings, graphEndpoint);
    this.base = `${graphEndpoint}/v1.0/tenantRelationships`;
    const limiter = new Limiter({
      maxConcurrency: settings.maxConcurrency,
      maxRequestsPerMinute: settings.maxRequestsPerMinute,
      ...pcOptions.pacing,
    });
    this.transport = new Transport(
      { ...settings, endpoint: graphEndpoint },
      dispatcher,
      auth.forResource(options.audience ?? GRAPH_RESOURCE),
      limiter,
      {
        retry: pcOptions.retry,
        logger: options.logger ?? pcOptions.logger,
        limits: pcOptions.limits,
        wording: GRAPH_WORDING,
      },
    );
  }

  /** Counters of the Graph transport (attempts, 429s, retries). */
  stats(): { requests: number; responses429: number; retries: number } {
    return { ...this.transport.counters };
  }

  /** POST a new relationship (status `created`). */
  createRelationship(body: {
    displayName: string;
    duration: string;
    customerTenantId: string;
    roles: readonly string[];
    autoExtendDuration?: string | undefined;
  }): Promise<AdminRelationship> {
    return this.send("create the delegated admin relationship", {
      method: "POST",
      path: `${this.base}/delegatedAdminRelationships`,
      body: {
        displayName: body.displayName,
        duration: body.duration,
        customer: { tenantId: body.customerTenantId },
        accessDetails: { unifiedRoles: body.roles.map((roleDefinitionId) => ({ roleDefinitionId })) },
        ...(body.autoExtendDuration !== undefined && { autoExtendDuration: body.autoExtendDuration }),
      },
      schema: relationshipSchema,
    });
  }

  getRelationship(id: string): Promise<AdminRelationship> {
    return this.send(`read delegated admin relationship ${id}`, {
      method: "GET",
      path: `${this.base}/delegatedAdminRelationships/${segment(id)}`,
      schema: relationshipSchema,
    });
  }

  /**
   * Every relationship (every page), optionally only one customer's or one display name's. The customer id must
   * be a tenant GUID before it goes into `$filter`; the caller still checks each item's customer (the filter is
   * the server's to apply). Query values are percent-encoded per RFC 3986 (Graph, "Use query parameters to
   * customize responses", https://learn.microsoft.com/graph/query-parameters: "Encoding query parameters").
   */
  listRelationships(filter: { customerTenantId?: string; displayName?: string } = {}) {
    const clauses: string[] = [];
    if (filter.customerTenantId !== undefined) {
      if (!GUID.test(filter.customerTenantId)) {
        throw new ConfigurationError(
          `"${printable(filter.customerTenantId.slice(0, 120))}" is not a customer tenant id: Microsoft Graph's relationships are filtered only by a tenant GUID.`,
          { action: "Use the customer's tenant GUID, e.g. 0a1b2c3d-0000-4000-8000-00000000000a." },
        );
      }
      clauses.push(`customer/tenantId eq '${filter.customerTenantId.toLowerCase()}'`);
    }
    if (filter.displayName) clauses.push(`displayName eq '${odata(filter.displayName)}'`);
    const query: [string, string][] = [["$top", "300"]];
    if (clauses.length) query.push(["$filter", clauses.join(" and ")]);
    return this.list(
      "list delegated admin relationships",
      `${this.base}/delegatedAdminRelationships?${rfc3986Query(query)}`,
      relationshipSchema,
    );
  }

  /** DELETE a relationship in status `created` (If-Match required). */
  async deleteRelationship(id: string, etag: string): Promise<void> {
    await this.send(`delete delegated admin relationship ${id}`, {
      method: "DELETE",
      path: `${this.base}/delegatedAdminRelationships/${segment(id)}`,
      headers: { "If-Match": etag },
      schema: z.unknown(),
    });
  }

  /**
   * PATCH a relationship (If-Match): `autoExtendDuration` (created or active), or its roles (created; while
   * active only without Global Administrator, which Graph applies as a long-running operation).
   */
  updateRelationship(
    id: string,
    etag: string,
    change: { autoExtendDuration?: string; roles?: readonly string[] },
  ): Promise<Updated<AdminRelationship>> {
    return this.update(
      `update delegated admin relationship ${id}`,
      `${this.base}/delegatedAdminRelationships/${segment(id)}`,
      etag,
      {
        ...(change.autoExtendDuration !== undefined && { autoExtendDuration: change.autoExtendDuration }),
        ...(change.roles !== undefined && {
          accessDetails: { unifiedRoles: change.roles.map((roleDefinitionId) => ({ roleDefinitionId })) },
        }),
      },
      relationshipSchema,
    );
  }

  /** GET the long-running operation a 202 named; only a Location under this client's relationships is followed. */
  async getOperation(location: string): Promise<RelationshipOperation> {
    const prefix = `${this.base}/delegatedAdminRelationships/`;
    const rest = location.startsWith(prefix) ? location.slice(prefix.length) : "";
    if (!/^[A-Za-z0-9-]{1,100}\/operations\/[A-Za-z0-9-]{1,100}$/.test(rest)) {
      throw new ResponseValidationError(
        `Microsoft Graph named a long-running operation at "${location.slice(0, 200)}", which is not an operation of a delegated admin relationship at ${this.base}; it was not followed.`,
        { action: "Report it with the request id; run `pulumi refresh` to see what Graph applied." },
      );
    }
    return this.send(`read the long-running operation ${rest}`, {
      method: "GET",
      path: location,
      schema: operationSchema,
    });
  }

  /** POST a request: `lockForApproval` or `terminate`. */
  createRequest(id: string, action: "lockForApproval" | "terminate"): Promise<RelationshipRequest> {
    return this.send(`${action} delegated admin relationship ${id}`, {
      method: "POST",
      path: `${this.base}/delegatedAdminRelationships/${segment(id)}/requests`,
      body: { action },
      schema: requestSchema,
    });
  }

  createAssignment(
    relationshipId: string,
    securityGroupId: string,
    roles: readonly string[],
  ): Promise<AccessAssignment> {
    return this.send(`create an access assignment in relationship ${relationshipId}`, {
      method: "POST",
      path: `${this.base}/delegatedAdminRelationships/${segment(relationshipId)}/accessAssignments`,
      body: {
        accessContainer: { accessContainerId: securityGroupId, accessContainerType: "securityGroup" },
        accessDetails: { unifiedRoles: roles.map((roleDefinitionId) => ({ roleDefinitionId })) },
      },
      schema: assignmentSchema,
    });
  }

  getAssignment(relationshipId: string, id: string): Promise<AccessAssignment> {
    return this.send(`read access assignment ${id}`, {
      method: "GET",
      path: `${this.base}/delegatedAdminRelationships/${segment(relationshipId)}/accessAssignments/${segment(id)}`,
      schema: assignmentSchema,
    });
  }

  listAssignments(relationshipId: string) {
    return this.list(
      `list the access assignments of relationship ${relationshipId}`,
      `${this.base}/delegatedAdminRelationships/${segment(relationshipId)}/accessAssignments`,
      assignmentSchema,
    );
  }

  /** PATCH the roles of an assignment (If-Match): usually 202 and a long-running operation. */
  updateAssignment(
    relationshipId: string,
    id: string,
    etag: string,
    roles: readonly string[],
  ): Promise<Updated<AccessAssignment>> {
    return this.update(
      `update access assignment ${id}`,
      `${this.base}/delegatedAdminRelationships/${segment(relationshipId)}/accessAssignments/${segment(id)}`,
      etag,
      { accessDetails: { unifiedRoles: roles.map((roleDefinitionId) => ({ roleDefinitionId })) } },
      assignmentSchema,
    );
  }

  /** A PATCH answered 200 with the object or 202 with the Location of a long-running operation. */
  private async update<T>(
    what: string,
    path: string,
    etag: string,
    body: unknown,
    schema: z.ZodType<T>,
  ): Promise<Updated<T>> {
    const res = await this.sendFull(what, {
      method: "PATCH",
      path,
      headers: { "If-Match": etag },
      body,
      schema: z.unknown(),
    });
    if (res.status === 202) {
      if (!res.location) {
        throw GRAPH_WORDING.word(
          new ResponseValidationError(
            "Microsoft Graph accepted the change (202) without the Location of its operation.",
            { status: 202, mayHaveApplied: true },
          ),
          what,
        );
      }
      return { kind: "accepted", operation: res.location, retryAfterMs: res.retryAfterMs };
    }
    const parsed = schema.safeParse(res.data);
    if (!parsed.success) {
      throw GRAPH_WORDING.word(
        new ResponseValidationError(
          `Microsoft Graph's answer did not have the documented shape (${parsed.error.issues
            .slice(0, 3)
            .map((i) => `${i.path.join(".") || "(body)"}: ${i.message}`)
            .join("; ")}).`,
          { status: res.status, mayHaveApplied: true },
        ),
        what,
      );
    }
    return { kind: "done", value: parsed.data };
  }

  async deleteAssignment(relationshipId: string, id: string, etag: string): Promise<void> {
    await this.send(`delete access assignment ${id}`, {
      method: "DELETE",
      path: `${this.base}/delegatedAdminRelationships/${segment(relationshipId)}/accessAssignments/${segment(id)}`,
      headers: { "If-Match": etag },
      schema: z.unknown(),
    });
  }

  /** Every item of a list, following `@odata.nextLink` with the core's paging and its bounds. */
  private async list<T>(what: string, first: string, item: z.ZodType<T>): Promise<T[]> {
    this.check();
    const items = await listPaged(
      this.transport,
      { path: first, what, schema: pageSchema(item) as z.ZodType<ODataPage<T>> },
      odataPaging<T>(),
    );
    return items.map((i) => i.item);
  }

  private async send<T>(what: string, req: TransportRequest<T>): Promise<T> {
    return (await this.sendFull(what, req)).data;
  }

  private async sendFull<T>(what: string, req: TransportRequest<T>) {
    this.check();
    return this.transport.request({ ...req, what });
  }

  /** Refuses every call that could not be sent to Graph with these settings. */
  private check(): void {
    if (this.settings.accessToken && (!this.settings.refreshToken || !this.settings.tenantId)) {
      throw new ConfigurationError(
        `Microsoft Graph calls (GDAP) need a token for ${GRAPH_RESOURCE}, and ${settingName("accessToken")} is a Partner Center token.`,
        {
          action: `Set ${settingName("tenantId")}, ${settingName("clientId")} and ${settingName("refreshToken")} (the Secure Application Model consent must include DelegatedAdminRelationship.ReadWrite.All).`,
        },
      );
    }
    if (this.refusal) throw this.refusal;
  }
}

function segment(id: string): string {
  return checkedSegment(
    id,
    ID,
    () =>
      new ConfigurationError(`"${id.slice(0, 120)}" is not a Microsoft Graph id.`, {
        action: "Use the id Microsoft Graph returned (a GUID, or two GUIDs joined by '-').",
      }),
  );
}

/** A value inside an OData string literal: quotes doubled. */
function odata(v: string): string {
  return v.replace(/'/g, "''");
}

// ------------------------------------------------------------------------------------ shared per process

const clients = new WeakMap<PartnerCenterClient, Map<string, GraphClient>>();

/**
 * The process-wide Graph client sharing `pc`'s pool and tokens, for these settings' Graph endpoint and token
 * request (`graphEndpoint`, `graphTokenRequest`): every caller gets the token the provider itself asks for.
 */
export function getSharedGraphClient(pc: PartnerCenterClient, settings: Settings): GraphClient {
  const graphEndpoint = graphEndpointOf(settings);
  const audience = graphAudienceOf(settings);
  let byEndpoint = clients.get(pc);
  if (!byEndpoint) clients.set(pc, (byEndpoint = new Map()));
  const key = `${graphEndpoint} ${audience}`;
  let g = byEndpoint.get(key);
  if (!g) byEndpoint.set(key, (g = new GraphClient(pc, graphEndpoint, { audience })));
  return g;
}
