/**
 * The Microsoft Graph contract corpus: the documented request and response examples of the GDAP calls this
 * provider makes, transcribed as published (values, casing, nesting), each with its page. The pages live at
 * https://learn.microsoft.com/graph/api/<page>?view=graph-rest-1.0; their sources are the
 * `api-reference/v1.0/api/<page>.md` files of the microsoft-graph-docs-contrib repository. Like corpus.ts for
 * Partner Center, nothing here is copied from the emulator: the emulator and the client are checked against it
 * (graph-contract.test.ts).
 */

export const RELATIONSHIP_ID = "5d027261-d21f-4aa9-b7db-7fa1f56fb163-8777b240-c6f0-4469-9e98-a3205431b836";

/** "Create delegatedAdminRelationship" (tenantrelationship-post-delegatedadminrelationships), request. */
export const createRequest = {
  displayName: "Contoso admin relationship",
  duration: "P730D",
  customer: { tenantId: "4b827261-d21f-4aa9-b7db-7fa1f56fb163", displayName: "Contoso subsidiary Inc" },
  accessDetails: {
    unifiedRoles: [
      { roleDefinitionId: "29232cdf-9323-42fd-ade2-1d097af3e4de" },
      { roleDefinitionId: "3a2c62db-5318-420d-8d74-23affee5d9d5" },
    ],
  },
  autoExtendDuration: "P180D",
};

/** The same page: `201 Created`, a Location header, and this body. */
export const createResponse = {
  "@odata.type": "#microsoft.graph.delegatedAdminRelationship",
  "@odata.context":
    "https://graph.microsoft.com/v1.0/tenantRelationships/$metadata#delegatedAdminRelationships",
  "@odata.etag": 'W/"JyIxODAwZTY4My0wMDAwLTAyMDAtMDAwMC02MTU0OWFmMDAwMDAiJw=="',
  id: "5d027261-d21f-4aa9-b7db-7fa1f56fb163-8777b240-c6f0-4469-9e98-a3205431b836",
  displayName: "Contoso admin relationship",
  duration: "P730D",
  customer: { tenantId: "4b827261-d21f-4aa9-b7db-7fa1f56fb163", displayName: "Contoso subsidiary Inc" },
  accessDetails: {
    unifiedRoles: [
      { roleDefinitionId: "29232cdf-9323-42fd-ade2-1d097af3e4de" },
      { roleDefinitionId: "3a2c62db-5318-420d-8d74-23affee5d9d5" },
    ],
  },
  status: "created",
  autoExtendDuration: "P180D",
  createdDateTime: "2022-02-10T11:24:42.3148266Z",
  lastModifiedDateTime: "2022-02-10T11:24:42.3148266Z",
  activatedDateTime: "",
  endDateTime: "2024-02-10T11:24:42.3148266Z",
};

/**
 * "List delegatedAdminRelationships" (tenantrelationship-list-delegatedadminrelationships), response: a
 * terminated relationship is still listed, under its name (which is why names are never reused).
 */
export const list = {
  "@odata.context":
    "https://graph.microsoft.com/v1.0/tenantRelationships/$metadata#delegatedAdminRelationships",
  value: [
    {
      "@odata.type": "#microsoft.graph.delegatedAdminRelationship",
      "@odata.etag": 'W/"JyIwMzAwZTM0ZS0wMDAwLTAyMDAtMDAwMC02MTRjZjI1YzAwMDAiJw=="',
      id: "5d027261-d21f-4aa9-b7db-7fa1f56fb163-8777b240-c6f0-4469-9e98-a3205431b836",
      displayName: "Contoso admin relationship",
      duration: "P730D",
      customer: { tenantId: "52eaad04-13a2-4a2f-9ce8-93a294fadf36", displayName: "Contoso Inc" },
      accessDetails: { unifiedRoles: [{ roleDefinitionId: "dd4db9a0-cc4a-4213-9f9f-70242232d97e" }] },
      status: "active",
      autoExtendDuration: "P180D",
      createdDateTime: "2022-02-10T11:24:42.3148266Z",
      lastModifiedDateTime: "2022-02-10T11:26:44.9941884Z",
      activatedDateTime: "2022-02-10T11:26:44.9941884Z",
      endDateTime: "2024-02-10T11:24:42.3148266Z",
    },
    {
      "@odata.type": "#microsoft.graph.delegatedAdminRelationship",
      "@odata.etag": 'W/"JyIwMzAwZTM0ZS0wKklILTAyMDAtMDAwMC02MTRjZjI1YzAwMDAiJw=="',
      id: "1041ef52-a99b-4245-a3be-cbd3fa7c5ed1-8777b240-c6f0-4469-9e98-a3205431b836",
      displayName: "Contoso subsidiary relationship",
      duration: "P30D",
      customer: { tenantId: "4b827261-d21f-4aa9-b7db-7fa1f56fb163", displayName: "Contoso subsidiary Inc" },
      accessDetails: {
        unifiedRoles: [
          { roleDefinitionId: "29232cdf-9323-42fd-ade2-1d097af3e4de" },
          { roleDefinitionId: "3a2c62db-5318-420d-8d74-23affee5d9d5" },
        ],
      },
      status: "terminated",
      autoExtendDuration: "PT0S",
      createdDateTime: "2021-09-29T16:52:39.6133896Z",
      lastModifiedDateTime: "2021-10-29T16:57:20.2101088Z",
      activatedDateTime: "2021-09-29T16:55:20.2101088Z",
      endDateTime: "2021-10-29T16:57:20.2101088Z",
    },
  ],
};

/**
 * "Update delegatedAdminRelationship" (delegatedadminrelationship-update): "You can update the autoExtendDuration
 * property when status is either created or active"; "You can only remove the Microsoft Entra Global
 * Administrator role when the status property is active, which indicates a long-running operation". Request
 * (If-Match required) and the 200 response.
 */
export const updateRelationshipIfMatch = 'W/"JyI0NzAwNjg0NS0wMDAwLTE5MDAtMDAwMC02MGY0Yjg4MzAwMDAiJw=="';
export const updateRelationshipResponse = {
  "@odata.type": "#microsoft.graph.delegatedAdminRelationship",
  "@odata.context":
    "https://graph.microsoft.com/v1.0/tenantRelationships/$metadata#delegatedAdminRelationships/$entity",
  "@odata.etag": 'W/"JyIwMzAwZTM0ZS0wMDAwLTAyMDAtMDAwMC02MTRjZjI1YzAwMDAiJw=="',
  id: "5d027261-d21f-4aa9-b7db-7fa1f56fb163-8777b240-c6f0-4469-9e98-a3205431b836",
  displayName: "Updated Contoso admin relationship",
  duration: "P31D",
  status: "created",
  createdDateTime: "2022-02-10T11:24:42.3148266Z",
  lastModifiedDateTime: "2022-02-10T11:26:44.9941884Z",
  customer: { tenantId: "52eaad04-13a2-4a2f-9ce8-93a294fadf36" },
  accessDetails: {
    unifiedRoles: [
      { roleDefinitionId: "44367163-eba1-44c3-98af-f5787879f96a" },
      { roleDefinitionId: "29232cdf-9323-42fd-ade2-1d097af3e4de" },
      { roleDefinitionId: "69091246-20e8-4a56-aa4d-066075b2a7a8" },
      { roleDefinitionId: "3a2c62db-5318-420d-8d74-23affee5d9d5" },
    ],
  },
  autoExtendDuration: "P180D",
};

/**
 * The 202 answer of both updates ("Update delegatedAdminRelationship" and "Update
 * delegatedAdminAccessAssignment", same example): Location of the operation, Retry-After, an empty object.
 */
export const accepted = {
  status: 202,
  headers: {
    Location:
      "https://graph.microsoft.com/v1.0/tenantRelationships/delegatedAdminRelationships/5e5594d3-6f82-458b-b567-77db4811f0cd-00000000-0000-0000-0000-000000001234/operations/d8dbb27b-7fe7-4523-a3df-f766355fe0f2",
    "Retry-After": "10",
  },
  body: {},
};

/** "Update delegatedAdminAccessAssignment" (delegatedadminaccessassignment-update), request body. */
export const updateAssignmentRequest = {
  accessDetails: {
    unifiedRoles: [
      { roleDefinitionId: "88d8e3e3-8f55-4a1e-953a-9b9898b8876b" },
      { roleDefinitionId: "44367163-eba1-44c3-98af-f5787879f96a" },
      { roleDefinitionId: "729827e3-9c14-49f7-bb1b-9608f156bbb8" },
    ],
  },
};

/**
 * "Get delegatedAdminRelationshipOperation" (delegatedadminrelationshipoperation-get), response. Its status is
 * `succeeded`, although the resource page lists notStarted, running, complete, failed: both are read as done.
 */
export const operation = {
  "@odata.type": "#microsoft.graph.delegatedAdminRelationshipOperation",
  "@odata.context": "https://graph.microsoft.com/v1.0/tenantRelationships/$metadata#operations/$entity",
  "@odata.etag": 'W/"JyIwMzAwZTM0ZS0wMDAwLTAyMDAtMDAwMC02MTRjZjI1YzAwMDAiJw=="',
  id: "57e4479a-aafb-4d00-ab0f-8ce6027466cf",
  operationType: "delegatedAdminAccessAssignmentUpdate",
  data: '{"id":"a97a9b4c-f43e-4c47-bbd6-50d8d3c88d94","accessContainer":{"accessContainerId":"869713c9-0b28-4d08-8949-ae07ae1bf528","accessContainerType":"securityGroup"},"accessDetails":{"unifiedRoles":[{"roleDefinitionId":"e3973bdf-4987-49ae-837a-ba8e231c7286"}]},"status":"active"}',
  status: "succeeded",
  createdDateTime: "2022-02-11T19:27:31.4047395Z",
  lastModifiedDateTime: "2022-02-11T19:27:31.4047395Z",
};

/** "Create requests" (delegatedadminrelationship-post-requests): request and `201 Created` response. */
export const requestBody = { action: "lockForApproval" };
export const requestResponse = {
  "@odata.type": "#microsoft.graph.delegatedAdminRelationshipRequest",
  "@odata.context": "https://graph.microsoft.com/v1.0/tenantRelationships/$metadata#requests",
  id: "5a6666c9-7282-0a41-67aa-25a5a3fbf339",
  action: "lockForApproval",
  status: "created",
  createdDateTime: "2022-02-10T10:55:47.1180588Z",
  lastModifiedDateTime: "2022-02-10T10:55:47.1180588Z",
};

/** "Create accessAssignments" (delegatedadminrelationship-post-accessassignments), `201 Created` response. */
export const assignment = {
  "@odata.type": "#microsoft.graph.delegatedAdminAccessAssignment",
  "@odata.context": "https://graph.microsoft.com/v1.0/tenantRelationships/$metadata#accessAssignments",
  "@odata.etag": 'W/"JyIxODAwZTY4My0wMDAwLTAyMDAtMDAwMC02MTU0OWFmMDAwMDAiJw=="',
  id: "a9d6cf90-083a-47dc-ace2-1da98be3f344",
  status: "pending",
  createdDateTime: "2022-02-13T10:33:52.3182097Z",
  lastModifiedDateTime: "2022-02-13T10:33:52.3182097Z",
  accessContainer: {
    accessContainerId: "869713c9-0b28-4d08-8949-ae07ae1bf528",
    accessContainerType: "securityGroup",
  },
  accessDetails: {
    unifiedRoles: [
      { roleDefinitionId: "29232cdf-9323-42fd-ade2-1d097af3e4de" },
      { roleDefinitionId: "f2ef992c-3afb-46b9-b7cf-a126ee74c451" },
      { roleDefinitionId: "729827e3-9c14-49f7-bb1b-9608f156bbb8" },
      { roleDefinitionId: "3a2c62db-5318-420d-8d74-23affee5d9d5" },
    ],
  },
};

/**
 * "Microsoft Graph error responses and resource types": the error body. (`innerError` carries `date`,
 * `request-id`, `client-request-id`.)
 */
export const errorBody = {
  error: {
    code: "badRequest",
    message: "Uploaded fragment overlaps with existing data.",
    innerError: {
      code: "invalidRange",
      "request-id": "request-id",
      date: "date-time",
    },
  },
};
